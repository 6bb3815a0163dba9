package io.fleetwarden.jobs.detect;

/**
 * Per-device behaviour state (Flink POJO kept in keyed state). Bounded by construction: three
 * baselines, one minute bucket, at most {@link BehaviourRules#MAX_KNOWN_DESTINATIONS} destination
 * digests, a burst window of the destination threshold and the current hour's outbound traffic. About 620 bytes
 * serialised.
 */
public class BehaviourState {

    public RobustBaseline messageRate = new RobustBaseline();
    public RobustBaseline traffic = new RobustBaseline();
    public RobustBaseline connections = new RobustBaseline();
    /** Start of the current one-minute bucket of telemetry messages (event time), or MIN_VALUE. */
    public long bucketStart = Long.MIN_VALUE;
    public int bucketCount;
    public int reports;
    /**
     * Keyed digests ({@link KeyedDigest}, SipHash with the job's secret key) of the destinations seen, a ring
     * replacing the oldest when full. Not {@code String.hashCode()}: a device chooses its destinations and could
     * pick ones colliding with known ones to hide them from CMP-NET-005.
     */
    public long[] knownDestinations = new long[0];
    public int nextSlot;
    /** Null until the first new destination after learning (see {@link BurstWindow#orNew}). */
    public BurstWindow newDestinations;
    /**
     * CMP-NET-005's long horizon. Null until the device's first new destination after learning: a device that keeps
     * to its destinations never pays for it (one byte of state).
     */
    public DestinationHorizon destHorizon;
    /**
     * The current event-time hour of outbound traffic (CMP-NET-004's slow horizon): its start (MIN_VALUE before the first
     * report), the sum of the reports' outbound bytes per second and their number. The closed hour's mean goes to the
     * model-peer stage on the report that closes it.
     */
    public long hourStart = Long.MIN_VALUE;
    public double hourBytesOut;
    public int hourReports;
    /** Bit set of open rules, see {@link BehaviourRules}. */
    public int open;

    public BehaviourState() {
    }
}
