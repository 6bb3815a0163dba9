package io.fleetwarden.deploy.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/**
 * The whole platform from its images on one network, checked end to end from outside like a device
 * and an analyst would: a device with a certificate of the fleet CA connects to the broker
 * container over mutual TLS and publishes; its telemetry reaches Kafka; a device presenting a
 * certificate of a foreign CA is refused; repeated refused attempts (an attack) make the
 * stream-jobs container raise an alert; the alert is visible through the dashboard-api container.
 *
 * <p>State: one set of containers for the class; the tests run in order because the attack test
 * reuses the refusals of the foreign-certificate test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformContainersIT {

    private static final String TENANT = "acme";
    private static final String DEVICE = "cam-0001";

    private static Network network;
    private static GenericContainer<?> influxdb;
    private static GenericContainer<?> kafka;
    private static GenericContainer<?> broker;
    private static GenericContainer<?> streamJobs;
    private static GenericContainer<?> dashboard;
    private static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(TENANT);
        char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
        TestCredential server = pki.serverCertificate();

        network = Network.newNetwork();
        influxdb = Images.influxdb(network);
        kafka = Images.kafka(network);
        broker = new GenericContainer<>(Images.image("broker")).withImagePullPolicy(Images.NEVER_PULL)
                .withNetwork(network).withNetworkAliases("broker")
                .withEnv("FW_KAFKA_BOOTSTRAP", "kafka:9092")
                .withEnv("FW_BROKER_ID", "it-broker-1")
                .withCopyToContainer(Transferable.of(bytes(server.keyStore(password), password), 0644),
                        "/etc/fleetwarden/pki/broker/broker-keystore.p12")
                .withCopyToContainer(Transferable.of(bytes(pki.trustStore(password), password), 0644),
                        "/etc/fleetwarden/pki/broker/truststore.p12")
                .withCopyToContainer(Transferable.of(new String(password).getBytes(StandardCharsets.UTF_8), 0644),
                        "/etc/fleetwarden/pki/broker/keystore.password")
                .withCopyToContainer(Transferable.of(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII), 0644),
                        "/etc/fleetwarden/pki/ca/fleet-ca.crt")
                .withExposedPorts(8883)
                .waitingFor(Wait.forLogMessage(".*serving mutual TLS.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
        streamJobs = new GenericContainer<>(Images.image("stream-jobs")).withImagePullPolicy(Images.NEVER_PULL)
                .withNetwork(network).withNetworkAliases("stream-jobs")
                .withEnv("FLEETWARDEN_INFLUX_PASSWORD", Images.INFLUX_JOBS_PASSWORD)
                .waitingFor(Wait.forLogMessage(".*switched from state [A-Z]+ to RUNNING.*", 1)
                        .withStartupTimeout(Duration.ofMinutes(4)));
        dashboard = new GenericContainer<>(Images.image("dashboard-api")).withImagePullPolicy(Images.NEVER_PULL)
                .withNetwork(network).withNetworkAliases("dashboard-api")
                .withEnv("FLEETWARDEN_INFLUX_PASSWORD", Images.INFLUX_DASHBOARD_PASSWORD)
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/health").withStartupTimeout(Duration.ofMinutes(3)));

        influxdb.start();
        kafka.start();
        broker.start();
        streamJobs.start();
        dashboard.start();
    }

    @AfterAll
    static void stop() {
        for (GenericContainer<?> c : new GenericContainer<?>[] {dashboard, streamJobs, broker, kafka, influxdb}) {
            if (c != null) {
                c.stop();
            }
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(1)
    void aDeviceWithAFleetCertificateConnectsAndPublishes() throws Exception {
        Mqtt5BlockingClient device = client(DeviceIdentities.clientId(TENANT, DEVICE), pki.deviceCertificate(TENANT, DEVICE));
        device.connect();
        try {
            Mqtt5PublishResult result = device.publish(com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish.builder()
                    .topic(DeviceIdentities.telemetryTopic(TENANT, DEVICE)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(telemetryJson().getBytes(StandardCharsets.UTF_8)).build());
            assertThat(result.getError()).isEmpty();
        } finally {
            device.disconnect();
        }
    }

    @Test
    @Order(2)
    void itsTelemetryReachesKafka() throws Exception {
        ExecResult probe = kafka.execInContainer("java", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", "/opt/fleetwarden/lib/*", "io.fleetwarden.deploy.TopicProbe", "--bootstrap", "localhost:9092",
                "--topic", Topics.TELEMETRY, "--key", TENANT + "/" + DEVICE, "--timeout-seconds", "60");

        assertThat(probe.getExitCode()).as(probe.getStdout() + probe.getStderr()).isZero();
        assertThat(probe.getStdout()).contains("found key=" + TENANT + "/" + DEVICE);
    }

    @Test
    @Order(3)
    void aDeviceWithAForeignCertificateIsRefused() {
        // Same names, other CA: more than the rules' thresholds (5 per identity, 10 per address a minute),
        // so these refusals are also the attack the next test expects an alert for.
        TestCredential foreign = pki.foreignDeviceCertificate("cam-0666");
        for (int i = 0; i < 12; i++) {
            Mqtt5BlockingClient intruder = client("cam-0666", foreign);
            assertThatThrownBy(intruder::connect).as("attempt " + i).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    @Order(4)
    void theAttackRaisesAnAlertThatTheDashboardApiShows() throws Exception {
        String token = dashboard.execInContainer("cat", "/var/lib/fleetwarden/admin-token").getStdout().trim();
        assertThat(token).startsWith("fwt_");
        HttpClient http = HttpClient.newHttpClient();
        URI alerts = URI.create("http://" + dashboard.getHost() + ":" + dashboard.getMappedPort(8080) + "/api/v1/alerts");
        AtomicReference<String> last = new AtomicReference<>("");

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(alerts)
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            last.set(response.body());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("CMP-AUTH-00");
        });
        assertThat(last.get()).contains("cam-0666");
    }

    @Test
    @Order(5)
    void theJobWritesTheDeviceSeriesAsItsWriteOnlyUserAndTheDashboardReadsThem() throws Exception {
        String token = dashboard.execInContainer("cat", "/var/lib/fleetwarden/admin-token").getStdout().trim();
        HttpClient http = HttpClient.newHttpClient();
        String basic = java.util.Base64.getEncoder().encodeToString((Images.INFLUX_ADMIN + ":" + Images.INFLUX_ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        URI series = URI.create("http://" + influxdb.getHost() + ":" + influxdb.getMappedPort(8086) + "/query?db=fleetwarden&q="
                + java.net.URLEncoder.encode("SELECT count(cpu_percent) FROM device_health WHERE device = '" + DEVICE + "'",
                        StandardCharsets.UTF_8));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(series).header("Authorization", "Basic " + basic)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"count\"");
        });
        URI health = URI.create("http://" + dashboard.getHost() + ":" + dashboard.getMappedPort(8080) + "/api/v1/fleet/health");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------------

    private static Mqtt5BlockingClient client(String clientId, TestCredential credential) {
        try {
            char[] pw = "device".toCharArray();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(credential.keyStore(pw), pw);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(pki.trustStore(pw));
            return Mqtt5Client.builder().identifier(clientId)
                    .serverHost(broker.getHost()).serverPort(broker.getMappedPort(8883))
                    .sslConfig().keyManagerFactory(kmf).trustManagerFactory(tmf).handshakeTimeout(10, java.util.concurrent.TimeUnit.SECONDS).applySslConfig()
                    .buildBlocking();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(KeyStore store, char[] password) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password);
        return out.toByteArray();
    }

    private static String telemetryJson() {
        return """
                {"schema":1,"ts":%d,"model":"cam-x1","region":"eu-west",
                 "firmware":{"version":"2.4.1","imageSha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
                 "uptimeSeconds":86400,"cpuPercent":12.5,"memoryPercent":41.0,
                 "network":{"intervalSeconds":30,"bytesIn":12000,"bytesOut":48000,"packetsIn":90,"packetsOut":160,
                            "listeningPorts":[80,443],"connections":[{"remoteAddress":"203.0.113.10","remotePort":443,"protocol":"tcp"}]},
                 "update":{"state":"IDLE","attempt":0}}
                """.formatted(Instant.now().toEpochMilli());
    }
}
