package io.fleetwarden.jobs.detect;

/**
 * One device's outbound traffic relative to its model's same-hour peers (Flink POJO keyed by device, CMP-NET-004's slow
 * horizon): the log of its long-run ratio to the peer median, the first hours that seed it, the newest hour judged and
 * the run of hours far above it. About 60 bytes serialised.
 */
public class PeerRatioState {

    /** Log of the device's usual ratio to its peers' median (valid once {@link #seeded} reached the seed hours). */
    public double reference;
    /** Log ratios of the first hours, until they seed {@link #reference} (then empty). */
    public double[] seed = new double[0];
    public int seeded;
    /** Start of the newest hour judged (epoch millis); an hour not after it is ignored. */
    public long lastHour = Long.MIN_VALUE;
    /** Closed hours in a row at or above {@code traffic.peerRatio} times the reference. */
    public int streak;
    public boolean open;
    /** Event time of the newest input (the state is dropped {@code state.ttl} after it). */
    public long lastInput = Long.MIN_VALUE;

    public PeerRatioState() {
    }
}
