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
 * ({@link PeerRatioFunction}, keyed by device): a device whose traffic doubles against its peers for two hours opens
 * the rule at the second closed hour and no earlier, its state survives a snapshot and restore in between, and the peers
 * stay quiet.
 */
class PeerRatioHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long HOUR = 3_600_000L;

    /** Observation of a device closing {@code hour} (0-based from T0) with the given hourly mean. */
    static PeerObservation closing(String device, int hour, double bytesOut) {
        PeerObservation o = BehaviourRules.observation(DeviceReport.of(Events.telemetry(device, T0 + (hour + 1) * HOUR + 1000).build()));
        o.hourStart = T0 + hour * HOUR;
        o.hourBytesOut = bytesOut;
        o.region = "eu-west";
        return o;
    }

    @Test
    void aDeviceAtTwiceItsUsualRatioToItsSameHourPeersForTwoHoursOpensTheSlowHorizon() throws Exception {
        List<PeerHour> hours = new ArrayList<>();
        try (var peers = new KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding>(
                new KeyedProcessOperator<>(new ModelPeerFunction(CFG)), PeerBatch::modelKey, Types.STRING)) {
            peers.open();
            for (int hour = 0; hour < 9; hour++) {
                double day = 1 + 0.45 * Math.cos(2 * Math.PI * hour / 24); // the shared daily curve
                for (int i = 0; i < 11; i++) {
                    double level = i == 10 ? 1.0 : 0.5 + i / 10.0;
                    double extra = i == 10 && hour >= 6 ? 2.3 : 1;
                    peers.processElement(new StreamRecord<>(ModelPeerFunctionTest.batch(
                            closing(i == 10 ? "cam-x" : "peer-" + i, hour, 60_000 * level * day * extra)), T0 + (hour + 1) * HOUR + i));
                }
            }
            peers.getSideOutput(ModelPeerFunction.HOURS).forEach(r -> hours.add(r.getValue()));
            assertThat(peers.extractOutputValues()).as("no model-stage finding").isEmpty();
        }
        // hour 0 has no hour before it: its first five devices have fewer than traffic.peerDevices (5) OTHER votes to
        // compare with; from hour 1 the first devices to close an hour are judged against the complete hour before
        assertThat(hours).as("one closed hour per device and hour once 5 others voted").hasSize(99 - 5)
                .filteredOn(h -> h.hourStart == T0).extracting(h -> h.deviceId).doesNotContain("peer-0", "peer-4").contains("peer-5", "cam-x");

        var snapshot = new Object() {
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState state;
        };
        List<Finding> out = new ArrayList<>();
        try (var ratios = harness()) {
            ratios.open();
            for (PeerHour h : hours.stream().filter(h -> h.hourStart < T0 + 7 * HOUR).toList()) { // one elevated hour
                ratios.processElement(new StreamRecord<>(h, h.timestamp));
            }
            out.addAll(ratios.extractOutputValues());
            snapshot.state = ratios.snapshot(1, T0 + 9 * HOUR);
            assertThat(ratios.numKeyedStateEntries()).as("one small state per device").isEqualTo(11);
        }
        assertThat(out).as("one elevated hour: one below traffic.peerHours").isEmpty();
        try (var ratios = harness()) {
            ratios.initializeState(snapshot.state);
            ratios.open();
            for (PeerHour h : hours.stream().filter(h -> h.hourStart == T0 + 7 * HOUR).toList()) {
                ratios.processElement(new StreamRecord<>(h, h.timestamp));
            }
            out.addAll(ratios.extractOutputValues());
        }
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("CMP-NET-004");
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.deviceId).isEqualTo("cam-x");
            assertThat(f.timestamp).isEqualTo(T0 + 8 * HOUR + 1000);
            assertThat(f.evidence).containsEntry("horizon", "peers").containsEntry("hours", "2").containsEntry("peers", "10")
                    .containsEntry("evidenceFrom", String.valueOf(T0 + 6 * HOUR));
        });
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PeerHour, Finding> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new PeerRatioFunction(CFG)),
                (PeerHour h) -> DeviceKeys.of(h.tenant, h.deviceId), Types.STRING);
    }
}
