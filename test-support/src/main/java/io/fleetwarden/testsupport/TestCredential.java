package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * A certificate, its private key and its chain up to (and including) the issuing CA, as issued by
 * {@link TestPki}. Immutable.
 *
 * <p>Write it where a broker or a client expects it:
 * <pre>{@code
 * TestCredential device = pki.deviceCertificate("dev-1");
 * TestCredential.PemFiles pem = device.writePem(tempDir);          // dev-1.crt, dev-1.key, dev-1-chain.pem
 * Path p12 = device.writeKeyStore(tempDir, "secret".toCharArray()); // dev-1.p12
 * }</pre>
 */
public final class TestCredential {

    private final String name;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;

    TestCredential(String name, X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
        this.name = Objects.requireNonNull(name, "name");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.chain = List.copyOf(chain);
    }

    /** @return the name used for file names and key store aliases (the subject CN) */
    public String name() {
        return name;
    }

    /** @return the certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /** @return the private key matching the certificate */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the certificate followed by its issuers, ending with the (self-signed) CA */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** @return the certificate in PEM */
    public String certificatePem() {
        return pem(certificate);
    }

    /** @return the private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}) */
    public String privateKeyPem() {
        try {
            return pem(new JcaPKCS8Generator(privateKey, null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the chain in PEM, leaf first */
    public String chainPem() {
        StringBuilder out = new StringBuilder();
        chain.forEach(c -> out.append(pem(c)));
        return out.toString();
    }

    /**
     * Writes {@code <name>.crt}, {@code <name>.key} (PKCS#8) and {@code <name>-chain.pem}.
     *
     * @param folder existing or new folder
     * @return the written files
     */
    public PemFiles writePem(Path folder) {
        return writePem(folder, name);
    }

    /**
     * Writes {@code <baseName>.crt}, {@code <baseName>.key} (PKCS#8) and
     * {@code <baseName>-chain.pem}.
     *
     * @param folder   existing or new folder
     * @param baseName file name without extension
     * @return the written files
     */
    public PemFiles writePem(Path folder, String baseName) {
        String base = TestPki.fileName(baseName);
        return new PemFiles(
                write(folder.resolve(base + ".crt"), certificatePem()),
                write(folder.resolve(base + ".key"), privateKeyPem()),
                write(folder.resolve(base + "-chain.pem"), chainPem()));
    }

    /**
     * A PKCS#12 key store holding the private key with its chain under the alias {@link #name()}.
     *
     * @param password store and key password
     * @return the key store, in memory
     */
    public KeyStore keyStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, privateKey, password, chain.toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build key store for " + name, e);
        }
    }

    /**
     * Writes {@link #keyStore(char[])} to {@code <name>.p12}.
     *
     * @param folder   existing or new folder
     * @param password store and key password
     * @return the written file
     */
    public Path writeKeyStore(Path folder, char[] password) {
        return TestPki.store(keyStore(password), folder.resolve(TestPki.fileName(name) + ".p12"), password);
    }

    @Override
    public String toString() {
        return "TestCredential[" + certificate.getSubjectX500Principal().getName()
                + ", issuer=" + certificate.getIssuerX500Principal().getName()
                + ", serial=" + certificate.getSerialNumber().toString(16) + "]";
    }

    static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(content.getBytes(StandardCharsets.US_ASCII));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /**
     * Where {@link #writePem(Path)} put the files.
     *
     * @param certificate the certificate (PEM)
     * @param privateKey  the private key (PKCS#8 PEM, unencrypted)
     * @param chain       the certificate and its issuers (PEM), leaf first
     */
    public record PemFiles(Path certificate, Path privateKey, Path chain) {
    }
}
