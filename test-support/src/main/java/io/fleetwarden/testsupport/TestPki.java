package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.DeviceKeys;

/**
 * A throw-away public key infrastructure for tests: one fleet CA and the certificates it issues,
 * good ones and deliberately bad ones, with CRLs, PEM files and PKCS#12 stores.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create("acme");
 * TestCredential device = pki.deviceCertificate("acme", "dev-1");  // CN=dev-1, O=acme, URI urn:device:acme:dev-1
 * TestCredential broker = pki.serverCertificate();                  // DNS localhost, IP 127.0.0.1
 * Path truststore = pki.writeTrustStore(dir, "changeit".toCharArray());
 * pki.revoke(device);
 * TestPki.CrlFiles crl = pki.writeCrl(dir);
 * }</pre>
 *
 * <p>Bad variants for negative tests: {@link #expiredDeviceCertificate(String)},
 * {@link #notYetValidDeviceCertificate(String)}, {@link #foreignDeviceCertificate(String)} (same
 * names, other CA), {@link #revokedDeviceCertificate(String)} and
 * {@link #wrongUsageDeviceCertificate(String)} (no {@code digitalSignature}, no
 * {@code clientAuth}). For an identity mismatch there is nothing special to issue: take a good
 * certificate for device X and connect with client id Y.
 *
 * <p>Keys are EC P-256 by default ({@link KeyType#RSA_2048} on request) and are generated with
 * the JDK's own providers; Bouncy Castle only builds the certificates, so no security provider is
 * registered globally. All certificates are signed with SHA-256. Instances are thread-safe.
 */
public final class TestPki {

    /** Key algorithm of a generated key pair. */
    public enum KeyType {
        /** ECDSA on NIST P-256 (secp256r1); the default. */
        EC_P256,
        /** RSA with a 2048-bit modulus. */
        RSA_2048
    }

    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    private static final String FILE_SAFE = "[^A-Za-z0-9._-]";

    private final String tenant;
    private final KeyType keyType;
    private final TestCredential ca;
    private final SecureRandom random = new SecureRandom();
    private final Map<BigInteger, Instant> revoked = new LinkedHashMap<>();
    private BigInteger crlNumber = BigInteger.ZERO;
    private TestPki foreign;

    private TestPki(String tenant, KeyType keyType) {
        this.tenant = requireText(tenant, "tenant");
        this.keyType = Objects.requireNonNull(keyType, "keyType");
        this.ca = issueCa();
    }

    /**
     * A PKI with a new CA named {@code CN=<tenant> Fleet CA, O=<tenant>} and EC P-256 keys.
     *
     * @param tenant the tenant (fleet owner) the CA belongs to
     * @return the PKI
     */
    public static TestPki create(String tenant) {
        return new TestPki(tenant, KeyType.EC_P256);
    }

    /**
     * A PKI with a new CA for the tenant whose keys (CA and default for leaves) are of the given
     * type.
     *
     * @param tenant  the tenant (fleet owner) the CA belongs to
     * @param keyType key type of the CA and, unless overridden, of issued certificates
     * @return the PKI
     */
    public static TestPki create(String tenant, KeyType keyType) {
        return new TestPki(tenant, keyType);
    }

    // ----------------------------------------------------------------------------------------
    // The CA

    /** @return the tenant given at creation */
    public String tenant() {
        return tenant;
    }

    /** @return the CA's self-signed certificate and key */
    public TestCredential ca() {
        return ca;
    }

