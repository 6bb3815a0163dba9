package io.fleetwarden.simulator.score;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.codec.Decoded;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Reads every committed alert revision currently on {@link Topics#ALERTS} (from the beginning up to the
 * end offsets seen at start), without a consumer group. Records that do not decode are skipped and
 * counted, never fatal.
 */
public final class AlertReader {

    private AlertReader() {
    }

    /** Alert views of every decodable record; {@code warnings} hears about undecodable ones. */
    public static List<AlertView> readAll(String bootstrapServers, Duration timeout, Consumer<String> warnings) {
        return readAlerts(bootstrapServers, timeout, warnings).stream().map(AlertReader::view).toList();
    }

    /** Every decodable committed alert revision, in full; {@code warnings} hears about undecodable ones. */
    public static List<Alert> readAlerts(String bootstrapServers, Duration timeout, Consumer<String> warnings) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "fleet-simulator-scorecard");
        // the job writes alerts in transactions (exactly-once sink): aborted attempts must not be scored
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Alert> out = new ArrayList<>();
        int bad = 0;
        KafkaClientSecurity.configured().applyTo(p);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.ALERTS, timeout);
            if (infos == null || infos.isEmpty()) {
                warnings.accept("topic " + Topics.ALERTS + " does not exist: no alerts");
                return out;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    warnings.accept("timed out before reading all of " + Topics.ALERTS + "; scoring what was read");
                    break;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Decoded<Alert> d = r.value() == null ? null : Codecs.ALERT.tryDecode(r.value());
                    if (d == null || !d.isOk()) {
                        bad++;
                        continue;
                    }
                    out.add(d.value());
                }
            }
        }
        if (bad > 0) {
            warnings.accept(bad + " record(s) on " + Topics.ALERTS + " could not be decoded and were skipped");
        }
        return out;
    }

    /** The scorecard's view of an alert revision. */
    public static AlertView view(Alert a) {
        return new AlertView(a.getAlertId(), a.getRuleId(), a.getDeviceId(), a.getCohortDimension(), a.getCohortValue(),
                a.getOpenedAt(), a.getParentAlertId(), evidenceFrom(a));
    }

    /** The alert's {@link AlertView#EVIDENCE_FROM} as an instant, or null when absent or not a number (never trusted further). */
    static Instant evidenceFrom(Alert a) {
        String v = a.getEvidence() == null ? null : a.getEvidence().get(AlertView.EVIDENCE_FROM);
        if (v == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
