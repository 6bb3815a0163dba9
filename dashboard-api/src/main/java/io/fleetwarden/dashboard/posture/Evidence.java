package io.fleetwarden.dashboard.posture;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One fact a standing rests on, with where it came from: a Kafka record ({@code source} = topic,
 * {@code key}, {@code partition}, {@code offset}), an alert ({@code source} = {@code fleet.alerts},
 * {@code alertId}), a vulnerability report ({@code source} = {@code disclosure-report}, {@code key} =
 * report id) or the platform's configuration ({@code source} = {@code config}, {@code key} = the
 * configuration key). {@code at} is when the platform observed the fact (broker receive time, alert
 * time, report time), never a device clock.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Evidence(String fact, String source, String key, Integer partition, Long offset, String alertId,
                       Instant at) {

    /** Where a Kafka record sits and when the platform received it. */
    public record RecordRef(String topic, String key, int partition, long offset, Instant at) {
    }

    /** Evidence from a Kafka record. */
    public static Evidence of(String fact, RecordRef ref) {
        return new Evidence(fact, ref.topic(), ref.key(), ref.partition(), ref.offset(), null, ref.at());
    }

    /** Evidence from a keyed record whose offset the API did not see (applied through the API before read-back). */
    public static Evidence keyed(String fact, String topic, String key, Instant at) {
        return new Evidence(fact, topic, key, null, null, null, at);
    }

    /** Evidence from an alert. */
    public static Evidence alert(String fact, String alertId, Instant at) {
        return new Evidence(fact, "fleet.alerts", null, null, null, alertId, at);
    }

    /** Evidence from the platform's configuration. */
    public static Evidence config(String fact, String key) {
        return new Evidence(fact, "config", key, null, null, null, null);
    }

    /** Evidence from a vulnerability report of the intake. */
    public static Evidence report(String fact, String reportId, Instant at) {
        return new Evidence(fact, "disclosure-report", reportId, null, null, null, at);
    }

    /** Whether the fact names its origin: a record (topic and key or offset), an alert id, a report or a configuration key. */
    @JsonIgnore
    public boolean hasProvenance() {
        if (fact == null || fact.isBlank() || source == null || source.isBlank()) {
            return false;
        }
        return offset != null || alertId != null || key != null;
    }
}
