package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class SteppedWatermarksTest {

    /** Records what the generator emits. */
    static final class Recorder implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }
    }

    @Test
    void aBacklogEmitsOneWatermarkPerStepOfEventTimeNotPerRecord() {
        SteppedWatermarks<String> g = new SteppedWatermarks<>(Duration.ofSeconds(5), Duration.ofSeconds(1));
        Recorder out = new Recorder();
        // An hour of event time read in one go (no periodic emission in between), a record every 100 ms.
        for (long t = 0; t <= 3_600_000; t += 100) {
            g.onEvent("r", t, out);
        }
        assertThat(out.emitted).as("one per second of event time, the first at the first record").hasSize(3601);
        assertThat(out.emitted.get(0)).isEqualTo(-5_001L);
        assertThat(out.emitted).isSorted().doesNotHaveDuplicates();
        for (int i = 1; i < out.emitted.size(); i++) {
            assertThat(out.emitted.get(i) - out.emitted.get(i - 1)).isEqualTo(1_000L);
        }
        assertThat(out.emitted.get(out.emitted.size() - 1)).isEqualTo(3_600_000L - 5_001L);
    }

    @Test
    void liveTheWatermarkIsTheNewestTimestampMinusTheDelayAtEveryPeriod() {
        SteppedWatermarks<String> g = new SteppedWatermarks<>(Duration.ofSeconds(5), Duration.ofSeconds(1));
        Recorder out = new Recorder();
        g.onPeriodicEmit(out);
        assertThat(out.emitted).as("before any event: no progress").containsExactly(Long.MIN_VALUE);
        g.onEvent("a", 10_000, out);
        g.onEvent("b", 10_300, out); // less than a step later: not emitted from the event
        g.onEvent("late", 9_000, out); // out of order: never moves the watermark back
        assertThat(out.emitted).containsExactly(Long.MIN_VALUE, 4_999L);
        g.onPeriodicEmit(out);
        g.onPeriodicEmit(out);
        assertThat(out.emitted).containsExactly(Long.MIN_VALUE, 4_999L, 5_299L, 5_299L);
        g.onEvent("c", 11_299, out); // 999 ms after the last one emitted (periodically): not yet
        g.onEvent("d", 11_300, out); // a step after it
        assertThat(out.emitted).containsExactly(Long.MIN_VALUE, 4_999L, 5_299L, 5_299L, 6_299L);
    }

    @Test
    void hostileTimestampsDoNotOverflow() {
        SteppedWatermarks<String> g = new SteppedWatermarks<>(Duration.ofSeconds(5), Duration.ofSeconds(1));
        Recorder out = new Recorder();
        g.onEvent("min", Long.MIN_VALUE, out);
        g.onEvent("max", Long.MAX_VALUE, out);
        g.onPeriodicEmit(out);
        assertThat(out.emitted).containsExactly(Long.MAX_VALUE - 5_001L, Long.MAX_VALUE - 5_001L);
    }

    @Test
    void refusesABadStepOrDelay() {
        assertThatThrownBy(() -> new SteppedWatermarks<>(Duration.ofSeconds(5), Duration.ZERO)).hasMessageContaining("step");
        assertThatThrownBy(() -> new SteppedWatermarks<>(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .hasMessageContaining("out-of-orderness");
    }
}
