package io.fleetwarden.dashboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.testsupport.Ports;

/** A write Kafka does not confirm is a 503 naming why, after the producer's own timeouts, never a hang. */
class KafkaRecordPublisherTest {

    @Test
    void noReachableKafkaIsA503WithItsReasonNotAHang() {
        try (KafkaRecordPublisher p = new KafkaRecordPublisher("127.0.0.1:" + Ports.freePort())) {
            ApiException e = catchThrowableOfType(ApiException.class,
                    () -> p.publish("fleet.device-controls", "acme/dev-1", "x".getBytes(StandardCharsets.UTF_8)));
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.type()).isEqualTo("unavailable/kafka-timeout");
            assertThat(e.getMessage()).contains("fleet.device-controls").contains("not recorded");
        }
    }

    @Test
    void eachKafkaFailureHasItsOwnReason() {
        assertThat(KafkaRecordPublisher.unavailable(new NotEnoughReplicasException("x"), "t").type())
                .isEqualTo("unavailable/kafka-not-enough-replicas");
        assertThat(KafkaRecordPublisher.unavailable(new TopicAuthorizationException("x"), "t").type())
                .isEqualTo("unavailable/kafka-not-authorized");
        assertThat(KafkaRecordPublisher.unavailable(new UnknownTopicOrPartitionException("x"), "t").type())
                .isEqualTo("unavailable/kafka-unknown-topic");
        assertThat(KafkaRecordPublisher.unavailable(new TimeoutException("x"), "t").getMessage()).contains("30 s");
        assertThat(KafkaRecordPublisher.unavailable(new IllegalStateException("internal detail"), "t").getMessage())
                .doesNotContain("internal detail");
    }
}
