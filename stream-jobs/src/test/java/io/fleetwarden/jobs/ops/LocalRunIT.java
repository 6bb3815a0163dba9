package io.fleetwarden.jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.jobs.LocalRun;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * The local run as {@code ./fleetwarden} starts it (LocalMain's MiniCluster, real Kafka): its health
 * endpoint turns ready once the job runs and has checkpointed, and Flink's Prometheus reporter serves
 * the job's own metrics (events in and dead letters per topic, alerts out per rule) beside Flink's
 * (completed checkpoints, the Kafka source's pending records).
 */
class LocalRunIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(TopicSpec.platform(1)).build();

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    @TempDir
    Path checkpoints;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sum of the samples of metrics whose name ends with {@code suffix} and that carry every label in {@code labels}. */
    static double sum(String exposition, String suffix, Map<String, String> labels) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
            if (!name.endsWith(suffix)) {
                continue;
            }
            String labelText = brace < 0 ? "" : line.substring(brace, line.lastIndexOf('}') + 1);
            if (labels.entrySet().stream().allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                total += Double.parseDouble(line.substring(space + 1));
            }
        }
        return total;
    }

    @Test
    @Timeout(240)
    void readyOnceRunningAndCheckpointedAndServesTheJobsMetrics() throws Exception {
        int metricsPort = freePort();
        JobOptions o = JobOptions.parse(new String[] {
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "500ms",
                "--group-id", "local-run", "--transactional-id-prefix", "local-run",
                "--parallelism", "1", "--idleness", "1s", "--out-of-orderness", "1s",
                "--metrics-port", Integer.toString(metricsPort), "--health-port", "0"});
        try (LocalRun run = LocalRun.start(o)) {
            String health = "http://127.0.0.1:" + run.healthPort();
            await().atMost(Duration.ofSeconds(120)).until(() -> get(health + "/health/ready").statusCode() == 200);
            JsonNode ready = JSON.readTree(get(health + "/health/ready").body());
            assertThat(ready.get("checks").get("job").get("detail").asText()).isEqualTo("RUNNING");
            assertThat(ready.get("checks").get("checkpoint").get("ok").asBoolean()).isTrue();
            assertThat(get(health + "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(health + "/other").statusCode()).isEqualTo(404);

            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                Telemetry t = Events.telemetry("cam-1", BASE).setTenant("metrics").build();
                p.send(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of("metrics", "cam-1").getBytes(StandardCharsets.UTF_8),
                        Codecs.TELEMETRY.encode(t)));
                // hostile input: not Avro at all, and an empty record
                p.send(new ProducerRecord<>(Topics.TELEMETRY, "metrics/bad".getBytes(StandardCharsets.UTF_8),
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
                p.send(new ProducerRecord<>(Topics.TELEMETRY, "metrics/empty".getBytes(StandardCharsets.UTF_8), new byte[0]));
                for (int i = 0; i < 12; i++) {
                    SecurityEvent e = Events.authFailure("guess-" + i, "203.0.113.78", BASE + 5000 + i * 1000L);
                    e.setTenant(null);
                    p.send(new ProducerRecord<>(Topics.SECURITY_EVENTS, "addr:203.0.113.78".getBytes(StandardCharsets.UTF_8),
                            Codecs.SECURITY_EVENT.encode(e)));
                }
            }

            // Flink's reporter replaces characters outside [A-Za-z0-9_:] in label values with '_'
            String telemetry = Topics.TELEMETRY.replaceAll("[^A-Za-z0-9_:]", "_");
            String security = Topics.SECURITY_EVENTS.replaceAll("[^A-Za-z0-9_:]", "_");
            String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                String text = get(metrics).body();
                assertThat(sum(text, "fleetwarden_topic_events_in", Map.of("topic", telemetry))).as(text).isEqualTo(3);
                assertThat(sum(text, "fleetwarden_topic_dead_letters", Map.of("topic", telemetry))).isEqualTo(2);
                assertThat(sum(text, "fleetwarden_topic_events_in", Map.of("topic", security))).isEqualTo(12);
                assertThat(sum(text, "fleetwarden_topic_dead_letters", Map.of("topic", security))).isZero();
                assertThat(sum(text, "fleetwarden_rule_status_alerts_out", Map.of("rule", "CMP_AUTH_002", "status", "OPEN")))
                        .isGreaterThanOrEqualTo(1);
            });
            String text = get(metrics).body();
            assertThat(text).contains("flink_jobmanager_job_numberOfCompletedCheckpoints")
                    .contains("flink_jobmanager_job_lastCheckpointCompletedTimestamp")
                    .contains("flink_taskmanager_job_task_operator_pendingRecords");
            // every Flink and job metric the example alert rules use (deploy/prometheus) is exported
            // (runningTime: FleetwardenCheckpointsFailing counts only once the job has run past its deployment)
            assertThat(io.fleetwarden.testsupport.AlertRules.assertExported(text, "flink_"))
                    .contains("flink_jobmanager_job_lastCheckpointCompletedTimestamp", "flink_jobmanager_job_runningTime");
        }
    }
}
