package io.fleetwarden.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What a test needs of a running Kafka, whichever runs it: the in-process broker ({@link KafkaExtension}) or the
 * cluster of separate processes ({@link KafkaCluster}). Lets a fixture that feeds a job and reads its output serve
 * tests on either.
 */
public interface KafkaEndpoint {

    /** @return the {@code bootstrap.servers} value */
    String bootstrapServers();

    /** @return producer settings (bootstrap servers, {@code acks=all}, idempotence); a new mutable map each call */
    Map<String, Object> producerProps();

    /**
     * Reads every partition of a topic from the beginning with {@code isolation.level=read_committed} until
     * {@code count} records arrived or {@code timeout} passed, and returns what it read.
     *
     * @param topic             topic name; must exist
     * @param count             number of records to wait for
     * @param timeout           how long to wait at most
     * @param keyDeserializer   key deserializer
     * @param valueDeserializer value deserializer
     * @param <K>               key type
     * @param <V>               value type
     * @return the records read
     */
    <K, V> List<ConsumerRecord<K, V>> consume(String topic, int count, Duration timeout, Deserializer<K> keyDeserializer,
                                              Deserializer<V> valueDeserializer);
}
