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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.jobs.testing.Feed;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Devices cannot move event time. Through real Kafka and the job as deployed (MiniCluster, parallelism 2):
 * one device of tenant {@code initech} per {@code fleet.telemetry} partition stamps every reading a day
 * ahead, with a valid broker record, while tenant {@code globex}'s twelve cameras report normally in real
 * time. The watermark must stay at broker time: no honest camera is declared offline (RES-OFF-001), no
 * cohort outage (RES-COH-001) opens, and a Telnet port opened later on an honest camera is still detected
 * (CMP-NET-001) instead of being dropped as late. When event time followed the device clock, the forged
 * readings pushed the watermark a day ahead, every globex camera timed out, and the Telnet report was
 * dropped. A replayed record a day behind broker time is not dropped silently: it reaches
 * {@code fleet.dead-letters} with reason {@code late-event}.
 */
class DeviceClockIT {

    static final int PARTITIONS = 2;

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(DetectionJobRun.platformTopics(PARTITIONS)).build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster();

    static final String HONEST = "globex";
    static final String FORGER = "initech";
    static final int HONEST_DEVICES = 12;

    @TempDir
    Path checkpoints;

    /** A broker-shaped record: the device says {@code deviceTime}, the broker received it now. */
    static ProducerRecord<byte[], byte[]> reading(String tenant, String device, long deviceTime, long receivedAt,
                                                  List<Integer> ports, Integer partition) {
        Telemetry t = Events.telemetry(device, deviceTime).setTenant(tenant)
                .setReceivedAt(Instant.ofEpochMilli(receivedAt)).setListeningPorts(ports).build();
        return DetectionJobRun.telemetry(t, partition);
    }

    static List<Alert> alerts(String tenant) {
        return DetectionJobRun.alerts(KAFKA, Duration.ofSeconds(2)).stream().filter(a -> tenant.equals(a.getTenant())).toList();
    }

    @Test
    @Timeout(240)
    @SuppressWarnings("try") // the job only needs to run until the end of the block
    void forgedClocksCannotTimeOutOtherTenantsOrMakeTheirAttacksLate() throws Exception {
        AtomicBoolean telnet = new AtomicBoolean();
        try (DetectionJobRun job = DetectionJobRun.on(KAFKA, checkpoints).group("clock").jobName("device-clock-it")
                .checkpointInterval("500ms").args("--idleness", "1s", "--out-of-orderness", "1s", "--delivery", "at-least-once")
                .start();
             Feed fleet = Feed.start(KAFKA, Duration.ofSeconds(2), (p, now) -> {
                 for (int part = 0; part < PARTITIONS; part++) {
                     // One forger per partition, a day ahead: with event time = device time this moved every watermark.
                     p.send(reading(FORGER, "evil-" + part, now + Events.DAY, now, List.of(80, 443), part));
                 }
                 for (int d = 0; d < HONEST_DEVICES; d++) {
                     List<Integer> ports = telnet.get() && d == 3 ? List.of(80, 23) : List.of(80, 443);
                     p.send(reading(HONEST, "cam-" + d, now, now + 20, ports, null));
                 }
             })) {
            // Long enough for the forged readings to have pushed the old watermark past every honest camera's
            // offline deadline (90 s of event time) many times over.
            Thread.sleep(15_000);
            telnet.set(true);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(alerts(HONEST))
                    .filteredOn(a -> a.getRuleId().equals("CMP-NET-001")).extracting(Alert::getDeviceId).contains("cam-3"));

            // A record replayed a day behind broker time is dropped as late, but not silently.
            long now = System.currentTimeMillis();
            try (var p = DetectionJobRun.producer(KAFKA)) {
                p.send(reading(HONEST, "cam-0", now - Events.DAY, now - Events.DAY + 20, List.of(80, 443), 0));
                p.flush();
            }
            var dead = KAFKA.consume(Topics.DEAD_LETTERS, 1, Duration.ofSeconds(60), new StringDeserializer(), new ByteArrayDeserializer());
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(Topics.TELEMETRY);
                assertThat(new String(r.headers().lastHeader(Serializers.H_REASON).value(), StandardCharsets.UTF_8))
                        .isEqualTo(DeadLetterRouter.LATE_EVENT);
                Telemetry replayed = Codecs.TELEMETRY.tryDecode(r.value()).value();
                assertThat(replayed.getDeviceId()).isEqualTo("cam-0");
            });

            assertThat(fleet.failure()).isNull();
            List<Alert> honest = alerts(HONEST);
            assertThat(honest).as("alerts of the honest tenant").filteredOn(a -> a.getRuleId().startsWith("RES-")).isEmpty();
            assertThat(alerts(FORGER)).filteredOn(a -> a.getRuleId().startsWith("RES-")).isEmpty();
        }
    }
}
