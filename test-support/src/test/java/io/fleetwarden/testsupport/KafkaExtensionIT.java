package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaExtensionIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic("it.round-trip")
            .topic("it.partitioned", 3)
            .topic(TopicSpec.compacted("it.compacted").withPartitions(2))
            .topic("it.outage")
            .build();

    @Test
    void startsWithinSecondsAndCreatesConfiguredTopics() throws Exception {
        assertThat(KAFKA.isRunning()).isTrue();
        assertThat(KAFKA.startupTime()).isLessThan(Duration.ofSeconds(60));
        assertThat(KAFKA.bootstrapServers()).startsWith("localhost:");
        assertThat(KAFKA.admin().listTopics().names().get())
                .contains("it.round-trip", "it.partitioned", "it.compacted", "it.outage");
        System.out.printf("Kafka started in %d ms%n", KAFKA.startupTime().toMillis());
    }

    @Test
    void producedRecordsAreConsumedInOrder() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(KAFKA.producerProps())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("it.round-trip", "device-" + i, "{\"n\":" + i + "}"));
            }
            producer.flush();
        }

        List<ConsumerRecord<String, String>> records = KAFKA.consume("it.round-trip", 5, WAIT);

        assertThat(records).extracting(ConsumerRecord::key)
                .containsExactly("device-0", "device-1", "device-2", "device-3", "device-4");
        assertThat(records).extracting(ConsumerRecord::value).first().isEqualTo("{\"n\":0}");
    }

    @Test
    void consumerGroupPropsWork() {
        KAFKA.produce("it.partitioned", "k", "v");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(KAFKA.consumerProps("it-group"))) {
            consumer.subscribe(List.of("it.partitioned"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            int seen = 0;
            while (seen == 0 && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(seen).isEqualTo(1);
        }
    }

    @Test
    void topicSpecsAreApplied() throws Exception {
        Map<String, TopicDescription> topics = KAFKA.admin()
                .describeTopics(List.of("it.partitioned", "it.compacted", "it.round-trip"))
                .allTopicNames().get();

        assertThat(topics.get("it.partitioned").partitions()).hasSize(3);
        assertThat(topics.get("it.compacted").partitions()).hasSize(2);
        assertThat(KAFKA.topicConfig("it.compacted")).containsEntry("cleanup.policy", "compact");
        assertThat(KAFKA.topicConfig("it.round-trip")).containsEntry("cleanup.policy", "delete");
    }

    @Test
    void topicCreatedAtRuntimeIsImmediatelyUsable() {
        KAFKA.createTopic(TopicSpec.of("it.runtime").withPartitions(4).withConfig("retention.ms", "3600000"));

        RecordMetadata written = KAFKA.produce("it.runtime", "key", "value");

        assertThat(written.topic()).isEqualTo("it.runtime");
        assertThat(KAFKA.topicConfig("it.runtime")).containsEntry("retention.ms", "3600000");
        assertThat(KAFKA.consume("it.runtime", 1, WAIT)).hasSize(1);
        KAFKA.createTopic("it.runtime"); // already exists: no error
    }

    @Test
    void consumingAMissingTopicFailsClearly() {
        assertThatThrownBy(() -> KAFKA.consume("it.no-such-topic", 1, Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("it.no-such-topic");
    }

    @Test
    void stopAndRestartKeepDataAndPort() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        int port = KAFKA.port();
        KAFKA.produce("it.outage", "before", "1");

        Map<String, Object> props = KAFKA.producerProps();
        // While the broker is down, send() itself blocks (up to max.block.ms) once the producer
        // has lost the topic's metadata, and delivery is retried until delivery.timeout.ms.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>("it.outage", "warm-up", "0")).get();

            KAFKA.stop();
            try {
                assertThat(KAFKA.isRunning()).isFalse();
                assertThat(accepts(port)).as("port %d refuses connections while stopped", port).isFalse();

                CompletableFuture<RecordMetadata> during = CompletableFuture.supplyAsync(() -> {
                    try {
                        return producer.send(new ProducerRecord<>("it.outage", "during", "2")).get();
                    } catch (InterruptedException | ExecutionException e) {
                        throw new CompletionException(e);
                    }
                });
                Thread.sleep(1_000);
                assertThat(during).isNotDone();

                long began = System.nanoTime();
                KAFKA.restart();
                System.out.printf("Kafka broker restarted in %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));

                assertThat(during.get(60, TimeUnit.SECONDS).topic()).isEqualTo("it.outage");
            } finally {
                if (!KAFKA.isRunning()) {
                    KAFKA.restart(); // leave the broker up for the other tests
                }
            }
        }

        assertThat(KAFKA.isRunning()).isTrue();
        assertThat(KAFKA.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(accepts(port)).isTrue();
        assertThat(KAFKA.consume("it.outage", 3, WAIT)).extracting(ConsumerRecord::key)
                .containsExactly("before", "warm-up", "during");
    }

    @Nested
    class NestedClasses {
        @Test
        void shareTheOuterBroker() {
            assertThat(KAFKA.isRunning()).isTrue();
            KAFKA.createTopic("it.nested");
            assertThat(KAFKA.produce("it.nested", "nested", "x").topic()).isEqualTo("it.nested");
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
