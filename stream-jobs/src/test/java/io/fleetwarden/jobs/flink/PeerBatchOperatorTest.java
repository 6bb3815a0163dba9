package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The peer-observation mini-batches: nothing is held past a watermark, a checkpoint barrier or the end of
 * input, order per model is kept, a full batch leaves at once, and the model-peer stage finds exactly
 * the same over batches as over one observation at a time.
 */
class PeerBatchOperatorTest {

    @Test
    void batchesLeaveAtTheSizeCapAndBeforeWatermarksBarriersAndTheEndOfInput() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<PeerObservation, PeerBatch>(new PeerBatchOperator(3))) {
            h.open();
            h.processElement(new StreamRecord<>(obs("acme", "cam-x1", "d1", T0), T0));
            h.processElement(new StreamRecord<>(obs("acme", "cam-x2", "d2", T0 + 1), T0 + 1));
            h.processElement(new StreamRecord<>(obs("acme", "cam-x1", "d3", T0 + 2), T0 + 2));
            assertThat(h.getOutput()).as("held").isEmpty();
            h.processElement(new StreamRecord<>(obs("acme", "cam-x1", "d4", T0 + 3), T0 + 3));
            assertThat(batches(h)).as("the third observation of cam-x1 fills its batch: sent at once").singleElement()
                    .satisfies(b -> assertThat(b.observations()).extracting(o -> o.deviceId).containsExactly("d1", "d3", "d4"));

            h.processWatermark(new Watermark(T0 + 10));
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).as("the pending cam-x2 batch goes out before the watermark that follows it").hasSize(3);
            assertThat(out.get(1)).isInstanceOf(StreamRecord.class);
            assertThat(out.get(2)).isEqualTo(new Watermark(T0 + 10));

            h.processElement(new StreamRecord<>(obs("other", "cam-x1", "d5", T0 + 11), T0 + 11));
            h.prepareSnapshotPreBarrier(1);
            assertThat(batches(h)).as("flushed before the barrier (the operator has no state)").hasSize(3).last()
                    .satisfies(b -> assertThat(b.modelKey()).isEqualTo("other|model=cam-x1"));

            h.processElement(new StreamRecord<>(obs("acme", "cam-x2", "d6", T0 + 12), T0 + 12));
            h.endInput();
            h.close();
            assertThat(batches(h)).as("flushed at the end of input").hasSize(4);
        }
    }

    @Test
    void theModelPeerStageFindsTheSameOverBatchesAsOneAtATime() throws Exception {
        DetectionConfig cfg = DetectionConfig.fromMap(java.util.Map.of("peer.minSamples", "20", "peer.portLearning", "30m"));
        Random rnd = new Random(11);
        List<PeerObservation> stream = new ArrayList<>();
        long ts = T0;
        for (int i = 0; i < 4_000; i++) {
            ts += rnd.nextInt(2_000);
            PeerObservation o = obs("acme", "cam-x" + rnd.nextInt(2), "d" + rnd.nextInt(40), ts);
            o.bytesOutPerSecond = rnd.nextInt(40) == 0 ? 5_000_000 : 10_000 + rnd.nextInt(2_000);
            boolean learnt = ts - T0 > 40 * 60_000L;
            o.listeningPorts = new ArrayList<>(learnt && rnd.nextInt(60) == 0 ? List.of(80, 4444) : List.of(80));
            stream.add(o);
        }
        List<Finding> single = new ArrayList<>();
        List<Finding> batched = new ArrayList<>();
        try (var one = peers(cfg); var many = peers(cfg)) {
            for (PeerObservation o : stream) {
                one.processElement(new StreamRecord<>(ModelPeerFunctionTest.batch(o), o.timestamp));
            }
            // Random batch boundaries, per model in stream order, as PeerBatchOperator makes them.
            List<PeerObservation> x1 = new ArrayList<>();
            List<PeerObservation> x2 = new ArrayList<>();
            for (PeerObservation o : stream) {
                List<PeerObservation> buf = o.model.equals("cam-x1") ? x1 : x2;
                buf.add(o);
                if (rnd.nextInt(30) == 0) {
                    sendBatch(many, x1);
                    sendBatch(many, x2);
                }
            }
            sendBatch(many, x1);
            sendBatch(many, x2);
            one.extractOutputValues().forEach(single::add);
            many.extractOutputValues().forEach(batched::add);
        }
        assertThat(single).extracting(f -> f.ruleId).as("the stream reaches both peer rules").contains("CMP-RATE-002", "CMP-NET-002");
        // Per model the order is the same; between the two models the batches interleave differently.
        for (String model : List.of("cam-x1", "cam-x2")) {
            assertThat(describe(batched, model, stream)).isEqualTo(describe(single, model, stream));
        }
    }

    private static void sendBatch(KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding> h, List<PeerObservation> buf)
            throws Exception {
        if (!buf.isEmpty()) {
            h.processElement(new StreamRecord<>(ModelPeerFunctionTest.batch(buf.toArray(new PeerObservation[0])),
                    buf.get(buf.size() - 1).timestamp));
            buf.clear();
        }
    }

    private static List<String> describe(List<Finding> findings, String model, List<PeerObservation> stream) {
        java.util.Set<String> devicesOfModel = new java.util.HashSet<>();
        stream.stream().filter(o -> o.model.equals(model)).forEach(o -> devicesOfModel.add(o.deviceId + "@" + o.timestamp));
        return findings.stream().filter(f -> devicesOfModel.contains(f.deviceId + "@" + f.timestamp))
                .map(f -> f.ruleId + " " + f.action + " " + f.deviceId + " " + f.timestamp + " " + f.summary + " " + f.evidence).toList();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding> peers(DetectionConfig cfg) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding>(new KeyedProcessOperator<>(new ModelPeerFunction(cfg)),
                PeerBatch::modelKey, Types.STRING);
        h.open();
        return h;
    }

    private static PeerObservation obs(String tenant, String model, String device, long ts) {
        PeerObservation o = new PeerObservation();
        o.tenant = tenant;
        o.model = model;
        o.deviceId = device;
        o.timestamp = ts;
        o.bytesOutPerSecond = 10_000;
        o.listeningPorts = new ArrayList<>(List.of(80));
        return o;
    }

    private static List<PeerBatch> batches(OneInputStreamOperatorTestHarness<PeerObservation, PeerBatch> h) {
        return h.extractOutputValues();
    }
}
