package io.fleetwarden.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Kafka topic of the platform: its name, what its key is, and how it is stored.
 *
 * @param name         topic name
 * @param key          what the record key is
 * @param compacted    whether the topic is log-compacted (latest record per key is the state)
 * @param partitions   default partition count for a production deployment
 * @param description  what the records are
 * @param extraConfigs topic-level configs besides {@code cleanup.policy} (e.g. {@code min.compaction.lag.ms})
 */
public record TopicSpec(String name, String key, boolean compacted, int partitions, String description,
        Map<String, String> extraConfigs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        extraConfigs = Map.copyOf(Objects.requireNonNull(extraConfigs, "extraConfigs"));
        if (extraConfigs.containsKey("cleanup.policy")) {
            throw new IllegalArgumentException("cleanup.policy follows from compacted, not from extraConfigs");
        }
    }

    /** A topic with no configs besides its {@code cleanup.policy}. */
    public TopicSpec(String name, String key, boolean compacted, int partitions, String description) {
        this(name, key, compacted, partitions, description, Map.of());
    }

    /** {@code cleanup.policy} value for this topic. */
    public String cleanupPolicy() {
        return compacted ? "compact" : "delete";
    }

    /** Every topic-level config to create the topic with: {@code cleanup.policy} first, then the extra ones. */
    public Map<String, String> configs() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("cleanup.policy", cleanupPolicy());
        extraConfigs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> all.put(e.getKey(), e.getValue()));
        return all;
    }
}
