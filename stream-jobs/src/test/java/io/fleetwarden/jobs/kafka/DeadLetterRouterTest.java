package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;

/** Undecodable and too-late records leave through the dead-letter side output with a reason; nothing vanishes. */
class DeadLetterRouterTest {

    static final long LATENESS = Duration.ofMinutes(10).toMillis();

    static Inbound telemetry(long eventTime) {
        Inbound in = new Inbound();
        in.topic = "fleet.telemetry";
        in.telemetry = Events.telemetry("cam-1", eventTime).build();
        in.eventTime = eventTime;
        in.value = new byte[] {1, 2, 3};
        return in;
    }

    @Test
    void recordsMoreThanTheAllowedLatenessBehindTheWatermarkAreDeadLetteredWithAReason() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<Inbound, Inbound>(
                new ProcessOperator<>(new DeadLetterRouter(Duration.ofMillis(LATENESS))))) {
            h.open();
            long wm = Events.T0;
            h.processElement(new StreamRecord<>(telemetry(wm - LATENESS - 10_000), wm - LATENESS - 10_000)); // before any watermark: applied
            h.processWatermark(wm);
            h.processElement(new StreamRecord<>(telemetry(wm - LATENESS), wm - LATENESS)); // at the limit: applied
            h.processElement(new StreamRecord<>(telemetry(wm - LATENESS - 1), wm - LATENESS - 1)); // one past: dropped
            Inbound clamped = telemetry(wm);
            clamped.clampedDeviceTime = wm + Events.DAY;
            h.processElement(new StreamRecord<>(clamped, wm));

            List<Inbound> passed = h.extractOutputValues();
            assertThat(passed).extracting(in -> in.eventTime)
                    .containsExactly(wm - LATENESS - 10_000, wm - LATENESS, wm);
            var dead = h.getSideOutput(DeadLetterRouter.DEAD_LETTERS);
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.getValue().errorCode).isEqualTo(DeadLetterRouter.LATE_EVENT);
                assertThat(r.getValue().errorMessage).contains("600001 ms behind the watermark");
                assertThat(r.getValue().value).containsExactly(1, 2, 3);
            });
        }
    }

    @Test
    void undecodableRecordsAreDeadLettered() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<Inbound, Inbound>(
                new ProcessOperator<>(new DeadLetterRouter(Duration.ofMillis(LATENESS))))) {
            h.open();
            Inbound bad = new Inbound();
            bad.errorCode = "bad-header";
            bad.value = new byte[] {9};
            h.processElement(new StreamRecord<>(bad, 5));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(DeadLetterRouter.DEAD_LETTERS)).singleElement()
                    .satisfies(r -> assertThat(r.getValue().errorCode).isEqualTo("bad-header"));
        }
    }
}
