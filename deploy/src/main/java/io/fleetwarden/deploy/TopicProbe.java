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

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Reads a topic from the beginning until it holds a record with a given key (or any record), for
 * operators checking a deployment and for the container tests, which run it inside the Kafka
 * container so no listener has to be reachable from outside.
 *
 * <pre>
 * java -cp 'deploy.jar:lib/*' io.fleetwarden.deploy.TopicProbe --bootstrap localhost:9092 \
 *      --topic fleet.telemetry [--key acme/dev-1] [--timeout 30s | --timeout-seconds 30] [--help]
 * </pre>
 *
 * <p>Prints {@code found key=... partition=... offset=...} and exits 0, or prints what it saw and
 * exits 1 when the timeout elapses. It joins no consumer group, so it never moves anyone's offsets.
 */
@Command(name = "topic-probe", usageHelpWidth = 110,
        description = "Reads a topic from the beginning until it holds a record with the given key (or any record).")
public final class TopicProbe {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,..]", description = "Kafka (required)")
    private String bootstrap;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "topic to read (required)")
    private String topic;

    @Option(names = "--key", paramLabel = "KEY", description = "record key to look for (default: any record)")
    private String key;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "give up after this long (default 30s; ISO-8601 or 500ms/90s/10m)")
    private Duration timeout = Duration.ofSeconds(30);

    @Option(names = "--timeout-seconds", paramLabel = "S", converter = DurationConverter.Seconds.class,
            description = "the same as --timeout, in whole seconds")
    private void timeoutSeconds(Duration d) {
        timeout = d;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    private boolean help;

    private TopicProbe() {
    }

    public static void main(String[] args) {
        TopicProbe p = new TopicProbe();
        CommandLine cl = new CommandLine(p);
        try {
            cl.parseArgs(args);
        } catch (ParameterException | IllegalArgumentException e) {
            System.err.println("topic-probe: " + e.getMessage());
            System.err.print(cl.getUsageMessage());
            System.exit(2);
            return;
        }
        if (p.help) {
            System.out.print(cl.getUsageMessage());
            return;
        }
        System.exit(probe(p.bootstrap, p.topic, p.key, p.timeout));
    }

    /** Parses the command line; for tests. */
    static TopicProbe parse(String... args) {
        TopicProbe p = new TopicProbe();
        new CommandLine(p).parseArgs(args);
        return p;
    }

    Duration timeout() {
        return timeout;
    }

    static int probe(String bootstrap, String topic, String key, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Instant deadline = Instant.now().plus(timeout);
        long seen = 0;
        KafkaClientSecurity.configured().applyTo(props);
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
