package io.fleetwarden.broker.validation;

/**
 * A token bucket: {@code capacity} tokens, refilled continuously at {@code ratePerSecond}. Time is
 * passed in (nanoseconds from any monotonic source), so tests control it. Thread-safe.
 */
public final class TokenBucket {

    private final double capacity;
    private final double perNano;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, int capacity, long nowNanos) {
        this.capacity = capacity;
        this.perNano = ratePerSecond / 1_000_000_000d;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryTake(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - last);
        last = Math.max(last, nowNanos);
        tokens = Math.min(capacity, tokens + elapsed * perNano);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
