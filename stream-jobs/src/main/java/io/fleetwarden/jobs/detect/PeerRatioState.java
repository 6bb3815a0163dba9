package io.fleetwarden.jobs.detect;

/**
 * One device's outbound traffic relative to its model's same-hour peers (Flink POJO keyed by device, CMP-NET-004's slow
 * horizon): the log of its usual ratio to the peer median and its usual hour-to-hour spread around it, the first hours
 * that seed them, the newest hour judged, the accumulated excess (the sequential test's sum) and the hours it has been
 * positive. About 40 bytes serialised once seeded (the seed array is null then), plus the state TTL's timestamp.
 */
public class PeerRatioState {

    /** Log of the device's usual ratio to its peers' median (valid once {@link #seeded} reached the seed hours). */
    public double reference;
    /** Log ratios of the first hours within the peers' fence, until they seed {@link #reference} (null before and after). */
    public double[] seed;
    /** Hours seeded so far (at most {@code PeerRatioRules.SEED_HOURS}). */
    public byte seeded;
    /** Mean absolute hour-to-hour deviation of the log ratio from {@link #reference} (learnt like it). */
    public float spread;
    /** The sequential test's sum: accumulated log excess beyond the allowance (0 = nothing accumulated). */
    public float cusum;
    /** Start of the newest hour judged (epoch millis); an hour not after it is ignored. */
    public long lastHour = Long.MIN_VALUE;
    /** Closed hours in a row with a positive {@link #cusum} (the alert's evidence window). */
    public int streak;
    public boolean open;

    public PeerRatioState() {
    }
}
