package io.fleetwarden.model;

import java.util.Objects;

/**
 * A Kafka topic of the platform: its name, what its key is, and how it is stored.
 *
 * @param name        topic name
 * @param key         what the record key is
 * @param compacted   whether the topic is log-compacted (latest record per key is the state)
 * @param partitions  default partition count for a production deployment
 * @param description what the records are
 */
public record TopicSpec(String name, String key, boolean compacted, int partitions, String description) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
    }

    /** {@code cleanup.policy} value for this topic. */
    public String cleanupPolicy() {
        return compacted ? "compact" : "delete";
    }
}
