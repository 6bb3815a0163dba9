package io.fleetwarden.dashboard;

import java.util.Locale;

import io.fleetwarden.model.InfluxSchema;
import io.fleetwarden.model.InfluxSchema.Alerts;
import io.fleetwarden.model.InfluxSchema.DeviceHealth;
import io.fleetwarden.model.InfluxSchema.FleetAlerts;
import io.fleetwarden.model.InfluxSchema.FleetCohort;
import io.fleetwarden.model.InfluxSchema.FleetConnectivity;
import io.fleetwarden.model.InfluxSchema.FleetFirmware;

/**
 * Test fixture points in line protocol (precision ms) shaped exactly as stream-jobs writes them
 * (stream-jobs/README.md "InfluxDB schema", {@code io.fleetwarden.jobs.influx.InfluxPoints}): the same
 * measurements, tags and fields, every number a float (no {@code i} suffix), strings quoted. The names are
 * event-model's {@link InfluxSchema}, the constants stream-jobs writes with; the dashboard does not depend on
 * stream-jobs, so only the line protocol is repeated here.
 */
public final class StreamJobsPoints {

    private StreamJobsPoints() {
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    private static String str(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A {@code device_health} point (one telemetry report). */
    public static String deviceHealth(String tenant, String device, String model, String region, String firmware,
                                      double cpu, double memory, double bytesInPerS, double bytesOutPerS,
                                      int connections, boolean quarantined, long epochMillis) {
        return DeviceHealth.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + "," + DeviceHealth.TAG_DEVICE
                + "=" + device + "," + DeviceHealth.TAG_MODEL + "=" + model + "," + DeviceHealth.TAG_REGION + "=" + region
                + " " + DeviceHealth.FIRMWARE + "=" + str(firmware) + "," + DeviceHealth.CPU_PERCENT + "=" + f(cpu) + ","
                + DeviceHealth.MEMORY_PERCENT + "=" + f(memory) + "," + DeviceHealth.BYTES_IN_PER_S + "=" + f(bytesInPerS)
                + "," + DeviceHealth.BYTES_OUT_PER_S + "=" + f(bytesOutPerS) + "," + DeviceHealth.CONNECTIONS + "="
                + f(connections) + "," + DeviceHealth.LISTENING_PORTS + "=" + f(2) + "," + DeviceHealth.UPTIME_S + "="
                + f(3600) + "," + DeviceHealth.QUARANTINED + "=" + f(quarantined ? 1 : 0) + " " + epochMillis + "\n";
    }

    /** An {@code alerts} point (one alert revision about a device). */
    public static String deviceAlert(String tenant, String rule, String severity, String status, String alertId,
                                     int revision, String device, String summary, long epochMillis) {
        return Alerts.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + "," + Alerts.TAG_RULE + "=" + rule
                + "," + Alerts.TAG_SEVERITY + "=" + severity + "," + Alerts.TAG_STATUS + "=" + status + ","
                + Alerts.TAG_SUBJECT + "=device " + Alerts.ALERT_ID + "=" + str(alertId) + "," + Alerts.REVISION + "="
                + f(revision) + "," + Alerts.SUMMARY + "=" + str(summary) + "," + Alerts.DEVICE + "=" + str(device) + " "
                + epochMillis + "\n";
    }

    /** A {@code fleet_cohort} point (devices online in a cohort at the end of a minute). */
    public static String cohort(String tenant, String dimension, String cohort, double online, long epochMillis) {
        return FleetCohort.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + "," + FleetCohort.TAG_DIMENSION
                + "=" + dimension + "," + FleetCohort.TAG_COHORT + "=" + cohort + " " + FleetCohort.ONLINE + "="
                + f(online) + " " + epochMillis + "\n";
    }

    /** A {@code fleet_connectivity} point (reachability changes in a minute). */
    public static String connectivity(String tenant, double connects, double disconnects, long epochMillis) {
        return FleetConnectivity.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + " "
                + FleetConnectivity.CONNECTS + "=" + f(connects) + "," + FleetConnectivity.DISCONNECTS + "="
                + f(disconnects) + " " + epochMillis + "\n";
    }

    /** A {@code fleet_alerts} point (open gauge and alerts opened in a minute, per severity). */
    public static String alerts(String tenant, String severity, double open, double opened, long epochMillis) {
        return FleetAlerts.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + "," + FleetAlerts.TAG_SEVERITY
                + "=" + severity + " " + FleetAlerts.OPEN + "=" + f(open) + "," + FleetAlerts.OPENED + "=" + f(opened)
                + " " + epochMillis + "\n";
    }

    /** A {@code fleet_firmware} point (devices on a model's version at the end of a minute). */
    public static String firmware(String tenant, String model, String version, double devices, long epochMillis) {
        return FleetFirmware.MEASUREMENT + "," + InfluxSchema.TAG_TENANT + "=" + tenant + "," + FleetFirmware.TAG_MODEL
                + "=" + model + "," + FleetFirmware.TAG_VERSION + "=" + version + " " + FleetFirmware.DEVICES + "="
                + f(devices) + " " + epochMillis + "\n";
    }
}
