package io.fleetwarden.dashboard.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The time-series queries the API needs over what stream-jobs writes to InfluxDB (names in
 * {@link io.fleetwarden.model.InfluxSchema}). Implementations must treat tenant and device ids as data, never as query
 * text. Buckets are {@code [from, to)} cut into {@code step}-long intervals aligned to the epoch.
 */
public interface HealthSeries {

    /** One series: a name, its tags and points of (time, field values). */
    record Series(String name, Map<String, String> tags, List<Point> points) {
    }

    /** One bucket of a series; values may be null where the bucket had no data. */
    record Point(Instant time, Map<String, Double> values) {
    }

    /**
     * What a decommission erased: the series keys dropped, and what could not be erased with the
     * reason and how many points remain (so the API never claims more than it did).
     */
    record Erasure(List<String> erasedSeries, List<Retained> retained) {
    }

    /** Data of the device that stays in the store, and why. */
    record Retained(String measurement, long points, String reason) {
    }

    /**
     * Per-device health in buckets of {@code step}: mean cpu_percent, memory_percent,
     * bytes_in_per_s, bytes_out_per_s, max connections and listening_ports, max quarantined.
     */
    List<Series> deviceHealth(String tenant, String deviceId, Instant from, Instant to, Duration step);

    /**
     * Devices online per cohort ({@code fleet_cohort}, mean of the per-minute gauge per bucket) for
     * {@code tenants} (empty = all), one series per tenant, dimension and cohort; {@code dimension}
     * null = all dimensions.
     */
    List<Series> cohorts(Set<String> tenants, String dimension, Instant from, Instant to, Duration step);

    /** Connects and disconnects per tenant ({@code fleet_connectivity}, summed per bucket). */
    List<Series> connectivity(Set<String> tenants, Instant from, Instant to, Duration step);

    /**
     * Alerts per tenant and severity ({@code fleet_alerts}): {@code open} (last gauge value in the
     * bucket) and {@code opened} (summed per bucket).
     */
    List<Series> alertCounts(Set<String> tenants, Instant from, Instant to, Duration step);

    /**
     * Firmware distribution model -> version -> devices ({@code fleet_firmware}) at each tenant's
     * newest minute in {@code [from, to)} (stream-jobs writes no point for a version at zero devices,
     * so older minutes' versions are gone), summed over {@code tenants}.
     */
    Map<String, Map<String, Integer>> firmwareDistribution(Set<String> tenants, Instant from, Instant to);

    /** Erases the device's series where the schema allows it (decommission); see {@link Erasure}. */
    Erasure eraseDevice(String tenant, String deviceId);

    /** Whether the store answers (readiness). */
    boolean ping();
}
