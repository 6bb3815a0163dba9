package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.LocalMain;
import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.InfluxDbExtension;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The job as deployed: real Kafka (KRaft, in-process) in and out with exactly-once sinks, real
 * InfluxDB ({@code influxd}), Flink MiniCluster with parallelism 2. Simulated streams in; alerts,
 * device status, dead letters and InfluxDB points out; and a failover that cancels the job
 * mid-stream and resumes it from its last checkpoint without losing or duplicating alerts.
 */
class KafkaPipelineIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(DetectionJobRun.platformTopics(2)).build();

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleetwarden");

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster();

    /** Event time of the simulated streams: now, so that Kafka retention never touches the records. */
    static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    @TempDir
    Path checkpoints;

    private DetectionJobRun.Builder job(String name) {
        return DetectionJobRun.on(KAFKA, checkpoints).group(name).jobName("fleetwarden-it").checkpointInterval("500ms")
                .args("--influx-url", INFLUX.url(), "--influx-db", INFLUX.database(), "--influx-batch", "100",
                        "--idleness", "1s", "--out-of-orderness", "1s");
    }

    private static List<Alert> alerts(String tenant) {
        return DetectionJobRun.alerts(KAFKA, Duration.ofSeconds(2)).stream().filter(a -> a.getTenant().equals(tenant)).toList();
    }

    @Test
    @Timeout(180)
    @SuppressWarnings("try") // the job only needs to run until the end of the block
    void streamsInAlertsStatusDeadLettersAndPointsOut() throws Exception {
        String tenant = "pipeline";
        try (DetectionJobRun job = job("pipeline").start()) {
            TelnetCameras.produce(KAFKA, tenant, 0, 3, BASE);
            try (var p = DetectionJobRun.producer(KAFKA)) {
                for (int i = 0; i < 12; i++) {
                    SecurityEvent e = Events.authFailure("guess-" + i, "203.0.113.77", BASE + 5000 + i * 1000L);
                    e.setTenant(null);
                    p.send(new ProducerRecord<>(Topics.SECURITY_EVENTS, "addr:203.0.113.77".getBytes(StandardCharsets.UTF_8),
                            Codecs.SECURITY_EVENT.encode(e)));
                }
                p.send(new ProducerRecord<>(Topics.TELEMETRY, "pipeline/bad".getBytes(StandardCharsets.UTF_8),
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
                for (int i = 0; i < 5; i++) { // a boot loop on fleet.device-events
                    var boot = io.fleetwarden.jobs.detect.Lifecycles.boot("cam-1", BASE + 6000 + i * 1000L);
                    boot.setTenant(tenant);
                    p.send(new ProducerRecord<>(Topics.DEVICE_EVENTS, DeviceKeys.of(tenant, "cam-1").getBytes(StandardCharsets.UTF_8),
                            Codecs.DEVICE_EVENT.encode(boot)));
                }
            }

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                List<Alert> alerts = alerts(tenant);
                assertThat(alerts).filteredOn(a -> a.getRuleId().equals("CMP-NET-001"))
                        .extracting(Alert::getDeviceId).containsExactlyInAnyOrder("cam-0", "cam-1", "cam-2");
            });
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(alerts(tenant)).as("lifecycle events reach the per-device rules")
                            .anyMatch(a -> a.getRuleId().equals("RES-BOOT-001") && a.getDeviceId().equals("cam-1")));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(alerts(SecuritySubjectTenant.FRONT_DOOR)).anyMatch(a -> a.getRuleId().equals("CMP-AUTH-002")
                            && "203.0.113.77".equals(a.getCohortValue())));

            var dead = KAFKA.consume(Topics.DEAD_LETTERS, 1, Duration.ofSeconds(30), new StringDeserializer(), new ByteArrayDeserializer());
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(Topics.TELEMETRY);
                assertThat(new String(r.headers().lastHeader(Serializers.H_REASON).value(), StandardCharsets.UTF_8)).isEqualTo("bad-header");
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("not");
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<DeviceStatus> statuses = DetectionJobRun.statuses(KAFKA, Duration.ofSeconds(2));
                assertThat(statuses).anyMatch(s -> s.getDeviceId().equals("cam-0") && s.getRiskScore() >= 40
                        && s.getFailingGuidelines().contains(6));
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                QueryResult health = INFLUX.newClient().query(new Query(
                        "SELECT count(cpu_percent) FROM device_health WHERE tenant = 'pipeline'", INFLUX.database()));
                assertThat(health.getResults().get(0).getSeries()).isNotNull();
                assertThat(((Number) health.getResults().get(0).getSeries().get(0).getValues().get(0).get(1)).intValue()).isEqualTo(15);
                QueryResult alerts = INFLUX.newClient().query(new Query(
                        "SELECT alert_id FROM alerts WHERE tenant = 'pipeline' AND rule = 'CMP-NET-001'", INFLUX.database()));
                assertThat(alerts.getResults().get(0).getSeries().get(0).getValues()).hasSize(3);
            });
        }
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("try") // each job only needs to run until the end of its block
    void failoverFromCheckpointLosesAndDuplicatesNoAlert() throws Exception {
        String tenant = "failover";
        DetectionJobRun.Builder failover = job("failover");
        try (DetectionJobRun first = failover.start()) {
            TelnetCameras.produce(KAFKA, tenant, 0, 10, BASE + 3_600_000L);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(alerts(tenant)).filteredOn(a -> a.getRuleId().equals(TelnetCameras.RULE)).hasSize(10));
            // Mid-stream: more input, then the job dies before it can checkpoint all of it.
            TelnetCameras.produce(KAFKA, tenant, 10, 20, BASE + 3_600_000L + 200_000L);
        }

        Path latest = LocalMain.latestCheckpoint(checkpoints).orElseThrow();
        try (DetectionJobRun second = failover.restoreFrom(latest.toUri().toString()).start()) {
            TelnetCameras.produce(KAFKA, tenant, 20, 25, BASE + 3_600_000L + 400_000L);
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                    assertThat(TelnetCameras.alertedDevices(alerts(tenant))).hasSize(25));
            TelnetCameras.assertOpenedOnceEach(alerts(tenant), 25);
        }
    }

    /** The tenant the job uses for subjects without a verified identity. */
    static final class SecuritySubjectTenant {
        static final String FRONT_DOOR = io.fleetwarden.model.Scopes.FRONT_DOOR;
    }
}
