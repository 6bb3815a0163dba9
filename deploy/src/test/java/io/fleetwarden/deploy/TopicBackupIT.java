package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.TriageState;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Backs up device controls and triage from one real KRaft broker and restores them into a second,
 * fresh one: the latest control and triage record of every key decodes to what was written, order
 * per key, headers, timestamps and tombstones survive, and the restored topics are compacted like
 * the originals. Hostile or damaged backups are refused with the file and line named.
 */
class TopicBackupIT {

    private static final String DAMAGED = "backup.damaged";

    @RegisterExtension
    static final KafkaExtension SOURCE = KafkaExtension.builder()
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS).withPartitions(3))
            .topic(TopicSpec.compacted(Topics.ALERT_TRIAGE))
            .topic(TopicSpec.of(DAMAGED))
            .build();


    @RegisterExtension
    static final KafkaExtension FRESH = KafkaExtension.builder().build();

    private static final List<String> TOPICS = List.of(Topics.DEVICE_CONTROLS, Topics.ALERT_TRIAGE);

    @Test
    void controlsAndTriageAreBackAfterARestoreIntoAFreshKafka(@TempDir Path dir) throws Exception {
        // state worth keeping: quarantines, a revoke, a release after a quarantine, a tombstone; triage versions
        Map<String, byte[]> expectedControls = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(SOURCE.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 30; i++) {
                String key = DeviceKeys.of(i % 2 == 0 ? "acme" : "globex", "cam-" + i);
                byte[] value = Codecs.DEVICE_CONTROL.encode(control(key, i % 3 == 0 ? ControlAction.REVOKE : ControlAction.QUARANTINE, i));
                p.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, null, 1_700_000_000_000L + i, bytes(key), value,
                        List.of(new RecordHeader("issued-by", bytes("admin@acme"))))).get();
                expectedControls.put(key, value);
            }
            String released = DeviceKeys.of("globex", "cam-1");
            byte[] release = Codecs.DEVICE_CONTROL.encode(control(released, ControlAction.RELEASE, 99));
            p.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, bytes(released), release)).get();
            expectedControls.put(released, release);
            String erased = DeviceKeys.of("acme", "cam-2");
            p.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, bytes(erased), null)).get(); // tombstone
            expectedControls.put(erased, null);
            for (int v = 1; v <= 3; v++) {
                p.send(new ProducerRecord<>(Topics.ALERT_TRIAGE, bytes("alert-7"), Codecs.ALERT_TRIAGE.encode(triage("alert-7", v)))).get();
            }
            p.send(new ProducerRecord<>(Topics.ALERT_TRIAGE, bytes("alert-8"), Codecs.ALERT_TRIAGE.encode(triage("alert-8", 1)))).get();
        }

        int exported = TopicBackup.exportTopics(SOURCE.bootstrapServers(), dir, TOPICS);
        assertThat(exported).isEqualTo(32 + 4);
        assertThat(Files.readString(dir.resolve(Topics.DEVICE_CONTROLS + ".jsonl"))).as("no plain-text key needed to read it back")
                .doesNotContain("globex/cam-1");

        int restored = TopicBackup.importTopics(FRESH.bootstrapServers(), dir, (short) 1);
        assertThat(restored).isEqualTo(exported);

        assertThat(FRESH.topicConfig(Topics.DEVICE_CONTROLS)).containsEntry("cleanup.policy", "compact");
        assertThat(FRESH.topicConfig(Topics.ALERT_TRIAGE)).containsEntry("cleanup.policy", "compact");
        assertThat(FRESH.admin().describeTopics(List.of(Topics.DEVICE_CONTROLS)).allTopicNames().get()
                .get(Topics.DEVICE_CONTROLS).partitions()).hasSize(3);

        // replay the restored topics as every reader does: latest record per key
        List<ConsumerRecord<byte[], byte[]>> controls = readAll(FRESH, Topics.DEVICE_CONTROLS);
        Map<String, byte[]> latest = new LinkedHashMap<>();
        controls.forEach(r -> latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value()));
        assertThat(latest.keySet()).containsExactlyInAnyOrderElementsOf(expectedControls.keySet());
        expectedControls.forEach((key, value) -> assertThat(latest.get(key)).as(key).isEqualTo(value));
        DeviceControl release = Codecs.DEVICE_CONTROL.decode(latest.get(DeviceKeys.of("globex", "cam-1")));
        assertThat(release.getAction()).as("the release after the quarantine is still the latest").isEqualTo(ControlAction.RELEASE);
        assertThat(Codecs.DEVICE_CONTROL.decode(latest.get(DeviceKeys.of("acme", "cam-0"))).getRevoked()).isTrue();
        ConsumerRecord<byte[], byte[]> first = controls.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(DeviceKeys.of("acme", "cam-4"))).findFirst().orElseThrow();
        assertThat(first.timestamp()).isEqualTo(1_700_000_000_004L);
        assertThat(new String(first.headers().lastHeader("issued-by").value(), StandardCharsets.UTF_8)).isEqualTo("admin@acme");

        List<ConsumerRecord<byte[], byte[]>> triage = readAll(FRESH, Topics.ALERT_TRIAGE);
        Map<String, AlertTriage> triageLatest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : triage) {
            triageLatest.put(new String(r.key(), StandardCharsets.UTF_8), Codecs.ALERT_TRIAGE.decode(r.value()));
        }
        assertThat(triageLatest.get("alert-7").getVersion()).isEqualTo(3);
        assertThat(triageLatest.get("alert-7").getState()).isEqualTo(TriageState.RESOLVED);
        assertThat(triageLatest.get("alert-8").getVersion()).isEqualTo(1);

        // a second restore onto the same cluster would duplicate state: refused
        assertThatThrownBy(() -> TopicBackup.importTopics(FRESH.bootstrapServers(), dir, (short) 1))
                .isInstanceOf(TopicBackup.BackupException.class).hasMessageContaining("already holds records");
    }

    @Test
    void damagedOrHostileBackupsAreRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        SOURCE.produce(DAMAGED, "alert-9", "x");
        TopicBackup.exportTopics(SOURCE.bootstrapServers(), dir, List.of(DAMAGED));
        Path file = dir.resolve(DAMAGED + ".jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));

        lines.set(0, lines.get(0).replaceFirst("\"partition\":0", "\"partition\":7"));
        Files.write(file, lines);
        assertThatThrownBy(() -> TopicBackup.importTopics(FRESH.bootstrapServers(), dir, (short) 1))
                .hasMessageContaining("line 1").hasMessageContaining("partition 7");

        Files.writeString(file, "{\"partition\":0,\"key\":\"not base64!\"}\n");
        assertThatThrownBy(() -> TopicBackup.importTopics(FRESH.bootstrapServers(), dir, (short) 1))
                .hasMessageContaining(file.getFileName().toString()).hasMessageContaining("line 1");

        Files.writeString(file, "");
        assertThatThrownBy(() -> TopicBackup.importTopics(FRESH.bootstrapServers(), dir, (short) 1))
                .hasMessageContaining("truncated or altered");

        assertThatThrownBy(() -> TopicBackup.exportTopics(SOURCE.bootstrapServers(), dir, List.of("fleet.nope")))
                .hasMessageContaining("fleet.nope does not exist");
    }

    private static DeviceControl control(String key, ControlAction action, int i) {
        String[] parts = DeviceKeys.parse(key);
        return DeviceControl.newBuilder().setControlId("c-" + i).setTenant(parts[0]).setDeviceId(parts[1]).setAction(action)
                .setQuarantined(action == ControlAction.QUARANTINE).setRevoked(action == ControlAction.REVOKE)
                .setIssuedBy("admin@" + parts[0]).setIssuedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L + i)).build();
    }

    private static AlertTriage triage(String alertId, int version) {
        return AlertTriage.newBuilder().setAlertId(alertId).setTenant("acme").setVersion(version)
                .setState(version >= 3 ? TriageState.RESOLVED : TriageState.ACKNOWLEDGED).setAssignee("analyst-" + version)
                .setUpdatedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L + version)).build();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaExtension kafka, String topic) {
        Map<String, Object> props = new LinkedHashMap<>(kafka.consumerProps("verify-" + topic));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.sort(java.util.Comparator.comparingInt(ConsumerRecord<byte[], byte[]>::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
