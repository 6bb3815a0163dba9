package io.fleetwarden.dashboard.kafka;

/**
 * Writes one keyed record (value {@code null} = tombstone) and returns once it is durable.
 * The API reports success only after the write, so an action the caller saw succeed is never lost.
 */
@FunctionalInterface
public interface RecordPublisher {

    void publish(String topic, String key, byte[] value);
}
