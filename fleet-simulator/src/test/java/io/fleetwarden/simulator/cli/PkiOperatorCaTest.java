package io.fleetwarden.simulator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.DeviceIdentities;

/**
 * {@code pki device --ca-cert --ca-key}: device certificates from an operator's own CA, here a root and an
 * intermediate made with openssl (as an operator would), checked with the JDK's PKIX validator and with
 * {@code openssl verify}; rotation (two valid certificates), and every refusal of unusable CA files.
 */
class PkiOperatorCaTest {

    @TempDir
    static Path ca;

    @BeforeAll
    static void operatorCa() throws Exception {
        sh("""
                set -e
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out root.key
                openssl req -x509 -new -key root.key -sha384 -days 3650 -subj "/O=Operator/CN=Operator Root CA" \\
                  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out issuing.key
                openssl req -new -key issuing.key -subj "/O=Operator/CN=Operator Device Issuing CA" -out issuing.csr
                printf 'basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid\\n' > ca-ext.cnf
                openssl x509 -req -in issuing.csr -CA root.crt -CAkey root.key -CAcreateserial -days 1825 -sha384 \\
                  -extfile ca-ext.cnf -out issuing.crt
                cat issuing.crt root.crt > issuing-chain.pem
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key
                openssl req -x509 -new -key other.key -days 30 -subj "/CN=not a CA" -addext "basicConstraints=critical,CA:FALSE" -out leaf-only.crt
                cat root.crt issuing.crt > wrong-order.pem
                """, ca);
    }

    @Test
    void issuesByTheDeviceProfileThroughAnIntermediate(@TempDir Path out) throws Exception {
        assertThat(issue(out, "issuing-chain.pem", "issuing.key", "--days", "365")).isZero();
        List<X509Certificate> chain = certificates(out.resolve("globex/hx-dev-0030.crt"));
        assertThat(chain).hasSize(2); // the device certificate and the intermediate; the root stays with the broker
        X509Certificate leaf = chain.get(0);
        assertThat(chain.get(1).getSubjectX500Principal().getName()).contains("Operator Device Issuing CA");
        assertThat(leaf.getSubjectX500Principal()).isEqualTo(new javax.security.auth.x500.X500Principal(
                DeviceIdentities.subjectDn("globex", "hx-dev-0030")));
        assertThat(leaf.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
                .containsExactly((Object) DeviceIdentities.uri("globex", "hx-dev-0030"));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.15");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(leaf.getNotAfter().getTime() - leaf.getNotBefore().getTime())
                .isEqualTo(TimeUnit.DAYS.toMillis(365) + TimeUnit.HOURS.toMillis(1));

        // the JDK's PKIX validator (what the broker runs) and openssl both accept the path to the root
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(certificates(ca.resolve("root.crt")).get(0), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        assertThat(sh("openssl verify -CAfile " + ca.resolve("root.crt") + " -untrusted " + out.resolve("globex/hx-dev-0030.crt")
                + " -purpose sslclient " + out.resolve("globex/hx-dev-0030.crt"), out)).contains(": OK");
        // the key is the certificate's
        assertThat(sh("openssl x509 -noout -pubkey -in globex/hx-dev-0030.crt | sha256sum; openssl pkey -pubout -in globex/hx-dev-0030.key | sha256sum", out)
                .lines().distinct().count()).isEqualTo(1);
    }

    @Test
    void rotationIssuesASecondValidCertificateAndNeverOverwrites(@TempDir Path out) throws Exception {
        assertThat(issue(out.resolve("current"), "issuing-chain.pem", "issuing.key")).isZero();
        String before = Files.readString(out.resolve("current/globex/hx-dev-0030.crt"));
        assertThat(issue(out.resolve("current"), "issuing-chain.pem", "issuing.key")).isEqualTo(2);
        assertThat(Files.readString(out.resolve("current/globex/hx-dev-0030.crt"))).isEqualTo(before);

        assertThat(issue(out.resolve("next"), "issuing-chain.pem", "issuing.key")).isZero();
        X509Certificate current = certificates(out.resolve("current/globex/hx-dev-0030.crt")).get(0);
        X509Certificate next = certificates(out.resolve("next/globex/hx-dev-0030.crt")).get(0);
        assertThat(next.getSerialNumber()).isNotEqualTo(current.getSerialNumber());
        assertThat(next.getPublicKey()).isNotEqualTo(current.getPublicKey());
        assertThat(next.getSubjectX500Principal()).isEqualTo(current.getSubjectX500Principal());
    }

    @Test
    void unusableCaFilesAndHostileIdsAreRefusedBeforeAnythingIsWritten(@TempDir Path out) throws Exception {
        assertThat(issue(out, "issuing-chain.pem", "other.key")).as("key of another certificate").isEqualTo(2);
        assertThat(issue(out, "leaf-only.crt", "other.key")).as("not a CA").isEqualTo(2);
        assertThat(issue(out, "wrong-order.pem", "root.key")).as("chain out of order").isEqualTo(2);
        assertThat(issue(out, "issuing-chain.pem", "issuing.key", "--days", "4000")).as("outlives its CA").isEqualTo(2);
        assertThat(issue(out, "issuing-chain.pem", "missing.key")).as("unreadable key").isEqualTo(2);
        assertThat(SimulatorCli.execute("pki", "device", "--ca-cert", ca.resolve("issuing-chain.pem").toString(),
                "--tenant", "globex", "--id", "hx-dev-0030", "--out", out.toString())).as("--ca-cert without --ca-key").isEqualTo(2);
        assertThat(SimulatorCli.execute("pki", "device", "--ca-cert", ca.resolve("issuing-chain.pem").toString(),
                "--ca-key", ca.resolve("issuing.key").toString(), "--tenant", "globex", "--id", "../x", "--out", out.toString()))
                .isEqualTo(2);
        try (var files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }

    private static int issue(Path out, String caCert, String caKey, String... extra) {
        List<String> args = new ArrayList<>(List.of("pki", "device", "--ca-cert", ca.resolve(caCert).toString(),
                "--ca-key", ca.resolve(caKey).toString(), "--tenant", "globex", "--id", "hx-dev-0030", "--out", out.toString()));
        args.addAll(List.of(extra));
        return SimulatorCli.execute(args.toArray(String[]::new));
    }

    private static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> out = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(in).forEach(c -> out.add((X509Certificate) c));
            return out;
        }
    }

    private static String sh(String script, Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
