package io.fleetwarden.model;

import java.util.List;

/**
 * The InfluxDB schema of the platform: every measurement, tag and field name, defined once. stream-jobs writes
 * it ({@code io.fleetwarden.jobs.influx.InfluxPoints}, {@code FleetHealthFunction}) and dashboard-api reads it
 * ({@code fleet/InfluxHealthSeries}); both use these constants, so a rename changes both sides at once.
 * {@link #MEASUREMENTS} lists the same names as data: {@code InfluxSchemaTest} holds the schema tables of the
 * stream-jobs and dashboard-api READMEs to it.
 *
 * <p>Every numeric field is written as a float (line protocol without the {@code i} suffix); string fields are
 * listed in {@link Measurement#stringFields()}. The names are compile-time constants: using them on the writer's
 * hot path costs nothing.
 */
public final class InfluxSchema {

    private InfluxSchema() {
    }

    /** One measurement as data: its name, its tags (the tenant first) and its fields. */
    public record Measurement(String name, List<String> tags, List<String> numberFields, List<String> stringFields) {
    }

    /** Common tag on every measurement. */
    public static final String TAG_TENANT = "tenant";

    /** One point per telemetry report at the device's reading time ({@code deviceTime}). */
    public static final class DeviceHealth {
        public static final String MEASUREMENT = "device_health";
        public static final String TAG_DEVICE = "device";
        public static final String TAG_MODEL = "model";
        public static final String TAG_REGION = "region";
        public static final String FIRMWARE = "firmware";
        public static final String CPU_PERCENT = "cpu_percent";
        public static final String MEMORY_PERCENT = "memory_percent";
        public static final String BYTES_IN_PER_S = "bytes_in_per_s";
        public static final String BYTES_OUT_PER_S = "bytes_out_per_s";
        public static final String CONNECTIONS = "connections";
        public static final String LISTENING_PORTS = "listening_ports";
        public static final String UPTIME_S = "uptime_s";
        public static final String QUARANTINED = "quarantined";

        private DeviceHealth() {
        }
    }

    /**
     * One point per alert revision at its update time. The device id is a FIELD here (subject tag is
     * {@code device} or the cohort dimension), so InfluxQL DROP SERIES / DELETE cannot select it.
     */
    public static final class Alerts {
        public static final String MEASUREMENT = "alerts";
        public static final String TAG_RULE = "rule";
        public static final String TAG_SEVERITY = "severity";
        public static final String TAG_STATUS = "status";
        public static final String TAG_SUBJECT = "subject";
        /** {@link #TAG_SUBJECT} of an alert about one device; a cohort alert has its dimension there. */
        public static final String SUBJECT_DEVICE = "device";
        public static final String ALERT_ID = "alert_id";
        public static final String SUMMARY = "summary";
        public static final String DEVICE = "device";
        public static final String COHORT = "cohort";
        public static final String PARENT_ALERT_ID = "parent_alert_id";
        public static final String REVISION = "revision";

        private Alerts() {
        }
    }

    /** Devices online per cohort, a gauge at the end of each event-time minute. */
    public static final class FleetCohort {
        public static final String MEASUREMENT = "fleet_cohort";
        /** Values model, region, broker. */
        public static final String TAG_DIMENSION = "dimension";
        public static final String TAG_COHORT = "cohort";
        public static final String ONLINE = "online";

        private FleetCohort() {
        }
    }

    /** Reachability changes per tenant in each minute (counts, summed per bucket). */
    public static final class FleetConnectivity {
        public static final String MEASUREMENT = "fleet_connectivity";
        public static final String CONNECTS = "connects";
        public static final String DISCONNECTS = "disconnects";

        private FleetConnectivity() {
        }
    }

    /** Alerts per tenant and severity each minute: {@code open} a gauge, {@code opened} a count. */
    public static final class FleetAlerts {
        public static final String MEASUREMENT = "fleet_alerts";
        public static final String TAG_SEVERITY = "severity";
        public static final String OPEN = "open";
        public static final String OPENED = "opened";

        private FleetAlerts() {
        }
    }

    /** Devices per model and firmware version each minute (a gauge). */
    public static final class FleetFirmware {
        public static final String MEASUREMENT = "fleet_firmware";
        public static final String TAG_MODEL = "model";
        public static final String TAG_VERSION = "version";
        public static final String DEVICES = "devices";

        private FleetFirmware() {
        }
    }

    /** Every measurement, in the order of the README tables. */
    public static final List<Measurement> MEASUREMENTS = List.of(
            new Measurement(DeviceHealth.MEASUREMENT,
                    List.of(TAG_TENANT, DeviceHealth.TAG_DEVICE, DeviceHealth.TAG_MODEL, DeviceHealth.TAG_REGION),
                    List.of(DeviceHealth.CPU_PERCENT, DeviceHealth.MEMORY_PERCENT, DeviceHealth.BYTES_IN_PER_S,
                            DeviceHealth.BYTES_OUT_PER_S, DeviceHealth.CONNECTIONS, DeviceHealth.LISTENING_PORTS,
                            DeviceHealth.UPTIME_S, DeviceHealth.QUARANTINED),
                    List.of(DeviceHealth.FIRMWARE)),
            new Measurement(Alerts.MEASUREMENT,
                    List.of(TAG_TENANT, Alerts.TAG_RULE, Alerts.TAG_SEVERITY, Alerts.TAG_STATUS, Alerts.TAG_SUBJECT),
                    List.of(Alerts.REVISION),
                    List.of(Alerts.ALERT_ID, Alerts.SUMMARY, Alerts.DEVICE, Alerts.COHORT, Alerts.PARENT_ALERT_ID)),
            new Measurement(FleetCohort.MEASUREMENT,
                    List.of(TAG_TENANT, FleetCohort.TAG_DIMENSION, FleetCohort.TAG_COHORT),
                    List.of(FleetCohort.ONLINE), List.of()),
            new Measurement(FleetConnectivity.MEASUREMENT, List.of(TAG_TENANT),
                    List.of(FleetConnectivity.CONNECTS, FleetConnectivity.DISCONNECTS), List.of()),
            new Measurement(FleetAlerts.MEASUREMENT, List.of(TAG_TENANT, FleetAlerts.TAG_SEVERITY),
                    List.of(FleetAlerts.OPEN, FleetAlerts.OPENED), List.of()),
            new Measurement(FleetFirmware.MEASUREMENT,
                    List.of(TAG_TENANT, FleetFirmware.TAG_MODEL, FleetFirmware.TAG_VERSION),
                    List.of(FleetFirmware.DEVICES), List.of()));
}
