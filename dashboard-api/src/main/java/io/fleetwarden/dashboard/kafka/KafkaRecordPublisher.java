package io.fleetwarden.dashboard.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * {@link RecordPublisher} on an idempotent Kafka producer with {@code acks=all}. Thread-safe.
 *
 * <p>Time: a write waits for Kafka's acknowledgement up to {@link #DELIVERY_TIMEOUT}, which outlasts a partition
 * leader fail-over in a three-node cluster (the dead broker is noticed after {@code broker.session.timeout.ms},
 * 9 s by default; the election from the in-sync replicas and the producer's metadata refresh add a second or two;
 * under load 10-15 s in all), so an operator's action during a broker restart or crash is recorded, just later. It
 * stays short enough for an HTTP caller to wait. When the write still fails, the caller gets 503 with a problem type
 * naming why ({@code unavailable/kafka-timeout}, {@code unavailable/kafka-not-enough-replicas},
 * {@code unavailable/kafka-not-authorized}, {@code unavailable/kafka-unknown-topic},
 * {@code unavailable/kafka-record-too-large}, {@code unavailable/kafka-unavailable}) and the action is not recorded.
 */
public final class KafkaRecordPublisher implements RecordPublisher, AutoCloseable {

    /** How long a write may take, retries included: two leader fail-overs' worth. */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    /** How long a send may wait for metadata (the topic's leader) before it is even queued. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaProducer<String, byte[]> producer;

    public KafkaRecordPublisher(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "dashboard-api");
        KafkaClientSecurity.configured().applyTo(p);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(String topic, String key, byte[] value) {
        try {
            // the producer's own timeouts end the wait first; this bound only guards against a stuck future
            producer.send(new ProducerRecord<>(topic, key, value))
                    .get(DELIVERY_TIMEOUT.plus(MAX_BLOCK).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable/kafka-unavailable", "Service unavailable",
                    "interrupted while writing to Kafka; the action was not recorded, retry");
        } catch (ExecutionException e) {
            throw unavailable(e.getCause(), topic);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unavailable(new TimeoutException("no answer"), topic);
        } catch (RuntimeException e) {
            throw unavailable(e, topic);
        }
    }

    /** The 503 for a failed write: a problem type and detail naming why, never Kafka's internals. */
    static ApiException unavailable(Throwable cause, String topic) {
        String reason;
        String why;
        if (cause instanceof NotEnoughReplicasException || cause instanceof NotEnoughReplicasAfterAppendException) {
            reason = "kafka-not-enough-replicas";
            why = "too few in-sync replicas of " + topic + " to accept the write (brokers down or catching up)";
        } else if (cause instanceof TimeoutException) {
            reason = "kafka-timeout";
            why = "Kafka did not confirm the write to " + topic + " within " + DELIVERY_TIMEOUT.toSeconds()
                    + " s (no reachable leader, e.g. during a broker fail-over)";
        } else if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
            reason = "kafka-not-authorized";
            why = "this service may not write " + topic + " (its Kafka principal or ACLs); an operator must fix it";
        } else if (cause instanceof UnknownTopicOrPartitionException) {
            reason = "kafka-unknown-topic";
            why = "topic " + topic + " does not exist in Kafka";
        } else if (cause instanceof RecordTooLargeException) {
            reason = "kafka-record-too-large";
            why = "the record is larger than Kafka accepts for " + topic;
        } else {
            reason = "kafka-unavailable";
            why = "could not write to " + topic;
        }
        return new ApiException(503, "unavailable/" + reason, "Service unavailable",
                why + "; the action was not recorded, retry");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
