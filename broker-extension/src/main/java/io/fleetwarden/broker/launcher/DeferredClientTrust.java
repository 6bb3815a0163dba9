package io.fleetwarden.broker.launcher;

import java.net.Socket;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Moves client-certificate validation from the TLS handshake into the Fleetwarden extension.
 *
 * <p>Why: with a normal trust manager, a client certificate from a foreign CA, an expired one or one
 * with a broken chain fails the TLS handshake inside HiveMQ, and no extension ever sees the attempt, so
 * no security event could be recorded. With this trust manager the handshake still proves that the
 * client holds the private key of the certificate it presents (TLS CertificateVerify), but accepts any
 * certificate; the extension's authenticator then does the full PKIX validation (chain to the fleet
 * CAs, validity, key usage, CRLs, control-topic revocation) and refuses with a specific CONNACK and a
 * security event. Server certificates (e.g. for Kafka over TLS) are still validated normally.
 *
 * <p>It is installed JVM-wide as the default {@link TrustManagerFactory} algorithm by the launcher only,
 * and only together with the fail-closed guard: a client is never admitted unless the extension
 * authenticated it. {@link #getAcceptedIssuers} is empty on purpose so clients send their certificate
 * whichever CA issued it.
 */
public final class DeferredClientTrust {

    /** Name of the TrustManagerFactory algorithm registered by {@link #install()}. */
    public static final String ALGORITHM = "FleetwardenDeferredClientAuth";

    private DeferredClientTrust() {
    }

    /** Registers the provider and makes it the default TrustManagerFactory algorithm. Idempotent. */
    public static synchronized void install() {
        if (Security.getProvider(ProviderImpl.NAME) == null) {
            Security.addProvider(new ProviderImpl());
        }
        Security.setProperty("ssl.TrustManagerFactory.algorithm", ALGORITHM);
    }

    /** The JCA provider offering the factory. */
    static final class ProviderImpl extends Provider {
        private static final long serialVersionUID = 1L;
        static final String NAME = "FleetwardenDeferredClientTrust";

        ProviderImpl() {
            super(NAME, "1.0", "Accepts any client certificate at the TLS layer; validates server certificates with PKIX");
            put("TrustManagerFactory." + ALGORITHM, FactorySpi.class.getName());
        }
    }

    /** The factory; public with a no-argument constructor as the JCA requires. */
    public static final class FactorySpi extends TrustManagerFactorySpi {

        private X509TrustManager serverDelegate;

        @Override
        protected void engineInit(KeyStore ks) throws KeyStoreException {
            try {
                TrustManagerFactory pkix = TrustManagerFactory.getInstance("PKIX");
                pkix.init(ks);
                for (TrustManager tm : pkix.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        serverDelegate = x;
                    }
                }
            } catch (NoSuchAlgorithmException e) {
                throw new KeyStoreException(e);
            }
        }

        @Override
        protected void engineInit(ManagerFactoryParameters spec) throws InvalidAlgorithmParameterException {
            throw new InvalidAlgorithmParameterException("only KeyStore initialisation is supported");
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            if (serverDelegate == null) {
                throw new IllegalStateException("not initialised");
            }
            return new TrustManager[] {new DeferredTrustManager(serverDelegate)};
        }
    }

    /** Accepts client chains (validated later by the extension), delegates server chains to PKIX. */
    static final class DeferredTrustManager extends X509ExtendedTrustManager {

        private final X509TrustManager server;

        DeferredTrustManager(X509TrustManager server) {
            this.server = server;
        }

        private static void requireChain(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("empty client certificate chain");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            requireChain(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            server.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (server instanceof X509ExtendedTrustManager x) {
                x.checkServerTrusted(chain, authType, socket);
            } else {
                server.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            if (server instanceof X509ExtendedTrustManager x) {
                x.checkServerTrusted(chain, authType, engine);
            } else {
                server.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
