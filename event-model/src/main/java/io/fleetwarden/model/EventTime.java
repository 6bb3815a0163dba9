package io.fleetwarden.model;

import java.time.Duration;

/**
 * The platform's event time of a device reading, which a device cannot move.
 *
 * <p>A reading carries two clocks: {@code deviceTime}, what the device says (its own, possibly wrong or
 * forged clock), and {@code receivedAt}, when the broker accepted it (the broker's clock). The event time
 * every consumer orders, windows and watermarks by is the device time bounded to
 * {@code [receivedAt - skew, receivedAt]}: a reading cannot have been taken after the broker received it,
 * and a device may lag (buffering, retries, a slightly slow clock) by at most the skew window. Inside that
 * window the device's finer ordering is kept; outside it the edge of the window is used. So no device, and
 * no set of devices, can move event time (and a watermark built from it) beyond broker time, nor further
 * behind it than the window. {@code deviceTime} itself stays on the record, unchanged, as evidence.
 *
 * <p>The broker extension reports readings outside the window (beyond {@code skew} either way) as a
 * {@link SecurityEventReasons#DEVICE_CLOCK_SKEW} finding; the stream jobs apply {@link #bounded} to every
 * reading, including records of older brokers and replays. Both default to {@link #DEFAULT_SKEW}.
 */
public final class EventTime {

    /** Default skew window: two minutes either way. */
    public static final Duration DEFAULT_SKEW = Duration.ofMinutes(2);

    private EventTime() {
    }

    /**
     * The event time of a reading: {@code deviceTime} clamped to {@code [receivedAt - skewMs, receivedAt]}.
     *
     * @param deviceTime the device's claim, epoch ms
     * @param receivedAt the broker's receive time, epoch ms
     * @param skewMs     the skew window, ms, at least 0
     */
    public static long bounded(long deviceTime, long receivedAt, long skewMs) {
        long earliest = saturatedMinus(receivedAt, skewMs);
        return Math.min(receivedAt, Math.max(deviceTime, earliest));
    }

    /** {@link #bounded(long, long, long)} of a telemetry record. */
    public static long bounded(Telemetry t, long skewMs) {
        return bounded(t.getDeviceTime().toEpochMilli(), t.getReceivedAt().toEpochMilli(), skewMs);
    }

    /**
     * Whether the device's clock is outside the skew window either way ({@code |deviceTime - receivedAt| > skewMs}):
     * a finding about the device, whether or not it changes the event time.
     */
    public static boolean skewed(long deviceTime, long receivedAt, long skewMs) {
        return deviceTime > saturatedPlus(receivedAt, skewMs) || deviceTime < saturatedMinus(receivedAt, skewMs);
    }

    /** {@code deviceTime - receivedAt}, saturated at the long range: positive when the device is ahead. */
    public static long skewMs(long deviceTime, long receivedAt) {
        long d = deviceTime - receivedAt;
        // Overflow iff the operands have different signs and the result's sign differs from deviceTime's.
        if (((deviceTime ^ receivedAt) & (deviceTime ^ d)) < 0) {
            return deviceTime > receivedAt ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return d;
    }

    private static long saturatedMinus(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private static long saturatedPlus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
