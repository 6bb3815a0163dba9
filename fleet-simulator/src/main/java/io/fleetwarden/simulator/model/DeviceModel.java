package io.fleetwarden.simulator.model;

import java.util.List;

/**
 * How one kind of device behaves when nothing is wrong: how often it reports, which firmware it
 * can run, and the normal range of every reading. Readings are drawn around {@code *Mean} values,
 * scaled by the device's own factor and the time of day (see {@link TelemetryGenerator}).
 *
 * @param name               model name as it appears in telemetry and the firmware catalog
 * @param vendor             vendor shown in the catalog
 * @param intervalSeconds    nominal telemetry interval
 * @param jitterFraction     each interval is drawn uniformly within {@code ±jitterFraction} of nominal
 * @param cpuMean            mean cpu percent
 * @param memoryMean         mean memory percent
 * @param bytesOutPerSecond  mean upstream traffic
 * @param bytesInPerSecond   mean downstream traffic
 * @param diurnalAmplitude   relative amplitude of the daily traffic curve (0 = flat)
 * @param peakHourUtc        hour of the daily traffic peak in the device's region, as UTC offset-free hour
 * @param listeningPorts     ports the genuine firmware listens on
 * @param cloudEndpoints     addresses the genuine firmware talks to (vendor cloud)
 * @param cloudPort          port of the vendor cloud
 * @param releases           firmware releases, oldest first; the last one is the latest
 */
public record DeviceModel(
        String name,
        String vendor,
        int intervalSeconds,
        double jitterFraction,
        double cpuMean,
        double memoryMean,
        long bytesOutPerSecond,
        long bytesInPerSecond,
        double diurnalAmplitude,
        int peakHourUtc,
        List<Integer> listeningPorts,
        List<String> cloudEndpoints,
        int cloudPort,
        List<Release> releases) {

    public DeviceModel {
        if (intervalSeconds < 1) {
            throw new IllegalArgumentException("intervalSeconds must be >= 1 for model " + name);
        }
        if (jitterFraction < 0 || jitterFraction >= 1) {
            throw new IllegalArgumentException("jitterFraction must be in [0,1) for model " + name);
        }
        if (releases.size() < 3) {
            throw new IllegalArgumentException("model " + name + " needs at least 3 releases (stale, previous, latest)");
        }
        listeningPorts = List.copyOf(listeningPorts);
        cloudEndpoints = List.copyOf(cloudEndpoints);
        releases = List.copyOf(releases);
    }

    /**
     * A firmware release. {@code ageDays} is how long before the start of the run it was released,
     * so catalog dates stay meaningful whenever the simulator runs.
     */
    public record Release(String version, int ageDays) {
    }

    /** The newest release. */
    public Release latest() {
        return releases.get(releases.size() - 1);
    }

    /** The release before the latest: genuine devices that have not updated yet run it. */
    public Release previous() {
        return releases.get(releases.size() - 2);
    }

    /** The oldest release: long superseded, so a device still on it is stale. */
    public Release oldest() {
        return releases.get(0);
    }
}
