package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.jobs.testing.Feed;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Erasure sticks in the jobs (Code of Practice guideline 11). Through real Kafka and the job as deployed (MiniCluster,
 * parallelism 2): {@code acme/cam-1} reports a Telnet port (an open CMP-NET-001, a published status), then the
 * dashboard's erasure record reaches {@code fleet.erasures} and the device goes silent together with
 * {@code acme/cam-2}, which is not erased. cam-2 is declared offline (RES-OFF-001: the deadline would have fired);
 * cam-1 gets nothing more: no RES-OFF-001, no alert revision, no status, also not for a straggling report stamped
 * before the erasure, nor for a hostile erasure record of the reserved scope {@code _front-door} or a malformed one
 * (skipped, the job keeps running). When cam-1 reports again after the erasure it starts fresh: a new alert id.
 */
class ErasureIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(DetectionJobRun.platformTopics(2)).build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster();

    @TempDir
    Path checkpoints;

    static ProducerRecord<byte[], byte[]> reading(String device, long deviceTime, List<Integer> ports) {
        Telemetry t = Events.telemetry(device, deviceTime).setIntervalSeconds(1)
                .setReceivedAt(Instant.ofEpochMilli(deviceTime + 20)).setListeningPorts(ports).build();
        return DetectionJobRun.telemetry(t);
    }

    static ProducerRecord<byte[], byte[]> erasure(String key, String json) {
        return new ProducerRecord<>(Topics.ERASURES, key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    static List<Alert> alerts(String device) {
        return DetectionJobRun.alerts(KAFKA, Duration.ofSeconds(2)).stream().filter(a -> device.equals(a.getDeviceId())).toList();
    }

    static List<DeviceStatus> statuses(String device) {
        return DetectionJobRun.statuses(KAFKA, Duration.ofSeconds(2)).stream().filter(s -> device.equals(s.getDeviceId()))
                .toList();
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("try") // the job only needs to run until the end of the block
    void anErasedDevicesStateAndAlertsAreGoneAndItStartsFreshAfterwards() throws Exception {
        AtomicBoolean silent = new AtomicBoolean();
        AtomicBoolean back = new AtomicBoolean();
        try (DetectionJobRun job = DetectionJobRun.on(KAFKA, checkpoints).group("erasure").jobName("erasure-it")
                .checkpointInterval("500ms").args("--idleness", "1s", "--out-of-orderness", "1s", "--delivery", "at-least-once",
                        "--rule", "offline.min=5s").start();
             Feed fleet = Feed.start(KAFKA, Duration.ofSeconds(1), (p, now) -> {
                 for (int d = 0; d < 6; d++) {
                     boolean quiet = (d == 1 || d == 2) && silent.get() && !(d == 1 && back.get());
                     if (!quiet) {
                         p.send(reading("cam-" + d, now, d == 1 ? List.of(80, 23) : List.of(80, 443)));
                     }
                 }
             })) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(alerts("cam-1")).extracting(Alert::getRuleId).contains("CMP-NET-001");
                assertThat(statuses("cam-1")).isNotEmpty();
            });
            // cam-1's Telnet alert itself: its first alert on fleet.alerts may be another rule's (two partitions, no order)
            String firstTelnet = alerts("cam-1").stream().filter(a -> a.getRuleId().equals("CMP-NET-001")).findFirst()
                    .orElseThrow().getAlertId();

            long erasedAt = System.currentTimeMillis();
            silent.set(true);
            try (var p = DetectionJobRun.producer(KAFKA)) {
                // Hostile or broken records first: skipped, never fatal.
                p.send(erasure("_front-door/cam-4", "{\"tenant\":\"_front-door\",\"deviceId\":\"cam-4\",\"erasedAt\":\""
                        + Instant.ofEpochMilli(erasedAt) + "\"}"));
                p.send(erasure("acme/cam-4", "{not json"));
                p.send(erasure("acme/cam-1", "{\"tenant\":\"acme\",\"deviceId\":\"cam-1\",\"erasedAt\":\""
                        + Instant.ofEpochMilli(erasedAt) + "\",\"erasedBy\":\"ops\"}"));
                p.flush();
            }
            Thread.sleep(3_000);
            int alertsAtErasure = alerts("cam-1").size();
            int statusesAtErasure = statuses("cam-1").size();
            try (var p = DetectionJobRun.producer(KAFKA)) {
                // A straggler stamped before the erasure (e.g. a replay) must not bring anything back.
                p.send(reading("cam-1", erasedAt - 1_000, List.of(80, 23, 2323)));
                p.flush();
            }

            // The control device goes offline; by then cam-1's own offline deadline has long passed too.
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(alerts("cam-2"))
                    .extracting(Alert::getRuleId).contains("RES-OFF-001"));
            Thread.sleep(5_000);
            List<Alert> after = alerts("cam-1");
            assertThat(after).as("no alert revision for the erased device").hasSize(alertsAtErasure);
            assertThat(after).extracting(Alert::getRuleId).doesNotContain("RES-OFF-001");
            assertThat(after).allSatisfy(a -> assertThat(a.getUpdatedAt()).isBefore(Instant.ofEpochMilli(erasedAt)));
            assertThat(statuses("cam-1")).as("no status for the erased device").hasSize(statusesAtErasure);
            // Other devices, and the erasures' other keys, are untouched.
            assertThat(alerts("cam-4")).isEmpty();
            assertThat(statuses("cam-4")).isNotEmpty();

            // Reporting again after the erasure: a fresh device, a new alert.
            back.set(true);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(alerts("cam-1"))
                    .filteredOn(a -> a.getRuleId().equals("CMP-NET-001") && !a.getAlertId().equals(firstTelnet))
                    .first().satisfies(a -> {
                        assertThat(a.getRevision()).isEqualTo(1);
                        assertThat(a.getOpenedAt()).isAfter(Instant.ofEpochMilli(erasedAt));
                    }));
            assertThat(fleet.failure()).isNull();
        }
    }
}
