package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.AlertIds;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * The incident stage through the real operator: one outage seen by the region cohort and by a model cohort, whose
 * incidents reach the stage from two cohort subtasks. Which one arrives first differs from run to run; the incident
 * that opened first in event time must absorb the other either way (the replay IT's runs where the region's incident
 * was folded into a model's, and "missed" as a region outage).
 */
class IncidentOrderHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    private static final List<String> REGION_MEMBERS = IntStream.range(0, 10).mapToObj(i -> "cam-" + i).toList();
    private static final List<String> MODEL_MEMBERS = IntStream.range(0, 8).mapToObj(i -> "cam-" + i).toList();

    static List<Finding> cohortOutput(String dimension, String value, long openedAt, List<String> members) {
        List<Finding> out = new ArrayList<>();
        Finding inc = Finding.other(RuleCatalogue.COHORT_OUTAGE.id(), Action.OPEN, Events.TENANT, dimension, value, openedAt,
                members.size() + " devices down");
        inc.members = members;
        out.add(inc);
        String id = AlertIds.of(inc.alertKey(), openedAt);
        for (String m : members) {
            Finding fold = Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.FOLD, Events.TENANT, m, openedAt, "part of it");
            fold.parentAlertId = id;
            fold.with("incident", id).with("cohort", dimension + "=" + value);
            out.add(fold);
        }
        return out;
    }

    static List<String> run(List<Finding> first, List<Finding> second) throws Exception {
        try (var incidents = new KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding>(
                new KeyedProcessOperator<>(new IncidentFunction(CFG)), f -> f.tenant, Types.STRING)) {
            incidents.open();
            incidents.processWatermark(new Watermark(T0 - 1));
            for (Finding f : first) {
                incidents.processElement(new StreamRecord<>(f, f.timestamp));
            }
            for (Finding f : second) {
                incidents.processElement(new StreamRecord<>(f, f.timestamp));
            }
            incidents.processWatermark(new Watermark(T0 + 60_000));
            List<String> out = new ArrayList<>();
            for (Finding f : incidents.extractOutputValues()) {
                out.add(f.action + " " + f.ruleId + " " + (f.deviceId != null ? f.deviceId : f.cohortDimension + "=" + f.cohortValue)
                        + " @" + f.timestamp + (f.parentAlertId != null ? " into " + f.parentAlertId : ""));
            }
            return out;
        }
    }

    @Test
    void theIncidentOpenedFirstAbsorbsTheOtherWhicheverArrivesFirst() throws Exception {
        List<Finding> region = cohortOutput("region", "eu-west", T0 + 1_000, REGION_MEMBERS);
        List<Finding> model = cohortOutput("model", "cam-x200", T0 + 1_500, MODEL_MEMBERS);
        List<String> regionFirst = run(region, model);
        List<String> modelFirst = run(model, region);

        String regionId = AlertIds.of(region.get(0).alertKey(), T0 + 1_000);
        assertThat(regionFirst).as("the region's incident opens; the model's is folded into it")
                .contains("OPEN RES-COH-001 region=eu-west @" + (T0 + 1_000))
                .noneMatch(l -> l.startsWith("OPEN RES-COH-001 model="))
                .filteredOn(l -> l.startsWith("FOLD")).hasSize(REGION_MEMBERS.size() + MODEL_MEMBERS.size())
                .allMatch(l -> l.endsWith(" into " + regionId));
        assertThat(modelFirst).as("the same, the model's incident read first").containsExactlyElementsOf(regionFirst);
    }

    @Test
    void findingsOfOneMillisecondAreAppliedByCohortNotByArrival() throws Exception {
        List<Finding> region = cohortOutput("region", "eu-west", T0 + 1_000, REGION_MEMBERS);
        List<Finding> model = cohortOutput("model", "cam-x200", T0 + 1_000, MODEL_MEMBERS);
        assertThat(run(model, region)).containsExactlyElementsOf(run(region, model))
                .contains("OPEN RES-COH-001 region=eu-west @" + (T0 + 1_000));
    }
}
