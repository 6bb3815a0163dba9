package io.fleetwarden.jobs.kafka;

import java.time.Duration;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (newest timestamp minus the allowed disorder, like Flink's
 * {@code BoundedOutOfOrdernessWatermarks}) that are also emitted from the event itself whenever they moved
 * at least {@code step} of event time since the last one emitted.
 *
 * <p>Why: watermark alignment ({@code WatermarkStrategy.withWatermarkAlignment}) pauses a source once its
 * watermark is ahead of its group, but it only sees the watermarks the source emits. Emitted periodically
 * alone (every 200 ms of processing time), a source reading a backlog covers hours of event time between
 * two watermarks and runs that far ahead before alignment can stop it. Emitting at every {@code step} of
 * event time bounds that overshoot by event time instead. Live (event time close to wall time) the periodic
 * emission comes first and nothing changes; on a backlog the number of watermarks grows with the event time
 * covered (one per {@code step}), not with the records read.
 *
 * <p>Time: event time only; nothing reads a clock.
 */
public final class SteppedWatermarks<T> implements WatermarkGenerator<T> {

    private final long delay;
    private final long step;
    private long newest;
    private long lastEmitted = Long.MIN_VALUE;

    /**
     * @param outOfOrderness how far behind the newest timestamp the watermark stays (not negative)
     * @param step           event time the watermark must move before an event emits it (positive)
     */
    public SteppedWatermarks(Duration outOfOrderness, Duration step) {
        if (outOfOrderness.isNegative()) {
            throw new IllegalArgumentException("out-of-orderness must not be negative, got " + outOfOrderness);
        }
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("watermark step must be positive, got " + step);
        }
        this.delay = outOfOrderness.toMillis();
        this.step = step.toMillis();
        // As BoundedOutOfOrdernessWatermarks: no underflow before the first event.
        this.newest = Long.MIN_VALUE + delay + 1;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        if (eventTimestamp > newest) {
            newest = eventTimestamp;
            long wm = current();
            // lastEmitted + step cannot overflow: lastEmitted is MIN_VALUE or a past watermark.
            if (lastEmitted == Long.MIN_VALUE || wm - lastEmitted >= step) {
                emit(wm, output);
            }
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        emit(current(), output); // as BoundedOutOfOrdernessWatermarks: every period, also when unchanged
    }

    private long current() {
        return newest - delay - 1;
    }

    private void emit(long wm, WatermarkOutput output) {
        lastEmitted = wm;
        output.emitWatermark(new Watermark(wm));
    }
}
