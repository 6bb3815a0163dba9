package io.fleetwarden.jobs.detect;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-device firmware state (Flink POJO in keyed state). {@link #open} maps each open rule to a keyed
 * digest ({@link KeyedDigest}) of its evidence, so a re-evaluation emits an update only when the evidence
 * changed (the evidence holds device-reported versions and hashes: no public hashCode).
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
    /** Null until the first failed update attempt (see {@link BurstWindow#orNew}). */
    public BurstWindow updateFailures;
    public String lastFailure;
    /**
     * Failed updates reported as update-result events (null until the first): a window of their own, so a failure
     * the device reports both in telemetry and as an event is not counted twice.
     */
    public BurstWindow eventFailures;
    public Map<String, Long> open = new HashMap<>();
    /**
     * Memo of the last evaluation (see {@link FirmwareRules#onTelemetry}): event time it ran at, the first
     * event time at which a time-dependent condition (grace period, end of support, certificate warning)
     * can flip, and the version of the reference data (catalog entry, advisories) it used
     * ({@link DeviceContext#referenceVersion()}). While the
     * device's firmware facts and the reference data stay the same and a report's time lies in
     * [{@link #evaluatedAt}, {@link #validUntil}), evaluating again would give exactly what is open.
     */
    public long evaluatedAt = Long.MIN_VALUE;
    public long validUntil = Long.MIN_VALUE;
    public long referenceVersion;

    public FirmwareState() {
    }
}
