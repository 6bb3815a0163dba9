package io.fleetwarden.dashboard.fleet;

/**
 * The InfluxDB measurement, tag and field names the dashboard reads — the ONE place they live in
 * dashboard-api. They mirror what stream-jobs writes: {@code io.fleetwarden.jobs.influx.InfluxPoints}
 * and {@code FleetHealthState} in stream-jobs, documented in stream-jobs/README.md
 * ("InfluxDB schema"), which is authoritative. dashboard-api does not depend on stream-jobs, so
 * {@code InfluxSchemaTest} pins these names and a rename on either side shows up as a failing test
 * and a README diff rather than as empty charts.
 *
 * <p>Every numeric field is written as a float (line protocol without the {@code i} suffix).
 */
public final class InfluxSchema {

    private InfluxSchema() {
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
}
