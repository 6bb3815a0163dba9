package io.fleetwarden.jobs.flink;

import io.fleetwarden.jobs.detect.DeviceReport;
import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/** Harness test of the model-peer operator's state bound: one retention timer per model, state dropped after state.ttl without reports. */
class ModelPeerFunctionTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    @Test
    void aModelWithoutReportsIsForgottenOneRetentionPeriodAfterItsNewestObservation() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding>(
                new KeyedProcessOperator<>(new ModelPeerFunction(CFG)), PeerBatch::modelKey, Types.STRING)) {
            h.open();
            long last = T0 + 29 * 30_000L;
            for (long ts = T0; ts <= last; ts += 30_000) {
                h.processElement(new StreamRecord<>(batch(BehaviourRules.observation(DeviceReport.of(Events.telemetry("cam-" + ts % 7, ts).build()))), ts));
            }
            assertThat(h.numEventTimeTimers()).as("one timer per model, not per report").isEqualTo(1);
            h.processWatermark(new Watermark(last + CFG.deviceStateTtlMs - 1));
            assertThat(h.numKeyedStateEntries()).as("the first timer fired early and waits for the moved deadline").isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(last + CFG.deviceStateTtlMs));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    static PeerBatch batch(PeerObservation... observations) {
        PeerBatch b = new PeerBatch(observations[0].tenant, observations[0].model, observations.length);
        for (PeerObservation o : observations) {
            b.add(o);
        }
        return b;
    }
}
