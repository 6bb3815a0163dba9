package io.fleetwarden.jobs.influx;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.InfluxSchema;
import io.fleetwarden.model.InfluxSchema.Alerts;
import io.fleetwarden.model.InfluxSchema.DeviceHealth;
import io.fleetwarden.model.Telemetry;

/**
 * Maps records to InfluxDB points. Measurement, tag and field names are event-model's {@link InfluxSchema}
 * (compile-time constants, read by dashboard-api too); the module README documents the schema.
 */
public final class InfluxPoints {

    public static final String DEVICE_HEALTH = DeviceHealth.MEASUREMENT;
    public static final String ALERTS = Alerts.MEASUREMENT;
    public static final String FLEET_COHORT = InfluxSchema.FleetCohort.MEASUREMENT;
    public static final String FLEET_CONNECTIVITY = InfluxSchema.FleetConnectivity.MEASUREMENT;
    public static final String FLEET_ALERTS = InfluxSchema.FleetAlerts.MEASUREMENT;
    public static final String FLEET_FIRMWARE = InfluxSchema.FleetFirmware.MEASUREMENT;

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
                .newTag(InfluxSchema.TAG_TENANT, t.getTenant()).newTag(DeviceHealth.TAG_DEVICE, t.getDeviceId()).newTag(DeviceHealth.TAG_MODEL, t.getModel())
                .newTag(DeviceHealth.TAG_REGION, t.getRegion())
                .newField(DeviceHealth.FIRMWARE, t.getFirmwareVersion())
                .newField(DeviceHealth.CPU_PERCENT, t.getCpuPercent())
                .newField(DeviceHealth.MEMORY_PERCENT, t.getMemoryPercent())
                .newField(DeviceHealth.BYTES_IN_PER_S, t.getBytesIn() / seconds)
                .newField(DeviceHealth.BYTES_OUT_PER_S, t.getBytesOut() / seconds)
                .newField(DeviceHealth.CONNECTIONS, t.getConnections().size())
                .newField(DeviceHealth.LISTENING_PORTS, t.getListeningPorts().size())
                .newField(DeviceHealth.UPTIME_S, t.getUptimeSeconds())
                .newField(DeviceHealth.QUARANTINED, t.getQuarantined() ? 1 : 0);
    }

    /**
     * One point per alert revision at its update time. The sub-millisecond part of the timestamp is
     * derived from the alert id and revision, so two alerts updated in the same millisecond with the
     * same tags do not overwrite each other, while a replayed revision lands on the same point.
     */
    public static HealthPoint alert(Alert a) {
        long salt = Math.floorMod((a.getAlertId() + "#" + a.getRevision()).hashCode(), 1_000_000);
        HealthPoint p = new HealthPoint(ALERTS, nanos(a.getUpdatedAt().toEpochMilli()) + salt)
                .tag(InfluxSchema.TAG_TENANT, a.getTenant()).tag(Alerts.TAG_RULE, a.getRuleId()).tag(Alerts.TAG_SEVERITY, a.getSeverity().name())
                .tag(Alerts.TAG_STATUS, a.getStatus().name())
                .tag(Alerts.TAG_SUBJECT, a.getDeviceId() != null ? Alerts.SUBJECT_DEVICE : a.getCohortDimension())
                .field(Alerts.ALERT_ID, a.getAlertId())
                .field(Alerts.REVISION, a.getRevision())
                .field(Alerts.SUMMARY, a.getSummary())
                .field(Alerts.DEVICE, a.getDeviceId())
                .field(Alerts.COHORT, a.getCohortValue())
                .field(Alerts.PARENT_ALERT_ID, a.getParentAlertId());
        return p;
    }
}
