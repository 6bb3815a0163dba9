package io.fleetwarden.broker.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;

import io.fleetwarden.broker.launcher.FleetwardenBroker;
import io.fleetwarden.broker.launcher.LauncherConfig;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.testsupport.Archives;
import io.fleetwarden.testsupport.Ports;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/**
 * One broker for a test class: the PACKAGED extension zip unpacked into a fresh extensions folder,
 * started through the real launcher ({@link FleetwardenBroker}) with a mutual-TLS listener on a free
 * port, the test PKI, and Kafka from test-support. Also MQTT clients and Kafka readers for assertions.
 */
public final class BrokerFixture implements AutoCloseable {

    static final char[] PASSWORD = "test-only-pw".toCharArray();
    /** Shared: building one compiles the JSON Schema and an ObjectMapper, far too slow per message. */
    private static final DevicePayloads PAYLOADS = new DevicePayloads();

    public final TestPki pki;
    public final Path dir;
    public final Path crlDir;
    public final int port;
    final FleetwardenBroker broker;
    private final KafkaConsumer<String, byte[]> events;
    private final KafkaConsumer<String, byte[]> telemetry;
    private final List<SecurityEvent> seenEvents = new ArrayList<>();
    private boolean brokerStopped;
    private final List<ConsumerRecord<String, Telemetry>> seenTelemetry = new ArrayList<>();

    /**
     * @param extensionOverrides extra {@code fleetwarden.*} settings (e.g. rate limits)
     * @param beforeStart        called with the PKI and CRL folder before the broker starts
     */
    public BrokerFixture(String bootstrapServers, Map<String, String> extensionOverrides,
                         java.util.function.BiConsumer<TestPki, Path> beforeStart) throws Exception {
        pki = TestPki.create("acme");
        dir = Files.createTempDirectory("fleetwarden-it");
        crlDir = Files.createDirectories(dir.resolve("crl"));
        Path extensions = Files.createDirectories(dir.resolve("extensions"));
        Archives.unzip(Path.of(System.getProperty("fleetwarden.it.extension-zip",
                "target/broker-extension-0.1.0-SNAPSHOT-hivemq-extension.zip")), extensions);
        Path caPem = pki.writeCaPem(dir);
        Path keystore = pki.serverCertificate().writeKeyStore(dir, PASSWORD);
        Path truststore = pki.writeTrustStore(dir, PASSWORD);
        beforeStart.accept(pki, crlDir);
        pki.writeCrl(crlDir);
        port = Ports.freePort();
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", keystore.toString());
        p.setProperty("tls.keystore.password", new String(PASSWORD));
        p.setProperty("tls.truststore.path", truststore.toString());
        p.setProperty("tls.truststore.password", new String(PASSWORD));
        p.setProperty("kafka.bootstrap-servers", bootstrapServers);
        p.setProperty("broker.id", "it-broker");
        p.setProperty("extensions.folder", extensions.toString());
        p.setProperty("data.folder", dir.resolve("data").toString());
        p.setProperty("fleetwarden.trust.ca-certificates", caPem.toString());
        p.setProperty("fleetwarden.trust.crl-folder", crlDir.toString());
        p.setProperty("fleetwarden.trust.crl-reload-interval", "PT0.5S");
        p.setProperty("fleetwarden.metrics.port", "0");
        extensionOverrides.forEach(p::setProperty);
        broker = FleetwardenBroker.start(LauncherConfig.from(p, dir));
        events = consumer(bootstrapServers, Topics.SECURITY_EVENTS);
        telemetry = consumer(bootstrapServers, Topics.TELEMETRY);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", false);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(topic, pi.partition()));
        }
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    /** The port of the extension's metrics and health endpoint. */
    public int metricsPort() {
        return broker.metricsPort();
    }

    /** GET on the extension's metrics and health endpoint: status code and body. */
    public java.net.http.HttpResponse<String> http(String path) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** All security events seen so far (polls Kafka briefly). */
    public synchronized List<SecurityEvent> events() {
        for (ConsumerRecord<String, byte[]> r : events.poll(Duration.ofMillis(200))) {
            SecurityEvent e = Codecs.SECURITY_EVENT.tryDecode(r.value()).value();
            if (!Topics.securityEventKey(e).equals(r.key())) {
                throw new AssertionError("security event key " + r.key() + " does not match its event " + e);
            }
            seenEvents.add(e);
        }
        return List.copyOf(seenEvents);
    }

    /**
     * Waits up to 20 s for the first security event (seen so far or arriving) that {@code match} accepts.
     * @throws org.awaitility.core.ConditionTimeoutException when none arrives in time
     */
    public SecurityEvent awaitEvent(Predicate<SecurityEvent> match) {
        List<SecurityEvent> found = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            events().stream().filter(match).findFirst().ifPresent(found::add);
            return !found.isEmpty();
        });
        return found.get(0);
    }

    /** All telemetry records seen so far (polls Kafka briefly). */
    public synchronized List<ConsumerRecord<String, Telemetry>> telemetry() {
        for (ConsumerRecord<String, byte[]> r : telemetry.poll(Duration.ofMillis(200))) {
            seenTelemetry.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
                    Codecs.TELEMETRY.tryDecode(r.value()).value()));
        }
        return List.copyOf(seenTelemetry);
    }

    /** An MQTT 5 client builder for this broker, presenting {@code credential} (or no certificate). */
    public Mqtt5ClientBuilder client(String clientId, TestCredential credential) {
        return Mqtt5Client.builder().identifier(clientId).serverHost("localhost").serverPort(port)
                .sslConfig(sslConfig(credential));
    }

    /** An MQTT 3.1.1 client builder for this broker, presenting {@code credential} (or no certificate). */
    public Mqtt3ClientBuilder client311(String clientId, TestCredential credential) {
        return Mqtt3Client.builder().identifier(clientId).serverHost("localhost").serverPort(port)
                .sslConfig(sslConfig(credential));
    }

    private MqttClientSslConfig sslConfig(TestCredential credential) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(pki.trustStore(PASSWORD));
            com.hivemq.client.mqtt.MqttClientSslConfigBuilder ssl = MqttClientSslConfig.builder().trustManagerFactory(tmf)
                    .protocols(List.of("TLSv1.3", "TLSv1.2"));
            if (credential != null) {
                KeyStore ks = credential.keyStore(PASSWORD);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, PASSWORD);
                ssl = ssl.keyManagerFactory(kmf);
            }
            return ssl.build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connected blocking client for a good device certificate. */
    public Mqtt5BlockingClient connected(TestCredential credential, String clientId) {
        Mqtt5BlockingClient c = client(clientId, credential).buildBlocking();
        c.connect();
        return c;
    }

    /** A valid telemetry payload. */
    public static byte[] telemetryJson(long seq) {
        return PAYLOADS.write(new DeviceTelemetryPayload(1, System.currentTimeMillis(), "cam-x1", "eu-west",
                new DeviceTelemetryPayload.Firmware("1.2.3", null), seq, 12.5, 40.0,
                new DeviceTelemetryPayload.Network(60, 1000, 2000, 10, 20, List.of(443), List.of()), null));
    }

    /**
     * Stops the broker gracefully (as {@code close()} would) but keeps reading Kafka, so a test can see what the
     * broker recorded while it stopped. Once only.
     */
    public void stopBroker() throws Exception {
        if (!brokerStopped) {
            brokerStopped = true;
            broker.close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopBroker();
        } finally {
            events.close();
            telemetry.close();
        }
    }

    static byte[] read(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
