package io.fleetwarden.broker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.embedded.EmbeddedHiveMQ;

import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;
import io.fleetwarden.testsupport.Archives;
import io.fleetwarden.testsupport.Ports;

/**
 * Fail closed: the launcher exits non-zero naming the reason when the extension cannot start, and the
 * guard refuses every client whenever the Fleetwarden extension is not running.
 */
class FailClosedIT {

    static final char[] PW = "test-only-pw".toCharArray();

    @TempDir
    static Path dir;
    static TestPki pki;
    static Path keystore;
    static Path truststore;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("acme");
        keystore = pki.serverCertificate().writeKeyStore(dir, PW);
        truststore = pki.writeTrustStore(dir, PW);
    }

    private static Properties props(Path extensions, int port) {
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", keystore.toString());
        p.setProperty("tls.keystore.password", new String(PW));
        p.setProperty("tls.truststore.path", truststore.toString());
        p.setProperty("tls.truststore.password", new String(PW));
        p.setProperty("kafka.bootstrap-servers", "127.0.0.1:1");
        p.setProperty("broker.id", "failclosed");
        p.setProperty("extensions.folder", extensions.toString());
        p.setProperty("data.folder", dir.resolve("data-" + port).toString());
        return p;
    }

    @Test
    void launcherExitsNonZeroNamingTheBadKey() throws Exception {
        Path extensions = Files.createDirectories(dir.resolve("ext-bad"));
        Archives.unzip(Path.of(System.getProperty("fleetwarden.it.extension-zip")), extensions);
        Properties p = props(extensions, Ports.freePort());
        p.setProperty("fleetwarden.trust.ca-certificates", dir.resolve("no-such-ca.pem").toString());
        Path file = dir.resolve("bad.properties");
        try (var out = Files.newOutputStream(file)) {
            p.store(out, null);
        }
        Process proc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FleetwardenBroker.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.exitValue()).as(out).isEqualTo(3);
        assertThat(out).contains("Fleetwarden extension did not start").contains("trust.ca-certificates");
    }

    @Test
    void launcherRefusesABadLauncherKey() throws Exception {
        Properties p = props(dir, 8883);
        p.setProperty("listener.prot", "1");
        assertThatThrownBy(() -> LauncherConfig.from(p, dir)).hasMessageContaining("listener.prot");
    }

    @Test
    void missingExtensionIsRefusedByStart() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("ext-empty"));
        assertThatThrownBy(() -> FleetwardenBroker.start(LauncherConfig.from(props(empty, Ports.freePort()), dir)))
                .isInstanceOf(FleetwardenBroker.ExtensionNotStartedException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void guardRefusesEveryClientWithoutTheExtension() throws Exception {
        int port = Ports.freePort();
        Path conf = Files.createDirectories(dir.resolve("guard-conf"));
        LauncherConfig config = LauncherConfig.from(props(Files.createDirectories(dir.resolve("ext-none")), port), dir);
        DeferredClientTrust.install();
        Files.writeString(conf.resolve("config.xml"), FleetwardenBroker.hivemqConfig(config));
        try (EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(dir.resolve("guard-data")))
                .withExtensionsFolder(Files.createDirectories(dir.resolve("ext-none")))
                .withEmbeddedExtension(FailClosedGuard.extension(new FailClosedGuard())).build()) {
            hivemq.start().get(120, TimeUnit.SECONDS);
            TestCredential dev = pki.deviceCertificate("acme", "dev-1");
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore ks = dev.keyStore(PW);
            kmf.init(ks, PW);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(pki.trustStore(PW));
            Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("acme/dev-1").serverHost("localhost").serverPort(port)
                    .sslConfig(MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf)
                            .protocols(List.of("TLSv1.3")).build())
                    .buildBlocking();
            assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> {
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
                assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).contains(FailClosedGuard.REASON);
            });
            hivemq.stop().get(60, TimeUnit.SECONDS);
        }
    }
}
