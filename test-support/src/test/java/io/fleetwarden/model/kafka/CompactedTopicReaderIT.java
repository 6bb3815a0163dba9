package io.fleetwarden.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/** The shared replay reader against a real KRaft broker: replay, follow, bad records, a broker restart, a late topic. */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompactedTopicReaderIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(TopicSpec.compacted("controls").withPartitions(3))
            .topic(TopicSpec.compacted("views"))
            .topic(TopicSpec.compacted("restart"))
            .build();

    private static void send(String topic, String key, String value) {
        Map<String, Object> props = KAFKA.producerProps();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(ConsumerRecord<String, byte[]> r) {
        return r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void replaysFromTheBeginningIsCaughtUpAndKeepsFollowing() throws Exception {
        for (int i = 0; i < 50; i++) {
            send("controls", "dev-" + i, "v" + i);
        }
        send("controls", "dev-7", null); // a tombstone reaches the handler as null
        Map<String, String> state = new ConcurrentHashMap<>();
        List<String> order = new CopyOnWriteArrayList<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-replay")
                .on("controls", r -> {
                    order.add(r.key());
                    if (r.value() == null) {
                        state.remove(r.key());
                    } else {
                        state.put(r.key(), text(r));
                    }
                })
                .build()) {
            reader.start();
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(order).as("every record present at start was applied before caught-up").hasSize(51);
            assertThat(state).hasSize(49).doesNotContainKey("dev-7").containsEntry("dev-3", "v3");

            send("controls", "dev-new", "later");
            await().atMost(Duration.ofSeconds(20)).until(() -> "later".equals(state.get("dev-new")));
            assertThat(reader.skipped()).isZero();
            assertThat(reader.records()).isEqualTo(52);
        }
    }

    @Test
    @Order(2)
    void badRecordsAreCountedAndSkippedAndNeverStopTheReader() throws Exception {
        send("views", "a", "good-1");
        send("views", "b", "BAD");
        send("views", "c", "good-2");
        List<String> applied = new CopyOnWriteArrayList<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-bad")
                .on("views", r -> {
                    String v = text(r);
                    if (v == null || v.startsWith("BAD")) {
                        throw new IllegalArgumentException("unreadable value");
                    }
                    applied.add(v);
                })
                .build()) {
            reader.start();
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(applied).containsExactly("good-1", "good-2");
            assertThat(reader.skipped()).isEqualTo(1);
            assertThat(reader.lastError()).contains("views-0@1").contains("unreadable value");

            for (int i = 0; i < 5; i++) {
                send("views", "x" + i, "BAD-" + i);
            }
            send("views", "tomb", null);
            send("views", "d", "good-3");
            await().atMost(Duration.ofSeconds(20)).until(() -> applied.contains("good-3"));
            assertThat(reader.skipped()).isEqualTo(7);
            assertThat(applied).containsExactly("good-1", "good-2", "good-3");
        }
    }

    @Test
    @Order(3)
    void aBrokerRestartIsRetriedAndReadingGoesOn() throws Exception {
        send("restart", "k1", "before");
        List<String> applied = new CopyOnWriteArrayList<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-restart")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .on("restart", r -> applied.add(text(r)))
                .build()) {
            reader.start();
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            List<String> lateApplied = new CopyOnWriteArrayList<>();
            KAFKA.stop();
            // A second reader starts while the broker is down: its look-ups time out and are retried.
            try (CompactedTopicReader duringOutage = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-outage")
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .on("restart", r -> lateApplied.add(text(r)))
                    .build()) {
                try {
                    duringOutage.start();
                    await().atMost(Duration.ofSeconds(40)).until(() -> duringOutage.retries() > 0);
                    assertThat(duringOutage.isCaughtUp()).isFalse();
                    assertThat(duringOutage.isAlive()).as("Kafka away never ends the reading thread").isTrue();
                } finally {
                    KAFKA.restart();
                }
                send("restart", "k2", "after");
                await().atMost(Duration.ofSeconds(60)).until(() -> applied.contains("after"));
                assertThat(applied).as("nothing applied twice after the outage").containsExactly("before", "after");
                assertThat(reader.skipped()).isZero();
                assertThat(duringOutage.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> lateApplied.contains("after"));
                assertThat(lateApplied).containsExactly("before", "after");
            }
        }
    }

    @Test
    @Order(4)
    void aTopicCreatedLaterIsWaitedForAndCloseStopsPromptly() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-late")
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .on("late", r -> applied.add(text(r)))
                .build();
        try {
            reader.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> reader.retries() > 0);
            assertThat(reader.isCaughtUp()).isFalse();
            assertThat(reader.lastError()).contains("late");
            KAFKA.createTopic(TopicSpec.compacted("late"));
            send("late", "k", "first");
            await().atMost(Duration.ofSeconds(30)).until(() -> applied.contains("first"));
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        } finally {
            long began = System.nanoTime();
            reader.close();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
            assertThat(reader.isAlive()).as("close ends the reading thread").isFalse();
        }
    }

    @Test
    void settingsThatWouldBreakTheReplayAreRefused() {
        assertThatThrownBy(() -> CompactedTopicReader.builder("k:1", "c").property("group.id", "g"))
                .hasMessageContaining("group.id");
        assertThatThrownBy(() -> CompactedTopicReader.builder("k:1", "c").property("isolation.level", "read_uncommitted"))
                .hasMessageContaining("isolation.level");
        assertThatThrownBy(() -> CompactedTopicReader.builder("k:1", "c").build()).hasMessageContaining("no topic");
        assertThatThrownBy(() -> CompactedTopicReader.builder("k:1", "c").backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("backoff");
    }
}
