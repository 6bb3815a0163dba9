package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Telemetry;

/**
 * Harness test of the peer priors through both operators: device-detectors writes what the per-device units
 * learnt (the closed minute, the own resource verdict) on each report's peer observation, and the model-peer
 * operator judges a device from its first minutes against its model. A fresh job and a fresh fleet, as in a
 * 10-minute live run.
 */
class PeerPriorHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MINUTE = 60_000;

    @Test
    void aNewDeviceAt20xItsPeersRateFiresWithinMinutesOfAFreshJob() throws Exception {
        List<Telemetry> reports = new ArrayList<>();
        for (long t = T0; t < T0 + 10 * MINUTE; t += 1000) {
            for (int i = 0; i < 10; i++) {
                if ((t - T0) % 30_000 == i * 1000L) {
                    reports.add(Events.telemetry("peer-" + i, t).build()); // 2 a minute each
                }
            }
            if (t >= T0 + 2 * MINUTE && (t - T0) % 1500 < 1000) {
                reports.add(Events.telemetry("cam-x", t).build()); // 40 a minute from its first report: 20x
            }
        }
        Run run = run(reports);
        Finding open = run.findings.stream().filter(f -> f.ruleId.equals("CMP-RATE-003") && f.action == Action.OPEN).findFirst()
                .orElseThrow(() -> new AssertionError("no CMP-RATE-003 in " + run.findings));
        assertThat(open.deviceId).isEqualTo("cam-x");
        assertThat(open.timestamp).as("within 3 minutes of its first report").isLessThanOrEqualTo(T0 + 5 * MINUTE);
        assertThat(run.findings).as("no peer is flagged").allSatisfy(f -> assertThat(f.deviceId).isEqualTo("cam-x"));
        assertThat(run.observations).as("the behaviour unit wrote the closed minutes on the observations")
                .anySatisfy(o -> assertThat(o.messagesPerMinute).isEqualTo(2));
    }

    @Test
    void aMinerPinnedFromItsFirstReportIsFoundAndItsOwnVerdictTravels() throws Exception {
        List<Telemetry> reports = new ArrayList<>();
        for (long t = T0; t < T0 + 20 * MINUTE; t += 30_000) {
            for (int i = 0; i < 10; i++) {
                reports.add(Events.telemetry("peer-" + i, t + i * 1000L).setCpuPercent(8 + i % 3).build());
            }
            if (t >= T0 + 5 * MINUTE) {
                reports.add(Events.telemetry("cam-x", t + 500).setCpuPercent(99).build());
            }
        }
        Run run = run(reports);
        assertThat(run.findings).filteredOn(f -> f.ruleId.equals("CMP-RES-001"))
                .singleElement().satisfies(f -> {
                    assertThat(f.deviceId).isEqualTo("cam-x");
                    assertThat(f.action).isEqualTo(Action.OPEN);
                    assertThat(f.timestamp).as("after 3 reports").isEqualTo(T0 + 6 * MINUTE + 500);
                });
        assertThat(run.observations).as("peers get their own baseline after 20 reports")
                .anySatisfy(o -> assertThat(o.resourcesOwn & PeerObservation.OWN_KNOWN).isNotZero());
    }

    record Run(List<Finding> findings, List<PeerObservation> observations) {
    }

    /** Every report through device-detectors; its peer observations, one batch per report, through model-peers. */
    private static Run run(List<Telemetry> reports) throws Exception {
        List<Finding> findings = new ArrayList<>();
        List<PeerObservation> observations = new ArrayList<>();
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> devices =
                     ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(CFG), DeviceEvent::deviceKey,
                             Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
             var peers = new KeyedOneInputStreamOperatorTestHarness<String, PeerBatch, Finding>(
                     new KeyedProcessOperator<>(new ModelPeerFunction(CFG)), PeerBatch::modelKey, Types.STRING)) {
            peers.open();
            int seen = 0;
            for (Telemetry t : reports) {
                long ts = t.getDeviceTime().toEpochMilli();
                devices.processElement(new StreamRecord<>(DeviceEvent.of(t), ts));
                var side = devices.getSideOutput(DeviceFunction.PEERS);
                List<StreamRecord<PeerObservation>> all = side == null ? List.of() : new ArrayList<>(side);
                for (int i = seen; i < all.size(); i++) {
                    PeerObservation o = all.get(i).getValue();
                    observations.add(o);
                    peers.processElement(new StreamRecord<>(ModelPeerFunctionTest.batch(o), ts));
                }
                seen = all.size();
            }
            findings.addAll(devices.extractOutputValues().stream()
                    .filter(f -> f.ruleId.equals("CMP-RATE-003") || f.ruleId.equals("CMP-RES-001")).toList());
            findings.addAll(peers.extractOutputValues());
        }
        return new Run(findings, observations);
    }
}
