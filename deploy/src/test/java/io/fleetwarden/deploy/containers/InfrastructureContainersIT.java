package io.fleetwarden.deploy.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

import io.fleetwarden.model.Topics;

/**
 * The Kafka and InfluxDB images on one network: Kafka formats its storage and creates exactly the
 * topics of {@link Topics#ALL}; InfluxDB serves the 1.x API with the platform's database; the two
 * reach each other by name. One network and one pair of containers for the class.
 */
class InfrastructureContainersIT {

    private static Network network;
    private static GenericContainer<?> kafka;
    private static GenericContainer<?> influxdb;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        influxdb = Images.influxdb(network);
        kafka = Images.kafka(network);
        influxdb.start();
        kafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.stop();
        }
        if (influxdb != null) {
            influxdb.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void kafkaHoldsEveryTopicOfTopicsAllWithItsCompaction() throws Exception {
        // The initializer is idempotent and exits 3 when a topic's cleanup.policy differs from the spec.
        ExecResult again = kafka.execInContainer("java", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", "/opt/fleetwarden/lib/*", "io.fleetwarden.deploy.TopicInitializer",
                "--bootstrap", "localhost:9092", "--wait-seconds", "30");

        assertThat(again.getExitCode()).as(again.getStdout() + again.getStderr()).isZero();
        assertThat(again.getStdout()).contains("topic-init: " + Topics.ALL.size() + " topics ready")
                .doesNotContain("created");
    }

    @Test
    void influxDbServesTheDatabaseOnlyToItsUsersAndContainersReachEachOtherByName() throws Exception {
        String url = "http://" + influxdb.getHost() + ":" + influxdb.getMappedPort(8086) + "/query?q="
                + URLEncoder.encode("SHOW RETENTION POLICIES ON fleetwarden", StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);

        String basic = java.util.Base64.getEncoder().encodeToString((Images.INFLUX_ADMIN + ":" + Images.INFLUX_ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + basic)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
        // the image's default retention: 30 days
        assertThat(admin.body()).contains("[\"autogen\",\"720h0m0s\"");

        ExecResult reach = kafka.execInContainer("bash", "-c", "exec 3<>/dev/tcp/influxdb/8086 && echo reachable");
        assertThat(reach.getStdout()).contains("reachable");
    }
}
