package io.fleetwarden.simulator.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.simulator.cli.SimulatorCli;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The {@code scorecard} command end to end: alert revisions (and one undecodable record) on a real
 * {@code fleet.alerts}, a ground-truth file, the JSON report.
 */
class ScorecardCommandIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topic(Topics.ALERTS, 3).build();

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void scoresAlertsReadFromKafkaAgainstTheGroundTruthAndSkipsBadRecords(@TempDir Path dir) throws Exception {
        Path truth = dir.resolve("gt.jsonl");
        Files.write(truth, List.of(
                "{\"type\":\"run-start\",\"at\":\"2026-03-02T10:00:00Z\",\"runId\":\"r1\",\"seed\":1,\"fleetSize\":10,\"tenant\":\"acme\"}",
                "{\"type\":\"scenario-start\",\"at\":\"2026-03-02T10:00:20Z\",\"runId\":\"r1\",\"scenarioId\":\"s01-flapping\",\"scenario\":\"flapping\",\"attack\":true,\"devices\":[\"plug-00001\"],\"expectedRules\":[\"RES-FLAP-001\"],\"plannedEnd\":\"2026-03-02T10:01:50Z\"}",
                "{\"type\":\"scenario-start\",\"at\":\"2026-03-02T10:00:30Z\",\"runId\":\"r1\",\"scenarioId\":\"s02-single-reboot\",\"scenario\":\"single-reboot\",\"attack\":false,\"devices\":[\"cam-00002\"],\"expectedRules\":[],\"plannedEnd\":\"2026-03-02T10:00:40Z\"}",
                "{\"type\":\"scenario-end\",\"at\":\"2026-03-02T10:01:50Z\",\"runId\":\"r1\",\"scenarioId\":\"s01-flapping\"}",
                "{\"type\":\"run-end\",\"at\":\"2026-03-02T11:00:00Z\",\"runId\":\"r1\"}"), StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.ALERTS, "a1", Codecs.ALERT.encode(alert("a1", 1, "RES-FLAP-001", "plug-00001", 65)))).get();
            p.send(new ProducerRecord<>(Topics.ALERTS, "a1", Codecs.ALERT.encode(alert("a1", 2, "RES-FLAP-001", "plug-00001", 65)))).get();
            p.send(new ProducerRecord<>(Topics.ALERTS, "a2", Codecs.ALERT.encode(alert("a2", 1, "RES-OFF-001", "cam-00002", 35)))).get();
            p.send(new ProducerRecord<>(Topics.ALERTS, "junk", "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        Path json = dir.resolve("score.json");
        int code = SimulatorCli.execute("scorecard", "--kafka", KAFKA.bootstrapServers(), "--ground-truth", truth.toString(),
                "--json", json.toString(), "--timeout", "30s");
        assertThat(code).isZero();
        JsonNode report = JsonMapper.builder().build().readTree(json.toFile());
        JsonNode overall = report.get("overall");
        assertThat(overall.get("alerts").asInt()).isEqualTo(2);
        assertThat(overall.get("truePositives").asInt()).isEqualTo(1);
        assertThat(overall.get("falsePositives").asInt()).isEqualTo(1);
        assertThat(overall.get("detectedScenarios").asInt()).isEqualTo(1);
        assertThat(overall.get("medianSecondsToDetect").asDouble()).isEqualTo(45.0);
        JsonNode reboot = report.get("scenarios").get(1);
        assertThat(reboot.get("scenarioId").asText()).isEqualTo("s02-single-reboot");
        assertThat(reboot.get("falseAlerts").asInt()).isEqualTo(1);
    }

    private static Alert alert(String id, int revision, String rule, String device, long openedAfterSeconds) {
        Instant opened = T0.plus(Duration.ofSeconds(openedAfterSeconds));
        return Alert.newBuilder()
                .setAlertId(id).setRevision(revision).setRuleId(rule).setRuleName(rule).setSeverity(Severity.MEDIUM)
                .setTenant("acme").setDeviceId(device).setStatus(AlertStatus.OPEN).setSummary("test alert")
                .setOpenedAt(opened).setUpdatedAt(opened.plusSeconds(revision)).build();
    }
}
