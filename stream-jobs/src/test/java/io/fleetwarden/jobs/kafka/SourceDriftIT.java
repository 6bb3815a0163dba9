package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * One input far ahead of another in event time, through real Kafka and the job as deployed (MiniCluster, parallelism 2),
 * as after downtime or in a replay: the job starts on a backlog. Partition 0 of {@code fleet.telemetry} holds two hours of
 * 80 cameras; partition 1 two hours of 8 cameras, one of which went silent for 15 minutes in the middle. Read as it
 * was, partition 1 was consumed in a moment while partition 0 was minutes into its backlog: the silent camera's return
 * reached the device detectors long before the watermark passed its offline deadline, and it never counted as offline
 * (the time-warped replay's regional outages raised no RES-OFF-001 and no incident). Now the partitions are read in
 * step (watermark alignment) and the offline rule judges a return past the deadline by the device's own reports: its
 * RES-OFF-001 opens at the deadline and resolves on its return; no camera that kept reporting is declared offline. The
 * silence is decided when the watermark reaches its deadline (its DISCONNECT could still be unread), so event time must
 * move: the job runs with the deployed idleness (30 s), after which the security topic, empty here, stops holding it;
 * the empty {@code fleet.device-events} and {@code fleet.erasures} partitions stop holding it after their own 5 s.
 */
class SourceDriftIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(DetectionJobRun.platformTopics(2)).build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster();

    static final long START = Events.T0;
    static final long MIN = 60_000;
    static final int BUSY_DEVICES = 80;
    static final int STEADY_DEVICES = 7;
    static final long SILENT_FROM = START + 60 * MIN;
    static final long SILENT_TO = START + 75 * MIN;

    @TempDir
    Path checkpoints;

    /** Kafka's record time is the producer's (now): a record stamped weeks ago would fall to the topic's retention. */
    static ProducerRecord<byte[], byte[]> reading(String device, long at, int partition) {
        Telemetry t = Events.telemetry(device, at).setReceivedAt(Instant.ofEpochMilli(at)).setIntervalSeconds(10).build();
        return DetectionJobRun.telemetry(t, partition);
    }

    static List<Alert> alerts() {
        return DetectionJobRun.alerts(KAFKA, Duration.ofSeconds(5));
    }

    @Test
    @Timeout(480)
    @SuppressWarnings("try") // the job only needs to run until the end of the block
    void aPartitionReadAheadDoesNotHideADeviceThatWentOffline() throws Exception {
        try (var p = DetectionJobRun.producer(KAFKA)) {
            for (long t = START; t < START + 120 * MIN; t += 10_000) {
                for (int d = 0; d < BUSY_DEVICES; d++) {
                    p.send(reading("busy-" + d, t + d, 0));
                }
                for (int d = 0; d < STEADY_DEVICES; d++) {
                    p.send(reading("steady-" + d, t + 1_000 + d, 1));
                }
                if (t < SILENT_FROM || t >= SILENT_TO) {
                    p.send(reading("quiet-1", t + 5_000, 1));
                }
            }
            p.flush();
        }
        try (DetectionJobRun job = DetectionJobRun.on(KAFKA, checkpoints).group("drift").jobName("source-drift-it")
                .checkpointInterval("500ms").args("--idleness", "30s", "--delivery", "at-least-once").start()) {
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(alerts())
                    .filteredOn(a -> a.getRuleId().equals("RES-OFF-001") && "quiet-1".equals(a.getDeviceId()))
                    .extracting(a -> a.getStatus().toString()).contains("OPEN", "RESOLVED"));
            List<Alert> offline = alerts().stream().filter(a -> a.getRuleId().equals("RES-OFF-001")).toList();
            assertThat(offline).extracting(Alert::getDeviceId).as("only the camera that went silent").containsOnly("quiet-1");
            assertThat(offline).allSatisfy(a -> assertThat(a.getOpenedAt().toEpochMilli())
                    .as("opened at its deadline, offline.min (5 min) into its silence").isBetween(SILENT_FROM + 4 * MIN, SILENT_FROM + 6 * MIN));
        }
    }
}
