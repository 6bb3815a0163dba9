package io.fleetwarden.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine.TypeConversionException;

import io.fleetwarden.model.DeviceIdentities;

class SimulatorCliTest {

    @Test
    void pkiCommandWritesBrokerStoresWithOwnerOnlyPasswordFiles(@TempDir Path dir) throws Exception {
        int code = SimulatorCli.execute("pki", "--ca-dir", dir.resolve("pki").toString(), "--server-name", "local");
        assertThat(code).isZero();
        Path server = dir.resolve("pki/server");
        assertThat(server.resolve("local-keystore.p12")).exists();
        assertThat(server.resolve("local-truststore.p12")).exists();
        assertThat(Files.getPosixFilePermissions(server.resolve("local-keystore.password")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(dir.resolve("pki/ca.crt.pem")).exists();
    }

    @Test
    void pkiDeviceIssuesByTheDeviceProfileAndExportsPem(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        Path out = dir.resolve("out");
        assertThat(SimulatorCli.execute("pki", "device", "--ca-dir", pki.toString(), "--tenant", "globex", "--id", "hx-dev-0030",
                "--out", out.toString())).isZero();
        Path crt = out.resolve("globex/hx-dev-0030.crt");
        Path key = out.resolve("globex/hx-dev-0030.key");
        java.security.cert.X509Certificate cert;
        try (java.io.InputStream in = Files.newInputStream(crt)) {
            cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(in).iterator().next();
        }
        assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                .containsExactly((Object) DeviceIdentities.uri("globex", "hx-dev-0030"));
        assertThat(new javax.security.auth.x500.X500Principal(DeviceIdentities.subjectDn("globex", "hx-dev-0030")))
                .isEqualTo(cert.getSubjectX500Principal());
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(Files.readString(key)).contains("BEGIN PRIVATE KEY");
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        // hostile ids are refused before anything is issued or written
        assertThat(SimulatorCli.execute("pki", "device", "--ca-dir", pki.toString(), "--tenant", "globex", "--id", "../x",
                "--out", out.toString())).isEqualTo(2);
        assertThat(SimulatorCli.execute("pki", "device", "--ca-dir", pki.toString(), "--tenant", "_front-door", "--id", "x",
                "--out", out.toString())).isEqualTo(2);
        assertThat(out.resolve("_front-door")).doesNotExist();
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingConnects(@TempDir Path dir) {
        String gt = dir.resolve("gt.jsonl").toString();
        assertThat(SimulatorCli.execute("run", "--scenario", "no-such-scenario", "-d", "1s", "-o", gt)).isNotZero();
        assertThat(SimulatorCli.execute("run", "--devices", "0", "-d", "1s", "-o", gt)).isNotZero();
        assertThat(SimulatorCli.execute("run", "--duration", "soon", "-o", gt)).isEqualTo(2);
        assertThat(dir.resolve("gt.jsonl")).doesNotExist();
        assertThat(SimulatorCli.execute("scenarios")).isZero();
    }

    @Test
    void durationsReadShortAndIsoForms() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.convert("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThat(c.convert("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.convert("30d")).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> c.convert("5x")).isInstanceOf(TypeConversionException.class).hasMessageContaining("'5x'");
        assertThatThrownBy(() -> c.convert("-5s")).isInstanceOf(TypeConversionException.class).hasMessageContaining("'-5s'");
        assertThatThrownBy(() -> c.convert("99999999999999999999d")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("maximum");
    }

    @Test
    void aNegativeDurationOptionIsRefusedBeforeAnythingStarts(@TempDir Path dir) {
        assertThat(SimulatorCli.execute("run", "--duration", "-5m", "-o", dir.resolve("gt.jsonl").toString())).isEqualTo(2);
    }
}
