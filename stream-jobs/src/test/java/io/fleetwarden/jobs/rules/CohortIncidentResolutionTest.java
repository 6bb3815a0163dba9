package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.rules.RuleScenarioTest.change;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.CohortState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.Events;

/**
 * RES-COH-001's incident resolves by the devices of its onset: devices that drop later while it is open are folded
 * into it but cannot hold it open and hide the cohort's next outage inside it.
 */
class CohortIncidentResolutionTest {

    static final DetectionConfig CFG = DetectionConfig.defaults();
    static final long T0 = Events.T0;
    static final long MIN = 60_000L;

    final CohortRules rules = new CohortRules(CFG);
    final CohortState st = new CohortState();

    /** 60 devices online; cam-0..19 drop at T0 (an outage of a third); cam-20..24 drop 10 min later and stay down. */
    List<Finding> outageWithLateJoiners() {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            rules.onChange(st, change("cam-" + i, true, T0 - 60 * MIN + i));
        }
        for (int i = 0; i < 20; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, false, T0 + i * 1000L)));
        }
        for (int i = 20; i < 25; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, false, T0 + 10 * MIN + i * 1000L)));
        }
        return out;
    }

    List<Finding> returnOnset(int back) {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < back; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, true, T0 + 20 * MIN + i * 1000L)));
        }
        return out;
    }

    static List<Finding> incident(List<Finding> findings) {
        return findings.stream().filter(f -> f.ruleId.equals("RES-COH-001")).toList();
    }

    @Test
    void lateJoinersAreFoldedIntoTheOpenIncident() {
        List<Finding> out = outageWithLateJoiners();
        String incidentId = out.stream().filter(f -> f.action == Action.FOLD).findFirst().orElseThrow().parentAlertId;
        assertThat(incident(out)).anyMatch(f -> f.action == Action.OPEN);
        assertThat(out).filteredOn(f -> f.action == Action.FOLD).hasSize(25)
                .allMatch(f -> incidentId.equals(f.parentAlertId));
    }

    @Test
    void resolvesWhenEnoughOfTheOnsetIsBackWhateverTheLateJoinersDo() {
        outageWithLateJoiners();
        // 16 of the 20 onset devices = cohort.resolveFraction 0.8; of all 25 members it would take 20
        assertThat(incident(returnOnset(16))).last().extracting(f -> f.action).isEqualTo(Action.CLEAR);
    }

    @Test
    void staysOpenOneBelow() {
        outageWithLateJoiners();
        assertThat(incident(returnOnset(15))).noneMatch(f -> f.action == Action.CLEAR);
    }

    @Test
    void theCohortsNextOutageOpensItsOwnIncident() {
        outageWithLateJoiners();
        returnOnset(20);
        List<Finding> later = new ArrayList<>();
        for (int i = 30; i < 52; i++) {
            later.addAll(rules.onChange(st, change("cam-" + i, false, T0 + 180 * MIN + i * 1000L)));
        }
        assertThat(incident(later)).anyMatch(f -> f.action == Action.OPEN);
        assertThat(later).filteredOn(f -> f.action == Action.FOLD).isNotEmpty()
                .allMatch(f -> f.summary.startsWith("part of") && f.parentAlertId != null);
    }
}
