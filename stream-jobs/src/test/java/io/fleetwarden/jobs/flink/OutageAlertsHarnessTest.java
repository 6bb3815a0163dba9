package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;

/**
 * The outages of {@link CohortInterleavingHarnessTest} (80 devices of one model, region and broker; 21 and then 43 of
 * them lose their connection) through every operator between the topics and {@code fleet.alerts}: the per-device
 * operator, the cohorts of all three dimensions, the incident stage and the alert stage, read in step and with either
 * topic eight minutes ahead. What an analyst gets must not depend on that order: one incident per outage (its model,
 * region and broker views folded together, opened at the same time), and every member's own RES-OFF-001 attached to it,
 * whichever of the member's alert and the incident's fold reaches the alert stage first.
 */
class OutageAlertsHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long S = 1000;
    private static final long MIN = 60_000;
    private static final long OUT_OF_ORDERNESS = 5 * S;

    /** Every alert revision, in emission order. */
    static List<Alert> run(List<CohortInterleavingHarnessTest.In> inputs, long lag) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> devices =
                     ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(CFG), DeviceEvent::deviceKey,
                             Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
             var cohorts = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                     new KeyedProcessOperator<>(new CohortFunction(CFG)), c -> c.cohortKey, Types.STRING);
             var incidents = new KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding>(
                     new KeyedProcessOperator<>(new IncidentFunction(CFG)), f -> f.tenant, Types.STRING);
             var alerts = new KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert>(
                     new KeyedProcessOperator<>(new AlertFunction()), Finding::alertKey, Types.STRING)) {
            cohorts.open();
            incidents.open();
            alerts.open();
            devices.processBroadcastWatermark(Long.MAX_VALUE);
            Stages stages = new Stages(devices, cohorts, incidents, alerts);
            long wm = Long.MIN_VALUE;
            for (CohortInterleavingHarnessTest.In i : inputs) {
                long next = Math.floorDiv(i.readAt() - lag - OUT_OF_ORDERNESS, S) * S;
                if (next > wm) {
                    wm = next;
                    stages.watermark(wm);
                }
                devices.processElement(new StreamRecord<>(i.event(), i.ts()));
                stages.forward();
            }
            stages.watermark(CohortInterleavingHarnessTest.END);
            return alerts.extractOutputValues();
        }
    }

    /** Moves each stage's output to the next; a watermark passes every stage after what it released. */
    record Stages(KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> devices,
                  KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding> cohorts,
                  KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding> incidents,
                  KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert> alerts) {

        void watermark(long wm) throws Exception {
            devices.processWatermark(wm);
            forward();
            cohorts.processWatermark(new Watermark(wm));
            forward();
            incidents.processWatermark(new Watermark(wm));
            forward();
            alerts.processWatermark(new Watermark(wm));
        }

        void forward() throws Exception {
            for (Finding f : drain(devices.getOutput())) {
                alerts.processElement(new StreamRecord<>(f, f.timestamp));
            }
            var changes = devices.getSideOutput(DeviceFunction.CHANGES);
            if (changes != null) {
                for (StreamRecord<ConnectivityChange> r : changes) {
                    for (String d : new String[] {"model", "region", "broker"}) {
                        ConnectivityChange c = r.getValue().forCohort(d);
                        if (c != null) {
                            cohorts.processElement(new StreamRecord<>(c, c.timestamp));
                        }
                    }
                }
                changes.clear();
            }
            for (var tag : List.of(DeviceFunction.STATUS, DeviceFunction.PEERS)) {
                var side = devices.getSideOutput(tag);
                if (side != null) {
                    side.clear();
                }
            }
            for (Finding f : drain(cohorts.getOutput())) {
                incidents.processElement(new StreamRecord<>(f, f.timestamp));
            }
            for (Finding f : drain(incidents.getOutput())) {
                alerts.processElement(new StreamRecord<>(f, f.timestamp));
            }
        }

        @SuppressWarnings("unchecked")
        private static List<Finding> drain(java.util.Queue<Object> output) {
            List<Finding> out = new ArrayList<>();
            for (Object o : output) {
                if (o instanceof StreamRecord<?> r) {
                    out.add((Finding) r.getValue());
                }
            }
            output.removeIf(o -> o instanceof StreamRecord<?>);
            return out;
        }
    }

    /** Incident (cohort and opening time) to the members whose RES-OFF-001 is attached to it; "unfolded" for the others. */
    static Map<String, Set<String>> verdicts(List<Alert> revisions) {
        Map<String, String> incidentNames = new TreeMap<>();
        revisions.stream().filter(a -> a.getRuleId().equals("RES-COH-001"))
                .forEach(a -> incidentNames.putIfAbsent(a.getAlertId(), a.getCohortDimension() + "=" + a.getCohortValue() + " @"
                        + a.getOpenedAt().toEpochMilli()));
        Map<String, String> parentOf = new TreeMap<>();
        Map<String, String> deviceOf = new TreeMap<>();
        for (Alert a : revisions) {
            if (a.getRuleId().equals("RES-OFF-001")) {
                deviceOf.put(a.getAlertId(), a.getDeviceId());
                if (a.getParentAlertId() != null) {
                    parentOf.put(a.getAlertId(), a.getParentAlertId());
                }
            }
        }
        Map<String, Set<String>> out = new TreeMap<>();
        deviceOf.forEach((alertId, device) -> {
            String parent = parentOf.get(alertId);
            String incident = parent == null ? "unfolded" : incidentNames.getOrDefault(parent, "unknown incident " + parent);
            out.computeIfAbsent(incident, k -> new TreeSet<>()).add(device);
        });
        return out;
    }

    @Test
    void oneIncidentPerOutageWithEveryMemberAttachedWhicheverTopicIsReadAhead() throws Exception {
        Map<String, Set<String>> inStep = verdicts(run(CohortInterleavingHarnessTest.history(0), 0));
        assertThat(inStep).as("two incidents, no member left unfolded").doesNotContainKey("unfolded").hasSize(2);
        assertThat(inStep.values()).extracting(Set::size).containsExactlyInAnyOrder(21, 43);
        Map<String, Set<String>> securityAhead = verdicts(run(CohortInterleavingHarnessTest.history(8 * MIN), 0));
        Map<String, Set<String>> telemetryAhead = verdicts(run(CohortInterleavingHarnessTest.history(-8 * MIN), 8 * MIN));
        assertThat(securityAhead).as("security events read ahead").isEqualTo(inStep);
        assertThat(telemetryAhead).as("telemetry read ahead").isEqualTo(inStep);
    }
}
