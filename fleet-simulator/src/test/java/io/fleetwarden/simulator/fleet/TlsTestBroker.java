package io.fleetwarden.simulator.fleet;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.hivemq.embedded.EmbeddedHiveMQ;

import io.fleetwarden.simulator.pki.FleetPki;

/**
 * Embedded HiveMQ CE with one mutual-TLS listener (client certificate REQUIRED, trusting the fleet
 * CA) on a free loopback port and NO security extension: it accepts every client with a certificate
 * from the fleet CA and authorises everything. It proves the simulator's mTLS and load, not the
 * platform's policy (that is the broker extension's job, tested with the extension).
 */
public final class TlsTestBroker implements AutoCloseable {

    private final EmbeddedHiveMQ hivemq;
    private final int port;

    private TlsTestBroker(EmbeddedHiveMQ hivemq, int port) {
        this.hivemq = hivemq;
        this.port = port;
    }

    /** Starts a broker whose server certificate comes from {@code pki}; files go under {@code work}. */
    public static TlsTestBroker start(FleetPki pki, Path work) throws Exception {
        int port = freePort();
        Path conf = Files.createDirectories(work.resolve("conf"));
        Path data = Files.createDirectories(work.resolve("data"));
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        Path keystore = work.resolve("broker-keystore.p12");
        Path truststore = work.resolve("broker-truststore.p12");
        char[] keyPassword = FleetPki.writeKeyStore(keystore, pki.server("test-broker", List.of("localhost", "127.0.0.1")));
        char[] trustPassword = pki.writeTrustStore(truststore);
        String xml = """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                      <tls>
                        <keystore>
                          <path>%s</path>
                          <password>%s</password>
                          <private-key-password>%s</private-key-password>
                        </keystore>
                        <truststore>
                          <path>%s</path>
                          <password>%s</password>
                        </truststore>
                        <client-authentication-mode>REQUIRED</client-authentication-mode>
                        <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
                      </tls>
                    </tls-tcp-listener>
                  </listeners>
                  <mqtt><packets><max-packet-size>65536</max-packet-size></packets></mqtt>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, keystore.toAbsolutePath(), new String(keyPassword), new String(keyPassword),
                truststore.toAbsolutePath(), new String(trustPassword));
        Files.writeString(conf.resolve("config.xml"), xml, StandardCharsets.UTF_8);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf).withDataFolder(data).withExtensionsFolder(extensions)
                .withoutLoggingBootstrap().build();
        hivemq.start().get(90, TimeUnit.SECONDS);
        return new TlsTestBroker(hivemq, port);
    }

    public int port() {
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        hivemq.stop().get(60, TimeUnit.SECONDS);
        hivemq.close();
    }

    /** Runs a broker until killed, printing its port (for measuring the simulator in another JVM). */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 1 ? args[1] : "target/test-broker");
        FleetPki pki = FleetPki.openOrCreate(Path.of(args.length > 0 ? args[0] : ".fleetwarden/simulator-pki"),
                java.time.Clock.systemUTC());
        try (TlsTestBroker broker = start(pki, work)) {
            System.out.println("BROKER_PORT=" + broker.port());
            Thread.currentThread().join();
        }
    }
}
