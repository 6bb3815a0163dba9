package io.fleetwarden.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.config.TopicConfig;

/**
 * What a test topic should look like: its name, partition count and topic-level configs.
 *
 * <p>Immutable; the {@code with*} methods return copies. The replication factor is always 1
 * because the test broker has a single node.
 *
 * <pre>{@code
 * TopicSpec.of("fleet.telemetry").withPartitions(3);
 * TopicSpec.compacted("fleet.device-controls");
 * }</pre>
 *
 * @param name       topic name, not blank
 * @param partitions number of partitions, at least 1
 * @param configs    topic-level configs such as {@code cleanup.policy}; copied
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    /** Validates and defensively copies the arguments. */
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1 but was " + partitions);
        }
        configs = Map.copyOf(Objects.requireNonNull(configs, "configs"));
    }

    /**
     * A topic with one partition and the broker's default configs.
     *
     * @param name topic name
     * @return the spec
     */
    public static TopicSpec of(String name) {
        return new TopicSpec(name, 1, Map.of());
    }

    /**
     * A log-compacted topic ({@code cleanup.policy=compact}) with one partition.
     *
     * @param name topic name
     * @return the spec
     */
    public static TopicSpec compacted(String name) {
        return of(name).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * Every platform topic of event-model {@code Topics.ALL}, configured as the platform configures it (compaction and
     * its other topic configs), with at most {@code maxPartitions} partitions each.
     *
     * @param maxPartitions the most partitions of a topic, at least 1
     * @return the specs, in the order a fresh cluster creates them
     */
    public static List<TopicSpec> platform(int maxPartitions) {
        List<TopicSpec> out = new ArrayList<>();
        for (io.fleetwarden.model.TopicSpec t : io.fleetwarden.model.Topics.ALL) {
            out.add(new TopicSpec(t.name(), Math.min(t.partitions(), maxPartitions), t.configs()));
        }
        return out;
    }

    /**
     * A copy with another partition count.
     *
     * @param count number of partitions, at least 1
     * @return the new spec
     */
    public TopicSpec withPartitions(int count) {
        return new TopicSpec(name, count, configs);
    }

    /**
     * A copy with one more (or replaced) topic-level config.
     *
     * @param key   config name, e.g. {@code retention.ms}
     * @param value config value
     * @return the new spec
     */
    public TopicSpec withConfig(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(configs);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new TopicSpec(name, partitions, copy);
    }

    /** @return whether {@code cleanup.policy} includes {@code compact} */
    public boolean isCompacted() {
        String policy = configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "");
        return policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
    }
}
