package io.fleetwarden.model.rules;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A configurable threshold of the detection catalogue: its configuration key (as given to
 * {@code --rule KEY=VALUE}), the kind of value, its default and what it means.
 *
 * @param key         configuration key, e.g. {@code auth.identity.count}
 * @param type        kind of value (and how it is validated)
 * @param defaultValue default, written as a configuration value ({@code 5}, {@code 60s}, {@code 0.3}, {@code 23,2323})
 * @param description what the threshold means
 */
public record Threshold(String key, Type type, @JsonProperty("default") String defaultValue, String description) {

    /** Kinds of threshold values. */
    public enum Type {
        /** A positive integer. */
        COUNT,
        /** A positive number. */
        NUMBER,
        /** A number in (0, 1]. */
        FRACTION,
        /** A positive duration ({@code 90s}, {@code 10m}, {@code 6h}, {@code 30d}, {@code 500ms} or ISO-8601). */
        DURATION,
        /** A comma-separated list of ports 1-65535. */
        PORTS
    }

    public Threshold {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type of " + key);
        Objects.requireNonNull(defaultValue, "default of " + key);
        Objects.requireNonNull(description, "description of " + key);
    }
}
