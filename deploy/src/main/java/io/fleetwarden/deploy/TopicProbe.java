package io.fleetwarden.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning until it holds a record with a given key (or any record), for
 * operators checking a deployment and for the container tests, which run it inside the Kafka
 * container so no listener has to be reachable from outside.
 *
 * <pre>
 * java -cp 'deploy.jar:lib/*' io.fleetwarden.deploy.TopicProbe --bootstrap localhost:9092 \
 *      --topic fleet.telemetry [--key acme/dev-1] [--timeout-seconds 30]
 * </pre>
 *
 * <p>Prints {@code found key=... partition=... offset=...} and exits 0, or prints what it saw and
 * exits 1 when the timeout elapses. It joins no consumer group, so it never moves anyone's offsets.
 */
public final class TopicProbe {

    private TopicProbe() {
    }

    public static void main(String[] args) {
        String bootstrap = null;
        String topic = null;
        String key = null;
        Duration timeout = Duration.ofSeconds(30);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[i + 1];
                case "--topic" -> topic = args[i + 1];
                case "--key" -> key = args[i + 1];
                case "--timeout-seconds" -> timeout = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                default -> {
                    System.err.println("topic-probe: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (bootstrap == null || topic == null || args.length % 2 != 0) {
            System.err.println("usage: TopicProbe --bootstrap host:port --topic T [--key K] [--timeout-seconds S]");
            System.exit(2);
        }
        System.exit(probe(bootstrap, topic, key, timeout));
    }

    static int probe(String bootstrap, String topic, String key, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Instant deadline = Instant.now().plus(timeout);
        long seen = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                    if (key == null || key.equals(record.key())) {
                        System.out.println("found key=" + record.key() + " partition=" + record.partition()
                                + " offset=" + record.offset() + " bytes=" + (record.value() == null ? 0 : record.value().length));
                        return 0;
                    }
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            System.out.println("not found: read " + seen + " record(s) of " + topic + ", end offsets " + ends);
            return 1;
        } catch (RuntimeException e) {
            System.out.println("not found: " + e);
            return 1;
        }
    }
}
