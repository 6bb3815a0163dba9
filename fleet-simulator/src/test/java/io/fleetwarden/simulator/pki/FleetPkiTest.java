package io.fleetwarden.simulator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetPkiTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-02T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void deviceCertificateCarriesTheIdentityTheBrokerReads(@TempDir Path dir) throws Exception {
        FleetPki pki = FleetPki.openOrCreate(dir, clock);
        Credential c = pki.device("acme", "cam-00001");
        X509Certificate cert = c.certificate();
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=cam-00001").contains("O=acme");
        assertThat(cert.getSubjectAlternativeNames()).anyMatch(n -> n.get(1).equals("urn:device:acme:cam-00001"));
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
        cert.verify(pki.caCertificate().getPublicKey());
        X509TrustManager tm = (X509TrustManager) pki.trustManagerFactory().getTrustManagers()[0];
        tm.checkClientTrusted(c.chain(), "EC");
        assertThat(c.keyManagerFactory().getKeyManagers()).isNotEmpty();
    }

    @Test
    void deviceCertificatesFollowTheSameProfileAsTheTestPki(@TempDir Path dir) throws Exception {
        // both helpers issue by event-model's DeviceIdentities: same subject encoding, SAN URI, key usages
        X509Certificate fleet = FleetPki.openOrCreate(dir, clock).device("globex", "hx-dev-0030").certificate();
        X509Certificate test = io.fleetwarden.testsupport.TestPki.create("globex").deviceCertificate("globex", "hx-dev-0030")
                .certificate();
        assertThat(fleet.getSubjectX500Principal().getEncoded()).isEqualTo(test.getSubjectX500Principal().getEncoded());
        assertThat(fleet.getSubjectX500Principal())
                .isEqualTo(new javax.security.auth.x500.X500Principal(io.fleetwarden.model.DeviceIdentities.subjectDn("globex", "hx-dev-0030")));
        assertThat(List.copyOf(fleet.getSubjectAlternativeNames())).isEqualTo(List.copyOf(test.getSubjectAlternativeNames()));
        assertThat(fleet.getKeyUsage()).isEqualTo(test.getKeyUsage());
        assertThat(fleet.getExtendedKeyUsage()).isEqualTo(test.getExtendedKeyUsage());
    }

    @Test
    void credentialsAreCreatedOnceAndReusedAcrossRuns(@TempDir Path dir) throws Exception {
        FleetPki first = FleetPki.openOrCreate(dir, clock);
        X509Certificate cert = first.device("acme", "plug-00002").certificate();
        X509Certificate ca = first.caCertificate();
        FleetPki second = FleetPki.openOrCreate(dir, clock);
        assertThat(second.caCertificate()).isEqualTo(ca);
        assertThat(second.device("acme", "plug-00002").certificate()).isEqualTo(cert);
        Path keyFile = dir.resolve("devices/acme/plug-00002.pem");
        assertThat(Files.getPosixFilePermissions(keyFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key.pem"))).doesNotContain(PosixFilePermission.OTHERS_READ);
    }

    @Test
    void expiringCredentialEndsWhenAskedAndLeavesTheNormalOneAlone(@TempDir Path dir) throws Exception {
        FleetPki pki = FleetPki.openOrCreate(dir, clock);
        X509Certificate normal = pki.device("acme", "thermo-00003").certificate();
        Instant soon = clock.instant().plus(Duration.ofDays(10));
        X509Certificate expiring = pki.deviceExpiringAt("acme", "thermo-00003", soon).certificate();
        assertThat(expiring.getNotAfter().toInstant().getEpochSecond()).isEqualTo(soon.getEpochSecond());
        assertThat(normal.getNotAfter().toInstant()).isAfter(clock.instant().plus(Duration.ofDays(800)));
        assertThat(pki.device("acme", "thermo-00003").certificate()).isEqualTo(normal);
        Instant later = soon.plus(Duration.ofDays(1));
        assertThat(pki.deviceExpiringAt("acme", "thermo-00003", later).certificate().getNotAfter().toInstant().getEpochSecond())
                .isEqualTo(later.getEpochSecond());
    }

    @Test
    void serverCertificateNamesItsHostsAndChainsToTheFleetCa(@TempDir Path dir) throws Exception {
        FleetPki pki = FleetPki.openOrCreate(dir, clock);
        Credential server = pki.server("broker", List.of("localhost", "127.0.0.1"));
        assertThat(server.certificate().getSubjectAlternativeNames())
                .anyMatch(n -> n.get(1).equals("localhost")).anyMatch(n -> n.get(1).equals("127.0.0.1"));
        server.certificate().verify(pki.caCertificate().getPublicKey());
        char[] password = FleetPki.writeKeyStore(dir.resolve("broker.p12"), server);
        assertThat(password).hasSizeGreaterThan(20);
        assertThat(dir.resolve("broker.p12")).exists();
    }
}
