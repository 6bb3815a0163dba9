package io.fleetwarden.broker.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/** Buffer bound, drop counting, in-order retry when the producer cannot take a record. */
class KafkaForwarderTest {

    static SecurityEvent event(int i) {
        return new SecurityEvents(java.time.Clock.systemUTC()).build(SecurityEventType.CONNECT, "connected", "n" + i,
                null, "c" + i, null, null, BrokerContext.newBuilder().setBrokerId("b").setSourceAddress("10.0.0.1").build(),
                Map.of());
    }

    @Test
    void batchingSettingsKeepDeliveryGuarantees() {
        Map<String, Object> c = KafkaForwarder.producerConfig("localhost:9092");
        assertThat(c).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("retries", Integer.MAX_VALUE).containsEntry("delivery.timeout.ms", Integer.MAX_VALUE);
        // idempotence keeps order only with at most 5 requests in flight
        assertThat((Integer) c.get("max.in.flight.requests.per.connection")).isBetween(1, 5);
        assertThat((Integer) c.get("linger.ms")).isBetween(0, 50);
        // a real producer accepts the settings
        new org.apache.kafka.clients.producer.ProducerConfig(c);
    }

    @Test
    void recordsAreKeyedAndKeptInOrder() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        try (BrokerMetrics metrics = new BrokerMetrics()) {
            KafkaForwarder f = new KafkaForwarder(producer, metrics, 100);
            for (int i = 0; i < 10; i++) {
                f.securityEvent(event(i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 10);
            assertThat(producer.history()).allSatisfy(r -> {
                assertThat(r.topic()).isEqualTo(Topics.SECURITY_EVENTS);
                assertThat(r.key()).isEqualTo("addr:10.0.0.1");
            });
            assertThat(producer.history().stream().map(r -> Codecs.SECURITY_EVENT.tryDecode(r.value()).value().getDetail()))
                    .containsExactly("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9");
            assertThat(f.depth()).isZero();
            f.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void beyondTheBoundRecordsAreDroppedAndCounted() {
        // not auto-completing: records stay unacknowledged, as while Kafka is down
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        try (BrokerMetrics metrics = new BrokerMetrics()) {
            KafkaForwarder f = new KafkaForwarder(producer, metrics, 5);
            for (int i = 0; i < 8; i++) {
                f.securityEvent(event(i));
            }
            assertThat(f.dropped()).isEqualTo(3);
            assertThat(f.depth()).isEqualTo(5);
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 5);
            producer.completeNext();
            assertThat(f.depth()).isEqualTo(4);
            CounterSnapshot dropped = (CounterSnapshot) metrics.registry().scrape().stream()
                    .filter(m -> m.getMetadata().getName().equals("fleetwarden_broker_kafka_dropped")).findFirst().orElseThrow();
            assertThat(dropped.getDataPoints().get(0).getValue()).isEqualTo(3.0);
            f.close(Duration.ofMillis(200));
        }
    }

    @Test
    void immediateSendFailureIsRetriedInPlace() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        producer.sendException = new TimeoutException("metadata not available");
        try (BrokerMetrics metrics = new BrokerMetrics()) {
            KafkaForwarder f = new KafkaForwarder(producer, metrics, 100);
            f.securityEvent(event(1));
            f.securityEvent(event(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> f.depth() == 2);
            assertThat(producer.history()).isEmpty();
            producer.sendException = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
            assertThat(producer.history().stream().map(r -> Codecs.SECURITY_EVENT.tryDecode(r.value()).value().getDetail()))
                    .containsExactly("n1", "n2");
            assertThat(f.dropped()).isZero();
            f.close(Duration.ofSeconds(1));
        }
    }
}
