package io.fleetwarden.jobs.detect;

/**
 * Per-device behaviour state (Flink POJO kept in keyed state). Bounded by construction: three
 * baselines, one minute bucket, at most {@link BehaviourRules#MAX_KNOWN_DESTINATIONS} destination
 * digests and a burst window of the destination threshold. About 600 bytes serialised.
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
    /** Bit set of open rules, see {@link BehaviourRules}. */
    public int open;

    public BehaviourState() {
    }
}
