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
    /**
     * Whether a reachability change took the device down since its latest report (read so far): a CONNECT read before
     * its offline deadline's timer, with nothing that took it down before, means it went down at that deadline.
     */
    public boolean downSinceReport;
    /** Whether RES-OFF-001 is open. */
    public boolean offlineOpen;
    /** Whether the open RES-OFF-001 was opened by a planned absence past {@code offline.plannedMax} (LOW severity). */
    public boolean offlinePlannedOpen;
    public boolean connected;
    public String connectedAddress;
    public String previousAddress;
    /** Broker id of the current connection (null when unknown): a second live session on another broker is a second place. */
    public String connectedBroker;
    /**
     * While connected, event time of the CONNECT that opened the current connection ({@code Long.MIN_VALUE} when none): a
     * DISCONNECT of the same place older than it ended an earlier session, not this one. While disconnected, event time
     * of the DISCONNECT that ended the last connection: a report older than it was sent before it (read late, since the
     * streams are read apart) and does not make the device reachable again.
     */
    public long connectedAt = Long.MIN_VALUE;
    /**
     * The other session still believed live after an overlap (a CONNECT from another place while connected): its place,
     * and its latest sign of life (the overlap, or a report from it). It stops counting as live at its DISCONNECT, or
     * {@code identity.window} after its latest sign of life.
     */
    public String otherAddress;
    public String otherBroker;
    public boolean otherLive;
    public long otherSeen = Long.MIN_VALUE;
    /** Event time of the latest overlap's CONNECT ({@code Long.MIN_VALUE} when none). */
    public long overlapAt = Long.MIN_VALUE;
    /**
     * Whether the latest overlap is still to be judged: a hand-over if the other session ends within
     * {@code identity.handover} of {@link #overlapAt}, else counted (at that deadline, or at once when the other session
     * reports after the overlap).
     */
    public boolean handoverPending;
    /** Whether the device's latest report came from the other session's place (each switch to it counts once). */
    public boolean lastReportFromOther;
    /** Whether the other session's reports past {@code identity.handover} after the overlap were counted (once). */
    public boolean otherLongCounted;
    /** The place the identity last handed over from, and when that session ended: a return to it is alternation. */
    public String leftAddress;
    public String leftBroker;
    public long leftAt = Long.MIN_VALUE;
    /**
     * Event time at which the broker reported taking over the session at the current place ({@code Long.MIN_VALUE} when
     * not): a newer session's CONNECT from another place within {@code identity.handover} is an overlap whose old
     * session already ended.
     */
    public long takenOverAt = Long.MIN_VALUE;
    /**
     * Event time of the DISCONNECT with which the device's broker drained it (planned maintenance); its first CONNECT
     * within {@code drain.reconnect} is a planned return. {@code Long.MIN_VALUE} when none.
     */
    public long drainedAt = Long.MIN_VALUE;
    /** Burst windows of the flapping, ping-pong and two-address rules; null until their first event. */
    public BurstWindow flaps;
    public BurstWindow takeovers;
    public BurstWindow overlaps;
    /**
     * Event time of the platform's latest refusal of this device (refused publish or subscribe, invalid payload,
     * quarantine enforced); a broker disconnect right after it is the enforcement, not the device flapping.
     */
    public long lastRefusalAt = Long.MIN_VALUE;
    /**
     * A silence whose telemetry end was read ahead of its security events and whose reachability changes are still
     * to be decided in event time; null otherwise (see {@link ReachabilityGap}).
     */
    public ReachabilityGap gap;

    public ConnectivityState() {
    }
}
