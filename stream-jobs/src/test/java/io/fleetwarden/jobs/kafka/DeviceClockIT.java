package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

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
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(TopicSpec.of(Topics.TELEMETRY).withPartitions(PARTITIONS))
            .topic(TopicSpec.of(Topics.SECURITY_EVENTS).withPartitions(PARTITIONS))
            .topic(TopicSpec.of(Topics.DEVICE_EVENTS).withPartitions(2))
            .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG))
            .topic(TopicSpec.compacted(Topics.ADVISORIES))
            .topic(TopicSpec.compacted(Topics.ERASURES))
            .topic(TopicSpec.of(Topics.ALERTS).withPartitions(2))
            .topic(TopicSpec.compacted(Topics.DEVICE_STATUS).withPartitions(2))
            .topic(TopicSpec.of(Topics.DEAD_LETTERS))
            .build();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(conf()).build());

    static Configuration conf() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }

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
        return new ProducerRecord<>(Topics.TELEMETRY, partition, DeviceKeys.of(tenant, device).getBytes(StandardCharsets.UTF_8),
                Codecs.TELEMETRY.encode(t));
    }

    static List<Alert> alerts(String tenant) {
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KAFKA.consume(Topics.ALERTS, Integer.MAX_VALUE, Duration.ofSeconds(2),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            Alert a = Codecs.ALERT.tryDecode(r.value()).value();
            if (tenant.equals(a.getTenant())) {
                out.add(a);
            }
        }
        return out;
    }

    @Test
    @Timeout(240)
    void forgedClocksCannotTimeOutOtherTenantsOrMakeTheirAttacksLate() throws Exception {
        JobOptions o = JobOptions.parse(new String[] {
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "500ms",
                "--group-id", "clock", "--transactional-id-prefix", "clock",
                "--parallelism", "2", "--idleness", "1s", "--out-of-orderness", "1s", "--delivery", "at-least-once"});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FleetDetectionJobMain.build(env, o);
        JobClient job = env.executeAsync("device-clock-it");
        AtomicBoolean telnet = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread fleet = new Thread(() -> {
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                while (running.get()) {
                    long now = System.currentTimeMillis();
                    for (int part = 0; part < PARTITIONS; part++) {
                        // One forger per partition, a day ahead: with event time = device time this moved every watermark.
                        p.send(reading(FORGER, "evil-" + part, now + Events.DAY, now, List.of(80, 443), part));
                    }
                    for (int d = 0; d < HONEST_DEVICES; d++) {
                        List<Integer> ports = telnet.get() && d == 3 ? List.of(80, 23) : List.of(80, 443);
                        p.send(reading(HONEST, "cam-" + d, now, now + 20, ports, null));
                    }
                    p.flush();
                    Thread.sleep(2_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "fleet");
        fleet.start();
        try {
            // Long enough for the forged readings to have pushed the old watermark past every honest camera's
            // offline deadline (90 s of event time) many times over.
            Thread.sleep(15_000);
            telnet.set(true);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(alerts(HONEST))
                    .filteredOn(a -> a.getRuleId().equals("CMP-NET-001")).extracting(Alert::getDeviceId).contains("cam-3"));

            // A record replayed a day behind broker time is dropped as late, but not silently.
            long now = System.currentTimeMillis();
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
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

            assertThat(failure.get()).isNull();
            List<Alert> honest = alerts(HONEST);
            assertThat(honest).as("alerts of the honest tenant").filteredOn(a -> a.getRuleId().startsWith("RES-")).isEmpty();
            assertThat(alerts(FORGER)).filteredOn(a -> a.getRuleId().startsWith("RES-")).isEmpty();
        } finally {
            running.set(false);
            fleet.join(10_000);
            job.cancel().get();
        }
    }
}
