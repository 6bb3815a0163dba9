package io.fleetwarden.broker.validation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.EventTime;

/**
 * Watches each device's clock against the broker's (Code of Practice guideline 13: validate input data).
 * A telemetry reading whose {@code ts} lies outside the skew window around the broker's receive time is
 * counted for that device; the first such reading, and then at most one per {@code reportInterval} per
 * device, yields a {@link Report} that the caller turns into a {@code device-clock-skew} security event
 * carrying how many skewed readings it stands for. So a device whose clock is wrong for days produces one
 * event a minute, not one per reading, and the count is never lost.
 *
 * <p>The reading itself is not refused: its event time is bounded by the broker's receive time
 * ({@link EventTime}), so forwarding it cannot move anyone's event time, while refusing it would let a
 * device hide what it reports (open ports, firmware) simply by skewing its clock.
 *
 * <p>Thread-safe. Per-device state is kept for the broker's lifetime, like the rate-limit buckets (bounded
 * by the number of devices holding a valid certificate that ever sent a skewed reading).
 */
public final class ClockSkewMonitor {

    /** What to report for one device: the latest reading's skew and the skewed readings since the last report. */
    public record Report(long deviceTime, long receivedAt, long skewMs, long skewedReadings) {

        /** {@code ahead} or {@code behind}. */
        public String direction() {
            return skewMs > 0 ? "ahead" : "behind";
        }
    }

    private static final class DeviceSkew {
        long unreported;
        long lastReportAt = Long.MIN_VALUE;
    }

    private final long skewMs;
    private final long reportIntervalMs;
    private final Map<String, DeviceSkew> devices = new ConcurrentHashMap<>();

    public ClockSkewMonitor(Duration skew, Duration reportInterval) {
        if (skew.isNegative() || reportInterval.isNegative()) {
            throw new IllegalArgumentException("skew and report interval must not be negative");
        }
        this.skewMs = skew.toMillis();
        this.reportIntervalMs = reportInterval.toMillis();
    }

    /** The skew window, ms, either way. */
    public long skewMs() {
        return skewMs;
    }

    /** Whether a reading is outside the window; {@link #record} only needs calling for those. */
    public boolean skewed(long deviceTime, long receivedAt) {
        return EventTime.skewed(deviceTime, receivedAt, skewMs);
    }

    /**
     * Counts one skewed reading of {@code deviceKey}.
     *
     * @return a report when one is due (first skewed reading, or {@code reportInterval} after the previous
     *         report), else null
     */
    public Report record(String deviceKey, long deviceTime, long receivedAt) {
        DeviceSkew s = devices.computeIfAbsent(deviceKey, k -> new DeviceSkew());
        synchronized (s) {
            s.unreported++;
            if (s.lastReportAt != Long.MIN_VALUE && receivedAt - s.lastReportAt < reportIntervalMs) {
                return null;
            }
            long n = s.unreported;
            s.unreported = 0;
            s.lastReportAt = receivedAt;
            return new Report(deviceTime, receivedAt, EventTime.skewMs(deviceTime, receivedAt), n);
        }
    }

    /** Number of devices that sent at least one skewed reading since the broker started. */
    public int devicesSeenSkewed() {
        return devices.size();
    }
}
