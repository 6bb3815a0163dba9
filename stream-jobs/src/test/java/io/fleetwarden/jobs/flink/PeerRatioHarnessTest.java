package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.PeerHour;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.DeviceKeys;

/**
 * CMP-NET-004's slow horizon through the real operators: closed hours of 11 devices through {@code model-peers}
 * ({@link ModelPeerFunction}, side output {@link ModelPeerFunction#HOURS}) and on to {@code peer-ratios}
 * ({@link PeerRatioFunction}, keyed by device). An hour is judged only once the watermark passes its end plus
 * {@code traffic.peerGrace}, against its complete median, so the verdicts are the same whatever order the votes arrive in
 * between watermarks; a device at 2.4x its usual ratio for one hour opens the rule when that hour is judged, its state
 * surviving a snapshot and restore before, and the peers stay quiet.
 */
class PeerRatioHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long HOUR = 3_600_000L;
    private static final long GRACE = CFG.trafficPeerGraceMs;

    /** Observation of a device closing {@code hour} (0-based from T0) with the given hourly mean, {@code after} ms after its end. */
    static PeerObservation closing(String device, int hour, double bytesOut, long after) {
        PeerObservation o = BehaviourRules.observation(DeviceReport.of(Events.telemetry(device, T0 + (hour + 1) * HOUR + after).build()));
        o.hourStart = T0 + hour * HOUR;
        o.hourBytesOut = bytesOut;
        o.region = "eu-west";
        return o;
    }

    static PeerObservation closing(String device, int hour, double bytesOut) {
        return closing(device, hour, bytesOut, 1000);
    }

    /** Hours 0..{@code hours - 1} of 10 peers and cam-x (x {@code factor(hour)}), each device closing at its own offset. */
    static List<List<PeerObservation>> history(int hours, java.util.function.IntToDoubleFunction factor) {
        List<List<PeerObservation>> out = new ArrayList<>();
        for (int hour = 0; hour < hours; hour++) {
            double day = 1 + 0.45 * Math.cos(2 * Math.PI * hour / 24); // the shared daily curve
            List<PeerObservation> votes = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                double level = i == 10 ? 1.0 : 0.5 + i / 10.0;
                double extra = i == 10 ? factor.applyAsDouble(hour) : 1;
                votes.add(closing(i == 10 ? "cam-x" : "peer-" + i, hour, 60_000 * level * day * extra, 1000 + 29_000L * i));
            }
            out.add(votes);
        }
        return out;
    }

    /**
     * Runs the votes through model-peers: each hour's votes in the order given, in batches of {@code batch}, then a
     * watermark past that hour's grace; returns the judged hours in output order.
     */
    static List<PeerHour> modelPeers(List<List<PeerObservation>> hours, int batch) throws Exception {
        List<PeerHour> out = new ArrayList<>();
        try (var peers = new KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding>(
                new KeyedProcessOperator<>(new ModelPeerFunction(CFG)), PeerBatch::modelKey, Types.STRING)) {
            peers.open();
            for (int hour = 0; hour < hours.size(); hour++) {
                List<PeerObservation> votes = hours.get(hour);
                for (int i = 0; i < votes.size(); i += batch) {
                    List<PeerObservation> b = votes.subList(i, Math.min(votes.size(), i + batch));
                    peers.processElement(new StreamRecord<>(ModelPeerFunctionTest.batch(b.toArray(PeerObservation[]::new)),
                            b.get(b.size() - 1).timestamp));
                }
                assertThat(peers.getSideOutput(ModelPeerFunction.HOURS)).as("nothing judged before the hour is final").isNullOrEmpty();
                peers.processWatermark(T0 + (hour + 1) * HOUR + GRACE);
                var judged = peers.getSideOutput(ModelPeerFunction.HOURS);
                long start = T0 + hour * HOUR;
                assertThat(judged).as("hour %d judged once final", hour).isNotNull().allSatisfy(r -> {
                    assertThat(r.getValue().hourStart).isEqualTo(start);
                    assertThat(r.getValue().judgedAt).isEqualTo(start + HOUR + GRACE);
                });
                judged.forEach(r -> out.add(r.getValue()));
                judged.clear();
            }
            assertThat(peers.extractOutputValues()).as("no model-stage finding").isEmpty();
            assertThat(peers.numKeyedStateEntries()).as("the model's state only: no vote waits once its hour is judged").isEqualTo(1);
        }
        return out;
    }

    @Test
    void aDeviceAtTwiceItsUsualRatioToItsSameHourPeersOpensWhenItsHourIsJudged() throws Exception {
        List<PeerHour> hours = modelPeers(history(9, h -> h >= 7 ? 2.4 : 1), 11);
        assertThat(hours).as("every device's every hour, each against the 10 OTHER devices' complete median").hasSize(99)
                .allSatisfy(h -> assertThat(h.peers).isEqualTo(10));

        var snapshot = new Object() {
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState state;
        };
        List<Finding> out = new ArrayList<>();
        try (var ratios = harness()) {
            ratios.open();
            for (PeerHour h : hours.stream().filter(h -> h.hourStart < T0 + 7 * HOUR).toList()) {
                ratios.processElement(new StreamRecord<>(h, h.judgedAt));
            }
            out.addAll(ratios.extractOutputValues());
            snapshot.state = ratios.snapshot(1, T0 + 9 * HOUR);
            assertThat(ratios.numKeyedStateEntries()).as("one small state per device").isEqualTo(11);
        }
        assertThat(out).as("seven ordinary hours").isEmpty();
        try (var ratios = harness()) {
            ratios.initializeState(snapshot.state);
            ratios.open();
            for (PeerHour h : hours.stream().filter(h -> h.hourStart == T0 + 7 * HOUR).toList()) {
                ratios.processElement(new StreamRecord<>(h, h.judgedAt));
            }
            out.addAll(ratios.extractOutputValues());
        }
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("CMP-NET-004");
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.deviceId).isEqualTo("cam-x");
            assertThat(f.timestamp).as("when hour 7 became final").isEqualTo(T0 + 8 * HOUR + GRACE);
            assertThat(f.evidence).containsEntry("horizon", "peers").containsEntry("prior", "own").containsEntry("hours", "1")
                    .containsEntry("peers", "10").containsEntry("evidenceFrom", String.valueOf(T0 + 7 * HOUR));
        });
    }

    /**
     * The same history in two legal arrival orders (between watermarks anything goes): in event-time order one vote at a
     * time, and each hour's votes reversed in batches of 4 (the devices that close an hour LAST arriving first). The
     * judged hours (median, peers, time) and the findings are identical.
     */
    @Test
    void verdictsDependOnEventTimeOnlyNotOnArrivalOrder() throws Exception {
        List<List<PeerObservation>> history = history(20, h -> h < 3 ? 1 : 1 + 0.15 * (h - 3));
        List<PeerHour> inOrder = modelPeers(history, 1);
        List<List<PeerObservation>> reversed = new ArrayList<>();
        for (List<PeerObservation> hour : history) {
            List<PeerObservation> r = new ArrayList<>(hour);
            java.util.Collections.reverse(r);
            reversed.add(r);
        }
        List<PeerHour> outOfOrder = modelPeers(reversed, 4);
        assertThat(outOfOrder).hasSameSizeAs(inOrder).hasSize(20 * 11);
        assertThat(keys(outOfOrder)).isEqualTo(keys(inOrder));
        List<Finding> a = ratios(inOrder);
        List<Finding> b = ratios(outOfOrder);
        assertThat(a).as("the ramp is found").anyMatch(f -> f.deviceId.equals("cam-x") && f.action == Action.OPEN)
                .noneMatch(f -> !f.deviceId.equals("cam-x"));
        assertThat(b.stream().map(Finding::toString).sorted().toList()).isEqualTo(a.stream().map(Finding::toString).sorted().toList());
    }

    private static java.util.SortedSet<String> keys(List<PeerHour> hours) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        hours.forEach(h -> out.add(h + " fence " + h.peerFence + " at " + h.judgedAt));
        return out;
    }

    private static List<Finding> ratios(List<PeerHour> hours) throws Exception {
        try (var ratios = harness()) {
            ratios.open();
            for (PeerHour h : hours) {
                ratios.processElement(new StreamRecord<>(h, h.judgedAt));
            }
            return ratios.extractOutputValues();
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PeerHour, Finding> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PeerRatioFunction(CFG)),
                (PeerHour h) -> DeviceKeys.of(h.tenant, h.deviceId), Types.STRING);
    }
}
