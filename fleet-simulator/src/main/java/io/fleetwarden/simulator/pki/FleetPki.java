package io.fleetwarden.simulator.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.DeviceKeys;

/**
 * The fleet's own PKI in a working folder: a fleet CA and one EC P-256 key and certificate per
 * device, created on first use and reused afterwards (so a device keeps its identity across runs).
 *
 * <p>Layout: {@code ca.crt.pem}, {@code ca.key.pem}, {@code devices/<tenant>/<id>.pem} (key and
 * certificate), {@code server/<name>.pem}. Private key files are written owner-only. Device
 * certificates follow the device profile of {@link DeviceIdentities} (CN = device id, O = tenant, the SAN
 * URI {@code urn:device:<tenant>:<id>}), which is what the broker extension reads.
 *
 * <p>Time: validity starts one hour before {@code clock.instant()} (tolerates clock skew) and lasts
 * {@link #DEVICE_VALIDITY} unless a caller asks for another end (certificate-expiry scenario).
 * Thread-safe: concurrent requests for one device are serialised on this instance.
 */
public final class FleetPki {

    public static final Duration DEVICE_VALIDITY = Duration.ofDays(825);
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final String SIG = "SHA256withECDSA";

    private final Path dir;
    private final Clock clock;
    private final Credential ca;
    private final SecureRandom random = new SecureRandom();

    private FleetPki(Path dir, Clock clock, Credential ca) {
        this.dir = dir;
        this.clock = clock;
        this.ca = ca;
    }

    /** Opens the PKI in {@code dir}, creating the CA on first use. */
    public static FleetPki openOrCreate(Path dir, Clock clock) {
        try {
            Files.createDirectories(dir);
            Path caCert = dir.resolve("ca.crt.pem");
            Path caKey = dir.resolve("ca.key.pem");
            Credential ca;
            if (Files.exists(caCert) && Files.exists(caKey)) {
                ca = new Credential(readKey(caKey), new X509Certificate[] {readCertificates(caCert).get(0)});
            } else {
                KeyPair pair = newKeyPair();
                Instant now = clock.instant();
                X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.O, "Fleetwarden simulator").addRDN(BCStyle.CN, "Fleetwarden simulated fleet CA").build();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(new SecureRandom()),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
                X509Certificate cert = sign(b, pair.getPrivate());
                ca = new Credential(pair.getPrivate(), new X509Certificate[] {cert});
                writePem(caKey, true, pair.getPrivate());
                writePem(caCert, false, cert);
            }
            return new FleetPki(dir, clock, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the fleet PKI in " + dir, e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("cannot create the fleet CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return dir;
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    public Path caCertificateFile() {
        return dir.resolve("ca.crt.pem");
    }

    /** Trusts exactly the fleet CA (devices trust the broker's server certificate through it). */
    public TrustManagerFactory trustManagerFactory() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("fleet-ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the fleet trust manager", e);
        }
    }

    /** The device's credential, created with the default validity on first use. */
    public synchronized Credential device(String tenant, String deviceId) {
        return deviceCredential(tenant, deviceId, "", null);
    }

    /**
     * A credential for the device that expires at {@code notAfter}, stored beside the normal one (so
     * the certificate-expiry scenario does not spoil the device's normal identity). Reissued when the
     * stored one ends at another time, so repeated runs always get "expires soon".
     */
    public synchronized Credential deviceExpiringAt(String tenant, String deviceId, Instant notAfter) {
        return deviceCredential(tenant, deviceId, ".expiring", notAfter);
    }

    /** A TLS server credential for a broker on {@code hostnames} (DNS SANs; IP literals become IP SANs). */
    public synchronized Credential server(String name, List<String> hostnames) {
        DeviceKeys.requireValidId("server name", name);
        Path file = dir.resolve("server").resolve(name + ".pem");
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            KeyPair pair = newKeyPair();
            Instant now = clock.instant();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostnames.get(0)).build();
            X509v3CertificateBuilder b = builder(subject, pair, now, now.plus(DEVICE_VALIDITY));
            List<GeneralName> names = new ArrayList<>();
            for (String h : hostnames) {
                names.add(h.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = sign(b, ca.key());
            Credential c = new Credential(pair.getPrivate(), new X509Certificate[] {cert, ca.certificate()});
            write(file, c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write server credential " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue server credential " + name, e);
        }
    }

