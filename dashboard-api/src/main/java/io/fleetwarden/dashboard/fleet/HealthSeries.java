package io.fleetwarden.dashboard.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The time-series queries the API needs, kept behind one small interface because the stream
 * jobs' measurement names are not final (see the module README for the assumed schema).
 * Implementations must treat tenant and device ids as data, never as query text.
 */
public interface HealthSeries {

    /** One series: a name, its tags and points of (time, field values). */
    record Series(String name, Map<String, String> tags, List<Point> points) {
    }

    /** One bucket of a series; values may be null where the bucket had no data. */
    record Point(Instant time, Map<String, Double> values) {
    }

    /** Per-device health (cpu, memory, bytes in/out) in buckets of {@code step}. */
    List<Series> deviceHealth(String tenant, String deviceId, Instant from, Instant to, Duration step);

    /**
     * Fleet health per cohort (online, connects, disconnects) for {@code tenants} (empty = all),
     * grouped by tenant and {@code cohort_dimension}/{@code cohort_value}, in buckets of {@code step}.
     */
    List<Series> fleetHealth(Set<String> tenants, String cohortDimension, Instant from, Instant to, Duration step);

    /** Alert counts per severity in buckets of {@code step}. */
    List<Series> alertCounts(Set<String> tenants, Instant from, Instant to, Duration step);

    /**
     * Erases every series of one device (decommission); returns the series keys that were
     * erased.
     */
    List<String> eraseDevice(String tenant, String deviceId);

    /** Whether the store answers (readiness). */
    boolean ping();
}
