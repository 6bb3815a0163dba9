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
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

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
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(TopicSpec.of(Topics.TELEMETRY).withPartitions(2))
            .topic(TopicSpec.of(Topics.SECURITY_EVENTS).withPartitions(2))
            .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG))
            .topic(TopicSpec.compacted(Topics.ADVISORIES))
            .topic(TopicSpec.compacted(Topics.ERASURES))
            .topic(TopicSpec.of(Topics.DEVICE_EVENTS))
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

    @TempDir
    Path checkpoints;

    static ProducerRecord<byte[], byte[]> reading(String device, long deviceTime, List<Integer> ports) {
        Telemetry t = Events.telemetry(device, deviceTime).setIntervalSeconds(1)
                .setReceivedAt(Instant.ofEpochMilli(deviceTime + 20)).setListeningPorts(ports).build();
        return new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of(t.getTenant(), device).getBytes(StandardCharsets.UTF_8),
                Codecs.TELEMETRY.encode(t));
    }

    static ProducerRecord<byte[], byte[]> erasure(String key, String json) {
        return new ProducerRecord<>(Topics.ERASURES, key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    static List<Alert> alerts(String device) {
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KAFKA.consume(Topics.ALERTS, Integer.MAX_VALUE, Duration.ofSeconds(2),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            Alert a = Codecs.ALERT.tryDecode(r.value()).value();
            if (device.equals(a.getDeviceId())) {
                out.add(a);
            }
        }
        return out;
    }

    static List<DeviceStatus> statuses(String device) {
        List<DeviceStatus> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KAFKA.consume(Topics.DEVICE_STATUS, Integer.MAX_VALUE, Duration.ofSeconds(2),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            if (r.value() != null) {
                DeviceStatus s = Codecs.DEVICE_STATUS.tryDecode(r.value()).value();
                if (device.equals(s.getDeviceId())) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    @Test
    @Timeout(240)
    void anErasedDevicesStateAndAlertsAreGoneAndItStartsFreshAfterwards() throws Exception {
        JobOptions o = JobOptions.parse(new String[] {
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "500ms",
                "--group-id", "erasure", "--transactional-id-prefix", "erasure",
                "--parallelism", "2", "--idleness", "1s", "--out-of-orderness", "1s", "--delivery", "at-least-once",
                "--rule", "offline.min=5s"});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FleetDetectionJobMain.build(env, o);
        JobClient job = env.executeAsync("erasure-it");
        AtomicBoolean silent = new AtomicBoolean();
        AtomicBoolean back = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread fleet = new Thread(() -> {
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                while (running.get()) {
                    long now = System.currentTimeMillis();
                    for (int d = 0; d < 6; d++) {
                        boolean quiet = (d == 1 || d == 2) && silent.get() && !(d == 1 && back.get());
                        if (!quiet) {
                            p.send(reading("cam-" + d, now, d == 1 ? List.of(80, 23) : List.of(80, 443)));
                        }
                    }
                    p.flush();
                    Thread.sleep(1_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "fleet");
        fleet.start();
        try {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(alerts("cam-1")).extracting(Alert::getRuleId).contains("CMP-NET-001");
                assertThat(statuses("cam-1")).isNotEmpty();
            });
            String firstTelnet = alerts("cam-1").get(0).getAlertId();

            long erasedAt = System.currentTimeMillis();
            silent.set(true);
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
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
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
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
            assertThat(failure.get()).isNull();
        } finally {
            running.set(false);
            fleet.join(10_000);
            job.cancel().get();
        }
    }
}
