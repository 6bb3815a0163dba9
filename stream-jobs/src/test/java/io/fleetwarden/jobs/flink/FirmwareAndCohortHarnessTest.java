package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;

/** Harness tests of the per-device operator's firmware (broadcast) and behaviour rules, and of the cohort detector. */
class FirmwareAndCohortHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    @Test
    void advisoryArrivingLaterIsAppliedToEveryDeviceAlreadyRunningTheVersionAndWithdrawalResolves() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(CFG),
                DeviceEvent::deviceKey, Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES)) {
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", T0).build()), T0));
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-2", T0).setFirmwareVersion("2.6.0").setFirmwareImageHash(null).build()), T0));
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-3", T0).build()), T0));
            assertThat(h.extractOutputValues()).isEmpty();

            Advisory advisory = Events.advisory("FWSA-7", "[2.0.0,2.5.0)", Severity.CRITICAL);
            h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(advisory), T0 + 1000));
            List<Finding> out = h.extractOutputValues();
            assertThat(out).extracting(f -> f.deviceId).containsExactlyInAnyOrder("cam-1", "cam-3");
            assertThat(out).allSatisfy(f -> {
                assertThat(f.ruleId).isEqualTo("FW-ADV-001");
                assertThat(f.action).isEqualTo(Action.OPEN);
                assertThat(f.severity).isEqualTo(Severity.CRITICAL);
                assertThat(f.evidence).containsEntry("advisories", "FWSA-7");
            });

            h.getOutput().clear();
            advisory.setWithdrawn(true);
            h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(advisory), T0 + 2000));
            assertThat(h.<Finding>extractOutputValues()).extracting(f -> f.action).containsOnly(Action.CLEAR).hasSize(2);
            assertThat(h.numEventTimeTimers()).as("firmware rules need no timer; one connectivity deadline per device").isEqualTo(3);
        }
    }

    @Test
    void cohortIncidentFoldsMembersAndPrunesItsWindowByTimer() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                new KeyedProcessOperator<>(new CohortFunction(CFG)), c -> c.cohortKey, Types.STRING)) {
            h.open();
            // The job's watermark already past these changes: they go to the rules at once (input before the first
            // watermark would wait for it).
            h.processWatermark(new Watermark(T0 + 10));
            for (int i = 0; i < 20; i++) {
                h.processElement(new StreamRecord<>(change("cam-" + i, true, T0 - 600_000 + i), T0 - 600_000 + i));
            }
            // 5 drops: below the incident threshold; the window's timer forgets them after 2 minutes.
            for (int i = 0; i < 5; i++) {
                h.processElement(new StreamRecord<>(change("cam-" + i, false, T0 + i), T0 + i));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(T0 + CFG.cohortWindowMs + 10));
            // The reconnect timer fired first; the drop window's timer comes right after (never at or before the watermark).
            h.processWatermark(new Watermark(T0 + CFG.cohortWindowMs + 20));
            assertThat(h.numEventTimeTimers()).isZero();

            // 10 fresh drops within the window: one incident, ten folds naming it. (The watermark trails them by seconds,
            // as in a live job: they wait for it and go to the rules in event-time order, see CohortOrderHarnessTest.)
            h.processWatermark(new Watermark(T0 + 600_000 - 5_000));
            for (int i = 5; i < 15; i++) {
                h.processElement(new StreamRecord<>(change("cam-" + i, false, T0 + 600_000 + i), T0 + 600_000 + i));
            }
            assertThat(h.extractOutputValues()).as("nothing decided ahead of the watermark").isEmpty();
            h.processWatermark(new Watermark(T0 + 600_000 + 14));
            List<Finding> out = h.extractOutputValues();
            List<Finding> incidents = out.stream().filter(f -> f.ruleId.equals("RES-COH-001")).toList();
            assertThat(incidents).singleElement().satisfies(f -> {
                assertThat(f.cohortDimension).isEqualTo("model");
                assertThat(f.evidence).containsEntry("members", "10");
            });
            String incidentId = io.fleetwarden.jobs.alerts.AlertIds.of(incidents.get(0).alertKey(), incidents.get(0).timestamp);
            assertThat(out).filteredOn(f -> f.action == Action.FOLD).hasSize(10).allMatch(f -> incidentId.equals(f.parentAlertId));
        }
    }

    @Test
    void behaviourSendsEveryReportToThePeerStageAndFlagsTelnet() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(CFG),
                DeviceEvent::deviceKey, Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES)) {
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", T0).build()), T0));
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", T0 + 30_000).setListeningPorts(List.of(23)).build()), T0 + 30_000));
            assertThat(h.<Finding>extractOutputValues()).singleElement().satisfies(f -> assertThat(f.ruleId).isEqualTo("CMP-NET-001"));
            assertThat(h.getSideOutput(DeviceFunction.PEERS)).hasSize(2)
                    .extracting(r -> ((PeerObservation) r.getValue()).modelKey()).containsOnly("acme|model=cam-x1");
            assertThat(((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries()).as("one device, one state entry (connectivity, behaviour, firmware, timer together)").isEqualTo(1);
            assertThat(h.numEventTimeTimers()).as("behaviour needs no timer; the one timer is the connectivity offline deadline").isEqualTo(1);
        }
    }

    private static ConnectivityChange change(String device, boolean online, long ts) {
        return new ConnectivityChange("acme", device, Events.MODEL, "eu-west", "broker-1", online, ts, online ? "connected" : "connection-lost")
                .forCohort("model");
    }
}
