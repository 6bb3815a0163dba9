package io.fleetwarden.simulator.pki;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

import java.net.Socket;
import java.security.Principal;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

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
     * A key manager factory that hands out exactly this key and chain. Built directly rather than
     * through a PKCS#12 key store: storing a key in PKCS#12 runs PBKDF2, which costs tens of
     * milliseconds per device and throttled fleet start-up at 10,000 devices.
     */
    public KeyManagerFactory keyManagerFactory() {
        return new FixedKeyManagerFactory(new FixedKeyManager(key, chain));
    }

    /** Always presents one key and chain, whatever the peer asks for. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "device";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKeyManager(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain.clone();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
    }

    /** A {@link KeyManagerFactory} around one fixed key manager. */
    private static final class FixedKeyManagerFactory extends KeyManagerFactory {
        FixedKeyManagerFactory(KeyManager manager) {
            super(new KeyManagerFactorySpi() {
                @Override
                protected void engineInit(KeyStore ks, char[] password) {
                    // fixed at construction
                }

                @Override
                protected void engineInit(ManagerFactoryParameters spec) {
                    // fixed at construction
                }

                @Override
                protected KeyManager[] engineGetKeyManagers() {
                    return new KeyManager[] {manager};
                }
            }, null, "fixed");
        }
    }

    static char[] randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).toCharArray();
    }
}
