package io.fleetwarden.jobs.detect;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-device firmware state (Flink POJO in keyed state). {@link #open} maps each open rule to a
 * fingerprint of its evidence, so a re-evaluation emits an update only when the evidence changed.
 */
public class FirmwareState {

    public String tenant;
    public String deviceId;
    public String model;
    public String version;
    public String highestVersion;
    public String imageHash;
    /** Certificate expiry (epoch millis) or MIN_VALUE when unknown. */
    public long certificateNotAfter = Long.MIN_VALUE;
    /** Event time of the latest telemetry. */
    public long lastSeen = Long.MIN_VALUE;
    public BurstWindow updateFailures = new BurstWindow();
    public String lastFailure;
    public Map<String, Integer> open = new HashMap<>();

    public FirmwareState() {
    }
}
