package io.fleetwarden.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.DeviceIdentities;

/**
 * {@code deploy/bin/dev-pki.sh} issues device certificates through this module's packaged CLI
 * ({@code pki device}), so they follow the one device profile ({@link DeviceIdentities}) and chain to the
 * development CA the broker trusts. Runs the real script with openssl and keytool on the packaged jar.
 */
class DevPkiScriptIT {

    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    static final Path SCRIPT = MODULE.resolveSibling("deploy").resolve("bin/dev-pki.sh");

    private static Path cliJar() throws Exception {
        try (Stream<Path> files = Files.list(MODULE.resolve("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("fleet-simulator-.*-cli\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("the packaged -cli.jar is missing; Failsafe runs after package"));
        }
    }

    private static Process run(Path dir, String devices) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), dir.toString()).redirectErrorStream(true);
        pb.environment().put("FW_PKI_DEVICES", devices);
        pb.environment().put("FW_PKI_CLI_JAR", cliJar().toString());
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    private static X509Certificate read(Path pem, int index) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in)).get(index);
        }
    }

    @Test
    void devicesAreIssuedByTheProfileFromTheBrokersCa(@TempDir Path dir) throws Exception {
        Process p = run(dir, "globex/hx-dev-0030 initech/hx-dev-0030");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();

        X509Certificate ca = read(dir.resolve("ca/fleet-ca.crt"), 0);
        for (String tenant : List.of("globex", "initech")) {
            Path crt = dir.resolve("devices/" + tenant + "/hx-dev-0030.crt");
            X509Certificate cert = read(crt, 0);
            cert.verify(ca.getPublicKey());
            assertThat(cert.getSubjectX500Principal()).isEqualTo(new X500Principal(DeviceIdentities.subjectDn(tenant, "hx-dev-0030")));
            assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                    .containsExactly((Object) DeviceIdentities.uri(tenant, "hx-dev-0030"));
            assertThat(Files.getPosixFilePermissions(dir.resolve("devices/" + tenant + "/hx-dev-0030.key")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThat(dir.resolve("broker/broker-keystore.p12")).exists();

        // a second run reuses the PKI and still issues devices; a hostile spec fails the script
        assertThat(run(dir, "acme/cam-1").exitValue()).isZero();
        assertThat(dir.resolve("devices/acme/cam-1.crt")).exists();
        assertThat(run(dir, "acme/../../etc").exitValue()).isNotZero();
        assertThat(run(dir, "no-tenant").exitValue()).isNotZero();
    }
}
