package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final TestPki pki = TestPki.create("acme");

    @Test
    void caIsASelfSignedCertificateAuthority() throws Exception {
        X509Certificate ca = pki.caCertificate();

        ca.verify(ca.getPublicKey());
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("O=acme,CN=acme Fleet CA");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getKeyUsage()[6]).as("cRLSign").isTrue();
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void goodDeviceCertificateValidates() throws Exception {
        TestCredential device = pki.deviceCertificate("dev-1");

        validate(device, null);
        X509Certificate cert = device.certificate();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=dev-1");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(cert.getSubjectAlternativeNames()).isNull();
        assertThat(device.chain()).containsExactly(cert, pki.caCertificate());
    }

    @Test
    void tenantDeviceCertificateCarriesOrganisationAndUrn() throws Exception {
        TestCredential device = pki.deviceCertificate("acme", "dev-7");

        validate(device, null);
        // the device profile's subject (event-model DeviceIdentities), encoded as FleetPki encodes it
        assertThat(device.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=dev-7,O=acme");
        assertThat(device.certificate().getSubjectAlternativeNames())
                .containsExactly(List.of(6, "urn:device:acme:dev-7"));
    }

    @Test
    void rsaKeysOnRequest() throws Exception {
        TestCredential device = pki.device("dev-rsa").keyType(TestPki.KeyType.RSA_2048).issue();
        TestPki rsaPki = TestPki.create("rsa-fleet", TestPki.KeyType.RSA_2048);

        validate(device, null);
        assertThat(device.privateKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(rsaPki.deviceCertificate("d").certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void serverCertificateNamesLocalhost() throws Exception {
        TestCredential server = pki.serverCertificate();

        validate(server, null);
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertThat(server.certificate().getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    }

    @Test
    void foreignCaIsNotTrusted() {
        TestCredential foreign = pki.foreignDeviceCertificate("dev-1");

        assertThat(foreign.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=dev-1");
        assertThat(pki.foreign()).isSameAs(pki.foreign());
        assertThatThrownBy(() -> validate(foreign, null))
                .asInstanceOf(type(CertPathValidatorException.class))
                .extracting(CertPathValidatorException::getReason).isEqualTo(PKIXReason.NO_TRUST_ANCHOR);
    }

    @Test
    void expiredCertificateIsRejectedAsExpired() {
        TestCredential expired = pki.expiredDeviceCertificate("dev-old");

        assertThatThrownBy(() -> validate(expired, null))
                .asInstanceOf(type(CertPathValidatorException.class))
                .extracting(CertPathValidatorException::getReason).isEqualTo(BasicReason.EXPIRED);
    }

    @Test
    void notYetValidCertificateIsRejectedAsNotYetValid() {
        TestCredential early = pki.notYetValidDeviceCertificate("dev-new");

        assertThatThrownBy(() -> validate(early, null))
                .asInstanceOf(type(CertPathValidatorException.class))
                .extracting(CertPathValidatorException::getReason).isEqualTo(BasicReason.NOT_YET_VALID);
    }

    @Test
    void revokedCertificateIsRejectedWhenTheCrlIsSupplied() throws Exception {
        TestCredential revoked = pki.revokedDeviceCertificate("dev-stolen");
        TestCredential good = pki.deviceCertificate("dev-ok");
        X509CRL crl = pki.crl();

        crl.verify(pki.caCertificate().getPublicKey());
        assertThat(crl.isRevoked(revoked.certificate())).isTrue();
        assertThat(crl.isRevoked(good.certificate())).isFalse();
        validate(good, crl);
        validate(revoked, null); // without revocation checking it looks fine
        assertThatThrownBy(() -> validate(revoked, crl))
                .asInstanceOf(type(CertPathValidatorException.class))
                .extracting(CertPathValidatorException::getReason).isEqualTo(BasicReason.REVOKED);
    }

    @Test
    void onlyOwnCertificatesCanBeRevoked() {
        TestCredential foreign = pki.foreignDeviceCertificate("dev-1");

        assertThatThrownBy(() -> pki.revoke(foreign)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongUsageCertificateCannotAuthenticateAClient() throws Exception {
        X509Certificate cert = pki.wrongUsageDeviceCertificate("dev-misused").certificate();

        assertThat(cert.getKeyUsage()[0]).as("digitalSignature").isFalse();
        assertThat(cert.getKeyUsage()[1]).as("nonRepudiation").isTrue();
        assertThat(cert.getExtendedKeyUsage()).doesNotContain(CLIENT_AUTH).contains(SERVER_AUTH);
    }

    @Test
    void pemFilesRoundTrip(@TempDir Path dir) throws Exception {
        TestCredential device = pki.deviceCertificate("dev/1");
        pki.revoke(device);

        TestCredential.PemFiles files = device.writePem(dir);
        Path caPem = pki.writeCaPem(dir);
        TestPki.CrlFiles crlFiles = pki.writeCrl(dir);

        assertThat(files.certificate()).hasFileName("dev_1.crt");
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(files.certificate())) {
            assertThat(factory.generateCertificate(in)).isEqualTo(device.certificate());
        }
        try (InputStream in = Files.newInputStream(files.chain())) {
            List<Certificate> chain = List.copyOf(factory.generateCertificates(in));
            assertThat(chain).containsExactly(device.certificate(), pki.caCertificate());
        }
        try (InputStream in = Files.newInputStream(caPem)) {
            assertThat(factory.generateCertificate(in)).isEqualTo(pki.caCertificate());
        }
        String keyPem = Files.readString(files.privateKey(), StandardCharsets.US_ASCII);
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                Base64.getMimeDecoder().decode(keyPem.replaceAll("-----[A-Z ]+-----", ""))));
        assertThat(key).isEqualTo(device.privateKey());
        for (Path crlFile : List.of(crlFiles.pem(), crlFiles.der())) {
            try (InputStream in = Files.newInputStream(crlFile)) {
                assertThat(((X509CRL) factory.generateCRL(in)).isRevoked(device.certificate())).isTrue();
            }
        }
        assertThat(Files.readString(crlFiles.pem())).startsWith("-----BEGIN X509 CRL-----");
    }

    @Test
    void keyStoresLoadAndBuildAnSslContext(@TempDir Path dir) throws Exception {
        TestCredential device = pki.deviceCertificate("dev-1");
        Path keyStoreFile = device.writeKeyStore(dir, PASSWORD);
        Path trustStoreFile = pki.writeTrustStore(dir, PASSWORD);

        KeyStore keyStore = KeyStore.getInstance(keyStoreFile.toFile(), PASSWORD);
        KeyStore trustStore = KeyStore.getInstance(trustStoreFile.toFile(), PASSWORD);

        assertThat(keyStore.getType()).isEqualToIgnoringCase("PKCS12");
        assertThat(List.of(keyStore.getCertificateChain("dev-1")))
                .containsExactly(device.certificate(), pki.caCertificate());
        assertThat(keyStore.getKey("dev-1", PASSWORD)).isEqualTo(device.privateKey());
        assertThat(trustStore.getCertificate("ca")).isEqualTo(pki.caCertificate());

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext.getInstance("TLSv1.3").init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    }

    @Test
    void privateKeyMatchesCertificate() throws Exception {
        TestCredential device = pki.deviceCertificate("dev-1");
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(device.privateKey());
        signer.update(data);
        byte[] signature = signer.sign();

        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(device.certificate());
        verifier.update(data);
        assertThat(verifier.verify(signature)).isTrue();
    }

    private void validate(TestCredential credential, X509CRL crl) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(pki.caCertificate(), null)));
        params.setRevocationEnabled(crl != null);
        if (crl != null) {
            Collection<CRL> crls = List.of(crl);
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        }
        CertPathValidator.getInstance("PKIX")
                .validate(factory.generateCertPath(List.of(credential.certificate())), params);
    }
}
