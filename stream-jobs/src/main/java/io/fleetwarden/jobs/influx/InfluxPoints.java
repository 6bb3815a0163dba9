package io.fleetwarden.jobs.influx;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;

/**
 * Maps records to InfluxDB points. The schema is documented in the module README; measurement,
 * tag and field names are part of the dashboard contract.
 */
public final class InfluxPoints {

    public static final String DEVICE_HEALTH = "device_health";
    public static final String ALERTS = "alerts";
    public static final String FLEET_COHORT = "fleet_cohort";
    public static final String FLEET_CONNECTIVITY = "fleet_connectivity";
    public static final String FLEET_ALERTS = "fleet_alerts";
    public static final String FLEET_FIRMWARE = "fleet_firmware";

    private InfluxPoints() {
    }

    public static long nanos(long millis) {
        return millis * 1_000_000L;
    }

    /** One point per telemetry report, at the device's reading time. */
    public static HealthPoint deviceHealth(Telemetry t) {
        double seconds = Math.max(1, t.getIntervalSeconds());
        // Distinct fixed keys: the no-lookup builders (one point per report).
        return new HealthPoint(DEVICE_HEALTH, nanos(t.getDeviceTime().toEpochMilli()))
                .newTag("tenant", t.getTenant()).newTag("device", t.getDeviceId()).newTag("model", t.getModel())
                .newTag("region", t.getRegion())
                .newField("firmware", t.getFirmwareVersion())
                .newField("cpu_percent", t.getCpuPercent())
                .newField("memory_percent", t.getMemoryPercent())
                .newField("bytes_in_per_s", t.getBytesIn() / seconds)
                .newField("bytes_out_per_s", t.getBytesOut() / seconds)
                .newField("connections", t.getConnections().size())
                .newField("listening_ports", t.getListeningPorts().size())
                .newField("uptime_s", t.getUptimeSeconds())
                .newField("quarantined", t.getQuarantined() ? 1 : 0);
    }

    /**
     * One point per alert revision at its update time. The sub-millisecond part of the timestamp is
     * derived from the alert id and revision, so two alerts updated in the same millisecond with the
     * same tags do not overwrite each other, while a replayed revision lands on the same point.
     */
    public static HealthPoint alert(Alert a) {
        long salt = Math.floorMod((a.getAlertId() + "#" + a.getRevision()).hashCode(), 1_000_000);
        HealthPoint p = new HealthPoint(ALERTS, nanos(a.getUpdatedAt().toEpochMilli()) + salt)
                .tag("tenant", a.getTenant()).tag("rule", a.getRuleId()).tag("severity", a.getSeverity().name())
                .tag("status", a.getStatus().name())
                .tag("subject", a.getDeviceId() != null ? "device" : a.getCohortDimension())
                .field("alert_id", a.getAlertId())
                .field("revision", a.getRevision())
                .field("summary", a.getSummary())
                .field("device", a.getDeviceId())
                .field("cohort", a.getCohortValue())
                .field("parent_alert_id", a.getParentAlertId());
        return p;
    }
}
