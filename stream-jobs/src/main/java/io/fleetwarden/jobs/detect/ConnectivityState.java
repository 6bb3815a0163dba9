package io.fleetwarden.jobs.detect;

/**
 * Per-device connectivity state (Flink POJO kept in keyed state; about 250 bytes serialised).
 * Times are event time in epoch millis.
 */
public class ConnectivityState {

    public String model;
    public String region;
    public String brokerId;
    /** Event time of the latest telemetry. */
    public long lastSeen = Long.MIN_VALUE;
    /** Learnt report interval (EWMA of gaps between reports), millis. */
    public double expectedIntervalMs;
    /** Whether the device is considered reachable; drives cohort changes. */
    public boolean reachable;
    /**
     * Whether the device was ever reachable before: its first appearance is reported to the cohorts
     * as {@link ConnectivityChange#FIRST_SEEN}, which counts as online but not as a reconnect.
     */
    public boolean seenBefore;
    /** Whether the device's last connection ended with a DISCONNECT: its next CONNECT is a reconnect. */
    public boolean disconnected;
    /**
     * Event time of the device's own clean DISCONNECT while it stays away (a reboot into an update, a retirement):
     * a planned absence arms no offline deadline. {@code Long.MIN_VALUE} when the device is not away by its own choice.
     */
    public long plannedAwaySince = Long.MIN_VALUE;
    /**
     * Event time of the CONNECT that ended a planned absence: until the device reports, its silence is counted from
     * there rather than from its last report. {@code Long.MIN_VALUE} when none.
     */
    public long rearmedAt = Long.MIN_VALUE;
    /** Whether RES-OFF-001 is open. */
    public boolean offlineOpen;
    public boolean connected;
    public String connectedAddress;
    public String previousAddress;
    /** Broker id of the current connection (null when unknown): a second live session on another broker is a second place. */
    public String connectedBroker;
    /** Burst windows of the flapping, ping-pong and two-address rules; null until their first event. */
    public BurstWindow flaps;
    public BurstWindow takeovers;
    public BurstWindow overlaps;
    /**
     * Event time of the platform's latest refusal of this device (refused publish or subscribe, invalid payload,
     * quarantine enforced); a broker disconnect right after it is the enforcement, not the device flapping.
     */
    public long lastRefusalAt = Long.MIN_VALUE;

    public ConnectivityState() {
    }
}
