package io.fleetwarden.jobs.influx;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-tenant fleet counters (Flink POJO). Gauges (online per cohort, open alerts per severity,
 * devices per model and version) persist; rates (connects, disconnects, alerts opened) are per
 * minute bucket of event time and reset when the bucket is emitted.
 */
public class FleetHealthState {

    /** "dimension=value" to devices reachable. */
    public Map<String, Integer> online = new HashMap<>();
    /** Severity to open alerts. */
    public Map<String, Integer> openAlerts = new HashMap<>();
    /** "model|version" to devices. */
    public Map<String, Integer> firmware = new HashMap<>();
    /** Minute bucket start to [connects, disconnects]. */
    public Map<Long, int[]> connectivity = new HashMap<>();
    /** Minute bucket start to severity to alerts opened. */
    public Map<Long, Map<String, Integer>> opened = new HashMap<>();

    public FleetHealthState() {
    }
}