    /** @return the CA certificate, the trust anchor for everything this PKI issues */
    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /**
     * A PKCS#12 trust store holding the CA certificate under the alias {@code ca}.
     *
     * @param password store password
     * @return the trust store, in memory
     */
    public KeyStore trustStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setCertificateEntry("ca", caCertificate());
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build trust store", e);
        }
    }

    /**
     * Writes {@link #trustStore(char[])} to {@code <tenant>-truststore.p12}.
     *
     * @param folder   existing or new folder
     * @param password store password
     * @return the written file
     */
    public Path writeTrustStore(Path folder, char[] password) {
        return store(trustStore(password), folder.resolve(fileName(tenant) + "-truststore.p12"), password);
    }

    /**
     * Writes the CA certificate to {@code <tenant>-ca.pem}.
     *
     * @param folder existing or new folder
     * @return the written file
     */
    public Path writeCaPem(Path folder) {
        return TestCredential.write(folder.resolve(fileName(tenant) + "-ca.pem"), ca.certificatePem());
    }

    // ----------------------------------------------------------------------------------------
    // Good certificates

    /**
     * Starts a device certificate request with subject {@code CN=<deviceId>}, a
     * {@code digitalSignature} key usage and the {@code clientAuth} extended key usage, valid from
     * an hour ago for a year.
     *
     * @param deviceId the device id, which becomes the subject CN
     * @return the request, to adjust and {@link CertificateRequest#issue() issue}
     */
    public CertificateRequest device(String deviceId) {
        return new CertificateRequest(requireText(deviceId, "deviceId"), KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * A good device certificate with subject {@code CN=<deviceId>} only.
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential deviceCertificate(String deviceId) {
        return device(deviceId).issue();
    }

    /**
     * A good device certificate with subject {@code CN=<deviceId>, O=<tenant>} and the SAN URI
     * {@code urn:device:<tenant>:<deviceId>}.
     *
     * @param tenant   the tenant
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential deviceCertificate(String tenant, String deviceId) {
        return device(deviceId).tenant(tenant).issue();
    }

    /**
     * A TLS server certificate for a broker on this machine: {@code CN=localhost}, SAN DNS
     * {@code localhost} and IP {@code 127.0.0.1}, {@code serverAuth} extended key usage.
     *
     * @return the credential
     */
    public TestCredential serverCertificate() {
        return new CertificateRequest("localhost", KeyPurposeId.id_kp_serverAuth)
                .subjectAlternativeName(new GeneralName(GeneralName.dNSName, "localhost"))
                .subjectAlternativeName(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))
                .issue();
    }

    // ----------------------------------------------------------------------------------------
    // Bad certificates

    /**
     * A device certificate that expired yesterday (valid from 30 days ago until a day ago).
     * PKIX validation fails with reason {@code EXPIRED}.
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential expiredDeviceCertificate(String deviceId) {
        Instant now = Instant.now();
        return device(deviceId).validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issue();
    }

    /**
     * A device certificate that becomes valid tomorrow. PKIX validation fails with reason
     * {@code NOT_YET_VALID}.
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential notYetValidDeviceCertificate(String deviceId) {
        Instant now = Instant.now();
        return device(deviceId).validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issue();
    }

    /**
     * A device certificate with the same subject as a good one but issued by {@link #foreign()},
     * another CA this PKI's trust store does not contain. PKIX validation fails with reason
     * {@code NO_TRUST_ANCHOR}.
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential foreignDeviceCertificate(String deviceId) {
        return foreign().deviceCertificate(deviceId);
    }

    /**
     * A device certificate that is issued and immediately revoked: it appears on every later
     * {@link #crl()}. PKIX validation with the CRL fails with reason {@code REVOKED}.
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential revokedDeviceCertificate(String deviceId) {
        TestCredential credential = deviceCertificate(deviceId);
        revoke(credential);
        return credential;
    }

    /**
     * A device certificate valid in every other respect whose key usage is only
     * {@code nonRepudiation} (no {@code digitalSignature}, so it cannot sign a TLS handshake) and
     * whose extended key usage is only {@code serverAuth} (no {@code clientAuth}).
     *
     * @param deviceId the device id
     * @return the credential
     */
    public TestCredential wrongUsageDeviceCertificate(String deviceId) {
        return device(deviceId)
                .keyUsage(KeyUsage.nonRepudiation)
                .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth)
                .issue();
    }

    /**
     * Another, unrelated CA ({@code CN=foreign-<tenant> Fleet CA, O=foreign-<tenant>}, its own
     * key), created on first use and kept.
     *
     * @return the foreign PKI
     */
    public synchronized TestPki foreign() {
        if (foreign == null) {
            foreign = new TestPki("foreign-" + tenant, keyType);
        }
        return foreign;
    }

    // ----------------------------------------------------------------------------------------
    // Revocation

    /**
     * Revokes a certificate issued by this CA (reason {@code keyCompromise}) so that it appears on
     * every later {@link #crl()}.
     *
     * @param credential the credential to revoke
     */
    public void revoke(TestCredential credential) {
        revoke(credential.certificate());
    }

    /**
     * Revokes a certificate issued by this CA.
     *
     * @param certificate the certificate to revoke
     * @throws IllegalArgumentException if this CA did not issue it
     */
    public synchronized void revoke(X509Certificate certificate) {
        try {
            certificate.verify(caCertificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Not issued by this CA: " + certificate.getSubjectX500Principal(), e);
        }
        revoked.putIfAbsent(certificate.getSerialNumber(), Instant.now().minusSeconds(1));
    }

    /**
     * A freshly signed CRL listing every certificate revoked so far (this update now, next update
     * in a day, with a CRL number and the authority key identifier).
     *
     * @return the CRL
     */
    public synchronized X509CRL crl() {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(x500(caCertificate()), Date.from(now.minusSeconds(1)));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        revoked.forEach((serial, when) -> builder.addCRLEntry(serial, Date.from(when), CRLReason.keyCompromise));
        crlNumber = crlNumber.add(BigInteger.ONE);
        try {
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensionUtils().createAuthorityKeyIdentifier(caCertificate()));
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
            X509CRLHolder holder = builder.build(signer(ca.privateKey()));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign CRL", e);
        }
    }

    /**
     * Writes {@link #crl()} as {@code <tenant>-crl.pem} and {@code <tenant>-crl.der}.
     *
     * @param folder existing or new folder
     * @return the written files
     */
    public CrlFiles writeCrl(Path folder) {
        X509CRL crl = crl();
        String base = fileName(tenant) + "-crl";
        Path pem = TestCredential.write(folder.resolve(base + ".pem"), TestCredential.pem(crl));
        Path der = folder.resolve(base + ".der");
        try {
            Files.write(der, crl.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + der, e);
        } catch (CRLException e) {
            throw new IllegalStateException("Cannot encode CRL", e);
        }
        return new CrlFiles(pem, der);
    }

    /**
     * Where {@link #writeCrl(Path)} put the CRL.
     *
     * @param pem the CRL in PEM ({@code -----BEGIN X509 CRL-----})
     * @param der the CRL in DER
     */
    public record CrlFiles(Path pem, Path der) {
    }

    // ----------------------------------------------------------------------------------------
    // Requests

    /**
     * A certificate to be issued by this PKI's CA. Defaults: the PKI's key type, valid from an
     * hour ago for a year, key usage {@code digitalSignature} (plus {@code keyEncipherment} for
     * RSA), not a CA. Not thread-safe; use it on one thread and discard it after
     * {@link #issue()}.
     */
    public final class CertificateRequest {
        private final String commonName;
        private String organisation;
        private KeyType requestKeyType = keyType;
        private Instant notBefore;
        private Instant notAfter;
        private Integer keyUsage;
        private KeyPurposeId[] extendedKeyUsages;
        private final List<GeneralName> subjectAlternativeNames = new ArrayList<>();

        private CertificateRequest(String commonName, KeyPurposeId extendedKeyUsage) {
            this.commonName = commonName;
            this.extendedKeyUsages = new KeyPurposeId[] {extendedKeyUsage};
            Instant now = Instant.now();
            this.notBefore = now.minus(BACKDATE);
            this.notAfter = now.plus(LEAF_VALIDITY);
        }

        /**
         * Adds {@code O=<tenant>} to the subject and the SAN URI
         * {@code urn:device:<tenant>:<commonName>}, as the device profile ({@link DeviceIdentities}) defines;
         * both ids must be valid (hostile names go in through {@link #subjectAlternativeName}).
         *
         * @param tenant the tenant
         * @return this request
         */
        public CertificateRequest tenant(String tenant) {
            this.organisation = requireText(tenant, "tenant");
            return subjectAlternativeName(new GeneralName(GeneralName.uniformResourceIdentifier,
                    DeviceIdentities.uri(tenant, commonName)));
        }

        /**
         * @param type key type of the certificate's key pair
         * @return this request
         */
        public CertificateRequest keyType(KeyType type) {
            this.requestKeyType = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * @param from  start of validity
         * @param until end of validity
         * @return this request
         */
        public CertificateRequest validity(Instant from, Instant until) {
            if (!until.isAfter(from)) {
                throw new IllegalArgumentException("validity must end after it starts");
            }
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        /**
         * Replaces the key usage.
         *
         * @param bits OR-ed {@link KeyUsage} constants, e.g. {@code KeyUsage.digitalSignature}
         * @return this request
         */
        public CertificateRequest keyUsage(int bits) {
            this.keyUsage = bits;
            return this;
        }

        /**
         * Replaces the extended key usages; none leaves the extension out.
         *
         * @param purposes e.g. {@link KeyPurposeId#id_kp_clientAuth}
         * @return this request
         */
        public CertificateRequest extendedKeyUsage(KeyPurposeId... purposes) {
            this.extendedKeyUsages = purposes.clone();
            return this;
        }

        /**
         * Adds a subject alternative name.
         *
         * @param name e.g. {@code new GeneralName(GeneralName.dNSName, "broker-1")}
         * @return this request
         */
        public CertificateRequest subjectAlternativeName(GeneralName name) {
            subjectAlternativeNames.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /**
         * Generates a key pair and has the CA sign the certificate.
         *
         * @return the credential, whose chain is the certificate and the CA certificate
         */
        public TestCredential issue() {
            X500Name subject;
            if (organisation != null && DeviceKeys.isValidId(organisation) && DeviceKeys.isValidId(commonName)) {
                // the device profile's subject, encoded as the JDK reads the RFC 4514 string (as FleetPki does)
                subject = X500Name.getInstance(new X500Principal(DeviceIdentities.subjectDn(organisation, commonName)).getEncoded());
            } else {
                X500NameBuilder names = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
                if (organisation != null) {
                    names.addRDN(BCStyle.O, organisation);
                }
                subject = names.build();
            }
            KeyPair keys = generateKeyPair(requestKeyType);
            int usage = keyUsage != null ? keyUsage
                    : requestKeyType == KeyType.RSA_2048 ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                    : KeyUsage.digitalSignature;
            try {
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        x500(caCertificate()), serial(), Date.from(notBefore), Date.from(notAfter),
                        subject, keys.getPublic());
                JcaX509ExtensionUtils utils = extensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                if (extendedKeyUsages.length > 0) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsages));
                }
                if (!subjectAlternativeNames.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(subjectAlternativeNames.toArray(new GeneralName[0])));
                }
                builder.addExtension(Extension.subjectKeyIdentifier, false,
                        utils.createSubjectKeyIdentifier(keys.getPublic()));
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(caCertificate()));
                X509Certificate certificate = sign(builder, ca.privateKey());
                return new TestCredential(commonName, certificate, keys.getPrivate(),
                        List.of(certificate, caCertificate()));
            } catch (CertIOException | GeneralSecurityException e) {
                throw new IllegalStateException("Cannot issue certificate for " + commonName, e);
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Internals

    private TestCredential issueCa() {
        String name = tenant + " Fleet CA";
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, name)
                .addRDN(BCStyle.O, tenant)
                .build();
        KeyPair keys = generateKeyPair(keyType);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject, serial(), Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(CA_VALIDITY)),
                    subject, keys.getPublic());
            JcaX509ExtensionUtils utils = extensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys.getPrivate());
            return new TestCredential(name, certificate, keys.getPrivate(), List.of(certificate));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create CA " + name, e);
        }
    }

    private BigInteger serial() {
        // 63 random bits: positive, unique for all practical purposes, RFC 5280 compliant length.
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static KeyPair generateKeyPair(KeyType type) {
        try {
            if (type == KeyType.RSA_2048) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate " + type + " key pair", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer(issuerKey)));
    }

    private static ContentSigner signer(PrivateKey key) {
        String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            return new JcaContentSignerBuilder(algorithm).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("Cannot create " + algorithm + " signer", e);
        }
    }

    private static JcaX509ExtensionUtils extensionUtils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 unavailable for key identifiers", e);
        }
    }

    private static X500Name x500(X509Certificate certificate) {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    private static String requireText(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    static String fileName(String name) {
        return name.replaceAll(FILE_SAFE, "_");
    }

    static Path store(KeyStore store, Path file, char[] password) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot write key store " + file, e);
        }
    }
}
