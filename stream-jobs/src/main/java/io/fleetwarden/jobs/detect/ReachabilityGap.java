package io.fleetwarden.jobs.detect;

/**
 * A stretch of a device's past whose reachability changes are not decided yet, because its telemetry was read ahead of
 * its security events (Flink POJO inside {@link ConnectivityState}; null for almost every device, one byte then).
 *
 * <p>The two streams are read apart: with watermark alignment one may run up to {@code --watermark-drift} ahead of the
 * other. When the report that ends a silence ({@link #to}) is read before the DISCONNECT and the CONNECT inside that
 * silence, deciding the silence at once would date the drop at the offline deadline and the return at the report, while
 * read in step the same device drops at its DISCONNECT and returns at its CONNECT. The cohorts would then see a different
 * outage depending on which partition happened to be read first. So the silence is kept here and decided in event
 * time: each security event inside it is applied when read (they come in order), and the offline deadline and the
 * return are decided when a security event past them is read or when the watermark reaches them (timers), whichever is
 * first. The changes are then the same whichever stream was read first.
 */
public class ReachabilityGap {

    /** Event time of the last report before the silence ({@code Long.MIN_VALUE}: the device never reported before). */
    public long from = Long.MIN_VALUE;
    /** Offline deadline of the silence (meaningful until {@link #deadlineDone}). */
    public long deadline = Long.MAX_VALUE;
    /** Whether the deadline is decided (or there is none: the device was already down when the silence was read). */
    public boolean deadlineDone;
    /** Whether the device said goodbye (its own clean DISCONNECT) before the deadline: a planned absence, no alert. */
    public boolean planned;
    /** Event time of the report that ended the silence: the device is reachable again at the latest then. */
    public long to;
    /** Reachability at the latest point of the silence decided so far (the changes emitted so far say this). */
    public boolean up;
    /** The learnt report interval when the silence began (its offline alert's evidence), millis. */
    public double expectedIntervalMs;

    public ReachabilityGap() {
    }

    /** A silence from {@code from} to {@code to}, decided at {@code deadline}; {@code up}: reachable when it began. */
    static ReachabilityGap silence(long from, long deadline, long to, boolean up, double expectedIntervalMs) {
        ReachabilityGap g = new ReachabilityGap();
        g.from = from;
        g.deadline = deadline;
        g.to = to;
        g.up = up;
        g.expectedIntervalMs = expectedIntervalMs;
        return g;
    }

    /**
     * A return read at {@code to} of a device already down (or never seen): only the return is left to decide; a
     * CONNECT before {@code to} not read yet is the real return.
     */
    static ReachabilityGap returnAt(long from, long to, double expectedIntervalMs) {
        ReachabilityGap g = silence(from, Long.MAX_VALUE, to, false, expectedIntervalMs);
        g.deadlineDone = true;
        return g;
    }

    /** Whether an event at {@code ts} falls inside the silence. */
    boolean covers(long ts) {
        return ts > from && ts <= to;
    }

    /** Event time of the next decision due by timer. */
    long nextDecision() {
        return deadlineDone ? to : deadline;
    }
}
