package io.fleetwarden.broker.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.fleetwarden.broker.config.ConfigException;

/**
 * Refuses client-initiated TLS renegotiation on the device listener (a client that renegotiates over and
 * over makes the broker do a full handshake's work each time: a cheap denial of service). HiveMQ's
 * listener runs on the JDK's TLS engine, which refuses it when the system property {@value #PROPERTY} is
 * {@code true}; the JDK reads that property once, at the first server handshake of the JVM.
 *
 * <p>Fail closed: {@link #refuseClientInitiated()} sets the property (the launcher calls it before
 * anything else), refusing to start when it was set to anything but {@code true}; {@link #verify} then
 * proves in memory, with the broker's own key, that this JVM really refuses a client-initiated
 * renegotiation (it would not if something had run a server handshake before the property was set), and
 * the launcher does not serve if it does not. TLS 1.3 has no renegotiation at all.
 */
public final class TlsRenegotiation {

    /** The JDK system property. */
    public static final String PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";

    private TlsRenegotiation() {
    }

    /**
     * Sets {@value #PROPERTY} to {@code true}.
     *
     * @throws ConfigException when it was already set to another value
     */
    public static void refuseClientInitiated() {
        String current = System.getProperty(PROPERTY);
        if (current != null && !current.trim().equalsIgnoreCase("true")) {
            throw new ConfigException(PROPERTY, "must be true (client-initiated renegotiation is refused on the device "
                    + "listener), got '" + current + "'");
        }
        System.setProperty(PROPERTY, "true");
    }

    /**
     * Runs a TLS 1.2 handshake between two in-memory engines, the server side with the broker's key, then
     * lets the client renegotiate.
     *
     * @throws IllegalStateException when the renegotiation is accepted, or the self-test cannot run
     */
    public static void verify(Path keystore, char[] keystorePassword, char[] keyPassword) {
        SSLEngine client;
        SSLEngine server;
        try {
            KeyStore ks = KeyStore.getInstance(keystore.toFile(), keystorePassword);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, keyPassword);
            SSLContext serverContext = SSLContext.getInstance("TLSv1.2");
            serverContext.init(kmf.getKeyManagers(), null, null);
            SSLContext clientContext = SSLContext.getInstance("TLSv1.2");
            // In memory, between two engines of this method: nothing to authenticate, so any server certificate will do.
            clientContext.init(null, new TrustManager[] {new SelfTestTrust()}, null);
            server = serverContext.createSSLEngine();
            server.setUseClientMode(false);
            server.setEnabledProtocols(new String[] {"TLSv1.2"});
            client = clientContext.createSSLEngine("renegotiation-self-test", 1);
            client.setUseClientMode(true);
            client.setEnabledProtocols(new String[] {"TLSv1.2"});
            client.beginHandshake();
            server.beginHandshake();
            new Pump(client, server).run();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS renegotiation self-test could not run: " + e, e);
        }
        try {
            client.beginHandshake();
            new Pump(client, server).run();
        } catch (SSLException e) {
            return; // refused, as it must be
        }
        throw new IllegalStateException("this JVM accepts client-initiated TLS renegotiation (" + PROPERTY + "="
                + System.getProperty(PROPERTY) + " was read before the launcher set it: start the broker through "
                + "the launcher or with -D" + PROPERTY + "=true); refusing to serve");
    }

    /** Moves records between two engines until both have finished handshaking. */
    private static final class Pump {
        private final SSLEngine client;
        private final SSLEngine server;
        private final ByteBuffer toServer;
        private final ByteBuffer toClient;
        private final ByteBuffer clientApp;
        private final ByteBuffer serverApp;
        private final ByteBuffer empty = ByteBuffer.allocate(0);

        Pump(SSLEngine client, SSLEngine server) {
            this.client = client;
            this.server = server;
            int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
            int app = Math.max(client.getSession().getApplicationBufferSize(), server.getSession().getApplicationBufferSize());
            toServer = ByteBuffer.allocate(packet * 4);
            toClient = ByteBuffer.allocate(packet * 4);
            clientApp = ByteBuffer.allocate(app * 2);
            serverApp = ByteBuffer.allocate(app * 2);
        }

        void run() throws SSLException {
            for (int round = 0; round < 100; round++) {
                boolean moved = step(client, toServer, toClient, clientApp) | step(server, toClient, toServer, serverApp);
                if (!moved && handshaken(client) && handshaken(server)) {
                    return;
                }
                if (!moved) {
                    throw new SSLException("handshake stalled: client " + client.getHandshakeStatus() + ", server "
                            + server.getHandshakeStatus());
                }
            }
            throw new SSLException("handshake did not finish");
        }

        private static boolean handshaken(SSLEngine e) {
            SSLEngineResult.HandshakeStatus s = e.getHandshakeStatus();
            return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
        }

        /** Runs one engine as far as it goes; true when it produced or consumed anything. */
        private boolean step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws SSLException {
            boolean moved = false;
            while (true) {
                SSLEngineResult.HandshakeStatus s = e.getHandshakeStatus();
                if (s == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = e.getDelegatedTask()) != null) {
                        task.run();
                    }
                    moved = true;
                } else if (s == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    SSLEngineResult r = e.wrap(empty, out);
                    if (r.bytesProduced() == 0 && r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                        return moved;
                    }
                    moved = true;
                } else if (in.position() > 0) {
                    in.flip();
                    SSLEngineResult r = e.unwrap(in, app);
                    in.compact();
                    if (r.bytesConsumed() == 0) {
                        return moved;
                    }
                    moved = true;
                } else {
                    return moved;
                }
            }
        }
    }

    /** Trusts the in-memory peer of the self-test; used nowhere else. */
    private static final class SelfTestTrust implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side of the self-test only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // the server engine is the other half of this self-test
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
