package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.InfluxDbExtension;
import io.fleetwarden.testsupport.KafkaCluster;

/**
 * The detection job (exactly-once alert sink, read_committed sources) on a three-node Kafka cluster of separate
 * processes at replication factor 3 and {@code min.insync.replicas=2}: a {@code kill -9} of the node leading
 * {@code fleet.alerts} partition 0 while telemetry keeps arriving. The producers and the job continue (the job may
 * restart from its last checkpoint, as in production), every device's alert is opened exactly once, and no alert
 * revision is on {@code fleet.alerts} twice; the node rejoins and detection goes on.
 */
class KafkaBrokerKillJobClusterIT {

    @RegisterExtension
    static final KafkaCluster KAFKA = KafkaCluster.builder()
            .eventModelTopics(Topics.TELEMETRY, Topics.SECURITY_EVENTS, Topics.DEVICE_EVENTS, Topics.FIRMWARE_CATALOG,
                    Topics.ADVISORIES, Topics.ERASURES, Topics.ALERTS, Topics.DEVICE_STATUS, Topics.DEAD_LETTERS)
            .build();

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleetwarden");

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster(conf());

    /** A bounded restart strategy as in production: a failed transaction commit during fail-over restarts the job. */
    static Configuration conf() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        return c;
    }

    static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    @TempDir
    Path checkpoints;

    @Test
    @Timeout(600)
    void killingAKafkaNodeUnderLoadLosesAndDuplicatesNoAlert() throws Exception {
        String tenant = "kafkakill";
        try (DetectionJobRun job = DetectionJobRun.on(KAFKA, checkpoints).group(tenant).jobName("fleetwarden-kafka-kill-it")
                .checkpointInterval("500ms").args("--influx-url", INFLUX.url(), "--influx-db", INFLUX.database(),
                        "--influx-batch", "100", "--idleness", "1s", "--out-of-orderness", "1s").start()) {
            TelnetCameras.produce(KAFKA, tenant, 0, 10, BASE + 3_600_000L);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(10));

            int victim = KAFKA.leaderOf(Topics.ALERTS, 0);
            KAFKA.kill(victim);
            // producers continue while the node is dead
            TelnetCameras.produce(KAFKA, tenant, 10, 20, BASE + 3_600_000L + 200_000L);
            await().atMost(Duration.ofSeconds(240)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(20));
            assertThat(KAFKA.isRunning(victim)).isFalse();

            KAFKA.restart(victim);
            TelnetCameras.produce(KAFKA, tenant, 20, 25, BASE + 3_600_000L + 400_000L);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(25));

            TelnetCameras.assertOpenedOnceEach(alerts(tenant), 25);
            assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        }
    }

    private static java.util.Set<String> telnetDevices(String tenant) {
        return TelnetCameras.alertedDevices(alerts(tenant));
    }

    private static List<Alert> alerts(String tenant) {
        return DetectionJobRun.alerts(KAFKA, Duration.ofSeconds(2)).stream().filter(a -> a.getTenant().equals(tenant)).toList();
    }
}
