package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.FleetRule;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * A cohort rule is one class: a {@link FleetRule} added from the test source set runs in the real cohort operator
 * next to {@link CohortRules}, with its own state (kept under its name) and its deadline served by the operator's one
 * timer; the standard rules are not disturbed; two rules of one name are refused.
 */
class NewCohortRuleThroughPublicApiTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    /** State of the test rule (Flink POJO). */
    public static class DropCount {
        public int drops;
        public long lastDrop = Long.MIN_VALUE;
        public boolean open;

        public DropCount() {
        }
    }

    /** Three drops in a cohort open the (borrowed) storm id; a minute without drops clears it. */
    static final class ThreeDrops implements FleetRule<ConnectivityChange, DropCount> {
        private static final long serialVersionUID = 1L;

        @Override
        public String name() {
            return "three-drops";
        }

        @Override
        public List<String> emits() {
            return List.of("RES-STORM-001");
        }

        @Override
        public Class<DropCount> stateClass() {
            return DropCount.class;
        }

        @Override
        public DropCount newState() {
            return new DropCount();
        }

        @Override
        public List<Finding> onInput(DropCount s, String key, ConnectivityChange c) {
            if (c.online) {
                return List.of();
            }
            s.drops++;
            s.lastDrop = Math.max(s.lastDrop, c.timestamp);
            if (s.drops == 3 && !s.open) {
                s.open = true;
                return List.of(Finding.other("RES-STORM-001", Action.OPEN, c.tenant, c.cohortDimension, c.cohortValue, c.timestamp, "3 drops"));
            }
            return List.of();
        }

        @Override
        public long nextDeadline(DropCount s) {
            return s.open ? s.lastDrop + 60_000 : NO_DEADLINE;
        }

        @Override
        public List<Finding> onDeadline(DropCount s, String key, long now) {
            s.open = false;
            s.drops = 0;
            return List.of(Finding.other("RES-STORM-001", Action.CLEAR, "acme", "region", "eu-west", now, "quiet"));
        }

        @Override
        public boolean idle(DropCount s) {
            return !s.open && s.drops == 0;
        }
    }

    private static ConnectivityChange drop(String device, long ts) {
        return new ConnectivityChange(Events.TENANT, device, Events.MODEL, "eu-west", "broker-1", false, ts, "connection-lost")
                .forCohort("region");
    }

    @Test
    void aNewCohortRuleRunsInTheRealOperatorWithItsOwnStateAndDeadline() throws Exception {
        CohortFunction fn = new CohortFunction(CFG, List.of(new CohortRules(CFG), new ThreeDrops()));
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                new KeyedProcessOperator<>(fn), c -> c.cohortKey, Types.STRING)) {
            h.open();
            // The job's watermark already past these drops: they go to the rules at once (input before the first
            // watermark would wait for it).
            h.processWatermark(new Watermark(T0 + 2000));
            h.processElement(new StreamRecord<>(drop("cam-1", T0), T0));
            h.processElement(new StreamRecord<>(drop("cam-2", T0 + 1000), T0 + 1000));
            assertThat(h.extractOutputValues()).as("one below").isEmpty();
            h.processElement(new StreamRecord<>(drop("cam-3", T0 + 2000), T0 + 2000));
            assertThat(h.extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.ruleId).isEqualTo("RES-STORM-001");
                assertThat(f.action).isEqualTo(Action.OPEN);
            });
            // Each rule's state under its own name: the standard cohort state and the new one.
            assertThat(h.numKeyedStateEntries()).isEqualTo(3); // cohort, three-drops, timer
            h.processWatermark(new Watermark(T0 + 2000 + 60_000 - 1));
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processWatermark(new Watermark(T0 + 2000 + 60_000));
            assertThat(h.extractOutputValues()).last().satisfies(f -> assertThat(f.action).isEqualTo(Action.CLEAR));
            // The new rule is idle and its state gone; the standard rule keeps its cohort state.
            assertThat(h.numKeyedStateEntries()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void twoRulesOfOneNameAreRefused() {
        assertThatThrownBy(() -> new CohortFunction(CFG, List.of(new ThreeDrops(), new ThreeDrops())))
                .hasMessageContaining("share a name");
    }
}