    private Credential deviceCredential(String tenant, String deviceId, String suffix, Instant notAfter) {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device id", deviceId);
        Path file = dir.resolve("devices").resolve(tenant).resolve(deviceId + suffix + ".pem");
        try {
            if (Files.exists(file)) {
                Credential existing = read(file);
                if (notAfter == null || existing.certificate().getNotAfter().toInstant().getEpochSecond() == notAfter.getEpochSecond()) {
                    return existing;
                }
            }
            KeyPair pair = newKeyPair();
            Instant now = clock.instant();
            Instant end = notAfter == null ? now.plus(DEVICE_VALIDITY) : notAfter;
            // RFC 4514 string (most significant RDN last), read as the JDK reads it: encoded O, then CN
            X500Name subject = X500Name.getInstance(new X500Principal(DeviceIdentities.subjectDn(tenant, deviceId)).getEncoded());
            X509v3CertificateBuilder b = builder(subject, pair, now, end);
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, DeviceIdentities.uri(tenant, deviceId))));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate cert = sign(b, ca.key());
            Credential c = new Credential(pair.getPrivate(), new X509Certificate[] {cert, ca.certificate()});
            write(file, c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write device credential " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + tenant + "/" + deviceId, e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name subject, KeyPair pair, Instant now, Instant end)
            throws GeneralSecurityException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(random),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(end), subject, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        return b;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIG).build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static Credential read(Path file) throws IOException {
        List<X509Certificate> certs = readCertificates(file);
        if (certs.isEmpty()) {
            throw new IOException("no certificate in " + file);
        }
        return new Credential(readKey(file), certs.toArray(X509Certificate[]::new));
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof PEMKeyPair kp) {
                    return conv.getKeyPair(kp).getPrivate();
                }
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
            }
        }
        throw new IOException("no private key in " + file);
    }

    private static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getCertificate(h));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("unreadable certificate in " + file, e);
        }
        return out;
    }

    private static void write(Path file, Credential c) throws IOException {
        Object[] objects = new Object[c.chain().length + 1];
        objects[0] = c.key();
        System.arraycopy(c.chain(), 0, objects, 1, c.chain().length);
        writePem(file, true, objects);
    }

    /** Writes PEM atomically (temp file + move) so a crash never leaves a half-written key. */
    private static void writePem(Path file, boolean secret, Object... objects) throws IOException {
        Files.createDirectories(file.getParent());
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey key) {
                    // PKCS#8 ("PRIVATE KEY"): reads back as PrivateKeyInfo whatever the key type
                    w.writeObject(new JcaPKCS8Generator(key, null));
                } else {
                    w.writeObject(o);
                }
            }
        }
        Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".pem");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: rely on the folder's permissions
                }
            }
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
                w.write(text.toString());
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code credential} as two PEM files for third-party clients (e.g. {@code mosquitto_pub --cert
     * --key}): the certificate chain (leaf first) and the PKCS#8 private key, owner-only.
     */
    public static void writePemFiles(Credential credential, Path certificateFile, Path keyFile) {
        try {
            writePem(certificateFile, false, (Object[]) credential.chain());
            writePem(keyFile, true, credential.key());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + certificateFile + " / " + keyFile, e);
        }
    }

    /**
     * Writes a PKCS#12 key store holding {@code credential} (for a broker's TLS listener) and returns
     * the generated password; the caller hands it to the broker config and must not log it.
     */
    public static char[] writeKeyStore(Path file, Credential credential) {
        char[] password = Credential.randomPassword();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", credential.key(), password, credential.chain());
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return password;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write key store " + file, e);
        }
    }

    /** Writes a PKCS#12 trust store holding the fleet CA and returns its generated password. */
    public char[] writeTrustStore(Path file) {
        char[] password = Credential.randomPassword();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("fleet-ca", ca.certificate());
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return password;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write trust store " + file, e);
        }
    }

}
