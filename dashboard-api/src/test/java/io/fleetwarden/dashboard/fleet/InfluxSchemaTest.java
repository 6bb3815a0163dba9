package io.fleetwarden.dashboard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Pins the InfluxDB names the dashboard reads to the schema table in stream-jobs/README.md (the
 * writer is {@code io.fleetwarden.jobs.influx.InfluxPoints}). If stream-jobs renames a measurement,
 * tag or field, change {@link InfluxSchema} and this table together; a change to one alone fails here.
 */
class InfluxSchemaTest {

    @Test
    void deviceHealthMatchesStreamJobsWriter() {
        assertThat(InfluxSchema.DeviceHealth.MEASUREMENT).isEqualTo("device_health");
        assertThat(List.of(InfluxSchema.TAG_TENANT, InfluxSchema.DeviceHealth.TAG_DEVICE, InfluxSchema.DeviceHealth.TAG_MODEL,
                InfluxSchema.DeviceHealth.TAG_REGION)).containsExactly("tenant", "device", "model", "region");
        assertThat(List.of(InfluxSchema.DeviceHealth.FIRMWARE, InfluxSchema.DeviceHealth.CPU_PERCENT,
                InfluxSchema.DeviceHealth.MEMORY_PERCENT, InfluxSchema.DeviceHealth.BYTES_IN_PER_S,
                InfluxSchema.DeviceHealth.BYTES_OUT_PER_S, InfluxSchema.DeviceHealth.CONNECTIONS,
                InfluxSchema.DeviceHealth.LISTENING_PORTS, InfluxSchema.DeviceHealth.UPTIME_S,
                InfluxSchema.DeviceHealth.QUARANTINED)).containsExactly("firmware", "cpu_percent", "memory_percent",
                "bytes_in_per_s", "bytes_out_per_s", "connections", "listening_ports", "uptime_s", "quarantined");
    }

    @Test
    void alertsMatchStreamJobsWriter() {
        assertThat(InfluxSchema.Alerts.MEASUREMENT).isEqualTo("alerts");
        assertThat(List.of(InfluxSchema.Alerts.TAG_RULE, InfluxSchema.Alerts.TAG_SEVERITY, InfluxSchema.Alerts.TAG_STATUS,
                InfluxSchema.Alerts.TAG_SUBJECT)).containsExactly("rule", "severity", "status", "subject");
        assertThat(List.of(InfluxSchema.Alerts.ALERT_ID, InfluxSchema.Alerts.SUMMARY, InfluxSchema.Alerts.DEVICE,
                InfluxSchema.Alerts.COHORT, InfluxSchema.Alerts.PARENT_ALERT_ID, InfluxSchema.Alerts.REVISION))
                .containsExactly("alert_id", "summary", "device", "cohort", "parent_alert_id", "revision");
    }

    @Test
    void fleetMeasurementsMatchStreamJobsWriter() {
        assertThat(List.of(InfluxSchema.FleetCohort.MEASUREMENT, InfluxSchema.FleetCohort.TAG_DIMENSION,
                InfluxSchema.FleetCohort.TAG_COHORT, InfluxSchema.FleetCohort.ONLINE))
                .containsExactly("fleet_cohort", "dimension", "cohort", "online");
        assertThat(List.of(InfluxSchema.FleetConnectivity.MEASUREMENT, InfluxSchema.FleetConnectivity.CONNECTS,
                InfluxSchema.FleetConnectivity.DISCONNECTS))
                .containsExactly("fleet_connectivity", "connects", "disconnects");
        assertThat(List.of(InfluxSchema.FleetAlerts.MEASUREMENT, InfluxSchema.FleetAlerts.TAG_SEVERITY,
                InfluxSchema.FleetAlerts.OPEN, InfluxSchema.FleetAlerts.OPENED))
                .containsExactly("fleet_alerts", "severity", "open", "opened");
        assertThat(List.of(InfluxSchema.FleetFirmware.MEASUREMENT, InfluxSchema.FleetFirmware.TAG_MODEL,
                InfluxSchema.FleetFirmware.TAG_VERSION, InfluxSchema.FleetFirmware.DEVICES))
                .containsExactly("fleet_firmware", "model", "version", "devices");
    }

    @Test
    void queriesQuoteIdentifiersAndOnlyValidatedTenants() {
        assertThat(InfluxHealthSeries.id("open")).isEqualTo("\"open\"");
        assertThat(InfluxHealthSeries.tenantClause(java.util.Set.of("acme", "globex")))
                .isEqualTo(" AND (\"tenant\" = 'acme' OR \"tenant\" = 'globex')");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InfluxHealthSeries.tenantClause(java.util.Set.of("a' OR '1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
