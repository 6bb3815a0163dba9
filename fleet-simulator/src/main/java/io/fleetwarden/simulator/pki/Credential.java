package io.fleetwarden.simulator.pki;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

import javax.net.ssl.KeyManagerFactory;

/**
 * A private key with its certificate chain (leaf first).
 *
 * @param key   the private key
 * @param chain the leaf certificate followed by its issuers
 */
public record Credential(PrivateKey key, X509Certificate[] chain) {

    public X509Certificate certificate() {
        return chain[0];
    }

    /**
     * An in-memory key manager for TLS client or server authentication. The key store password is
     * random and never leaves this method.
     */
    public KeyManagerFactory keyManagerFactory() {
        try {
            char[] password = randomPassword();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build a key manager for " + certificate().getSubjectX500Principal(), e);
        }
    }

    static char[] randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).toCharArray();
    }
}
