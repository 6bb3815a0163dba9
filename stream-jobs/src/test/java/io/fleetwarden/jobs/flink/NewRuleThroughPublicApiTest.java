package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.DeviceContext;
import io.fleetwarden.jobs.detect.DeviceOutput;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceRule;
import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.KeyedDigest;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.Rule;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Severity;

/**
 * A rule added through the public API only: one class ({@link ReportsWhileQuarantined}) and one catalogue entry
 * ({@link #ENTRY}), run by the real per-device operator next to the standard rules. Nothing else in the job knows
 * about it: it gets its reports, its own state (kept, restored from a snapshot, dropped with the device), and its
 * deadline fires it.
 */
class NewRuleThroughPublicApiTest {

    static final Rule ENTRY = new Rule("TST-QUAR-001", Rule.Category.COMPROMISE, "Reports while quarantined", Severity.HIGH,
            "A quarantined device keeps publishing telemetry; clears 10 minutes after the last such report.", List.of(6), null,
            "3 reports");

    /** Opens on the third report sent while quarantined; clears itself 10 minutes (event time) after the last one. */
    public static final class ReportsWhileQuarantined implements DeviceRule<ReportsWhileQuarantined.State> {
        private static final long serialVersionUID = 1L;
        static final long QUIET = 600_000;

        /** The rule's own per-device state (a Flink POJO). */
        public static class State {
            public int reports;
            public long last = Long.MIN_VALUE;
            public boolean open;

            public State() {
            }
        }

        @Override
        public String name() {
            return "reports-while-quarantined";
        }

        @Override
        public List<String> emits() {
            return List.of(ENTRY.id());
        }

        @Override
        public Class<State> stateClass() {
            return State.class;
        }

        @Override
        public State newState() {
            return new State();
        }

        @Override
        public void onReport(State s, DeviceReport r, DeviceContext ctx, DeviceOutput out) {
            if (!r.quarantined()) {
                return;
            }
            s.reports++;
            s.last = Math.max(s.last, r.deviceTime());
            if (s.reports >= 3 && !s.open) {
                s.open = true;
                out.finding(Finding.device(ENTRY.id(), Action.OPEN, r.tenant(), r.deviceId(), r.deviceTime(), s.reports + " reports")
                        .with("reports", s.reports));
            }
        }

        @Override
        public long nextDeadline(State s) {
            return s.open ? s.last + QUIET : NO_DEADLINE;
        }

        @Override
        public void onDeadline(State s, String tenant, String deviceId, long now, DeviceOutput out) {
            s.open = false;
            s.reports = 0;
            out.finding(Finding.device(ENTRY.id(), Action.CLEAR, tenant, deviceId, now, "quiet"));
        }
    }

    private static KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> harness(DeviceRules rules)
            throws Exception {
        var h = unopened(rules);
        h.open();
        return h;
    }

    /** A harness not yet opened (to restore a snapshot into). */
    private static KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> unopened(DeviceRules rules)
            throws Exception {
        List<Rule> catalogue = new ArrayList<>(RuleCatalogue.all());
        catalogue.add(ENTRY);
        DetectionConfig cfg = DetectionConfig.defaults();
        return new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new DeviceFunction(cfg, rules, catalogue, KEY), List.of(DeviceFunction.CATALOG, DeviceFunction.ADVISORIES)),
                DeviceEvent::deviceKey, Types.STRING, 1, 1, 0);
    }

    private static final byte[] KEY = KeyedDigest.newKey();

    private static StreamRecord<DeviceEvent> report(long ts, boolean quarantined) {
        return new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", ts).setQuarantined(quarantined).build()), ts);
    }

    private static List<Finding> ours(KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h) {
        return h.extractOutputValues().stream().filter(f -> f.ruleId.equals(ENTRY.id())).toList();
    }

    @Test
    void aRuleAddedAsOneClassAndOneCatalogueEntryFiresThroughTheRealOperator() throws Exception {
        DeviceRules rules = DeviceRules.standard(DetectionConfig.defaults()).with(new ReportsWhileQuarantined());
        try (var h = harness(rules)) {
            h.processElement(report(T0, true));
            h.processElement(report(T0 + 30_000, false));
            h.processElement(report(T0 + 60_000, true));
            assertThat(ours(h)).as("one below the threshold").isEmpty();
            h.processElement(report(T0 + 90_000, true));
            assertThat(ours(h)).singleElement().satisfies(f -> {
                assertThat(f.action).isEqualTo(Action.OPEN);
                assertThat(f.evidence).containsEntry("reports", "3");
            });
            // Its deadline is served by the operator's one timer per device, next to the offline deadline.
            h.processElement(report(T0 + 120_000, false));
            h.processElement(report(T0 + 150_000, false));
            h.processElement(report(T0 + 180_000, false));
            h.processElement(report(T0 + 210_000, false));
            h.watermark(T0 + 90_000 + ReportsWhileQuarantined.QUIET - 1);
            assertThat(ours(h)).hasSize(1);
            h.processElement(report(T0 + 600_000, false));
            h.watermark(T0 + 90_000 + ReportsWhileQuarantined.QUIET);
            assertThat(ours(h)).hasSize(2).last().satisfies(f -> {
                assertThat(f.action).isEqualTo(Action.CLEAR);
                assertThat(f.timestamp).isEqualTo(T0 + 90_000 + ReportsWhileQuarantined.QUIET);
            });
        }
    }

    @Test
    void itsStateSurvivesASnapshotAndARestoreThatAddsItKeepsTheOtherRulesState() throws Exception {
        DeviceRules standard = DeviceRules.standard(DetectionConfig.defaults());
        DeviceRules withRule = standard.with(new ReportsWhileQuarantined());
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness(withRule)) {
            h.processElement(report(T0, true));
            h.processElement(report(T0 + 30_000, true));
            snapshot = h.snapshot(1, T0 + 30_000);
        }
        try (var h = unopened(withRule)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(report(T0 + 60_000, true));
            assertThat(ours(h)).as("the two restored reports count").singleElement()
                    .satisfies(f -> assertThat(f.evidence).containsEntry("reports", "3"));
        }

        // Restoring a snapshot of the standard rules into an operator with the new rule: the other rules keep their
        // state (the connectivity rules do not report the device as first seen again), the new rule starts empty.
        try (var h = harness(standard)) {
            h.processElement(report(T0, true));
            snapshot = h.snapshot(2, T0);
        }
        try (var h = unopened(withRule)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(report(T0 + 30_000, true));
            h.processElement(report(T0 + 60_000, true));
            assertThat(h.getSideOutput(DeviceFunction.CHANGES)).as("still reachable: no new reachability change").isNullOrEmpty();
            assertThat(ours(h)).as("two reports since the restore").isEmpty();
            h.processElement(report(T0 + 90_000, true));
            assertThat(ours(h)).hasSize(1);
        }
    }

    @Test
    void aRuleEmittingAnIdOutsideTheCatalogueIsRefused() {
        DeviceRule<ReportsWhileQuarantined.State> unlisted = new ReportsWhileQuarantined();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DeviceFunction(DetectionConfig.defaults(),
                        DeviceRules.standard(DetectionConfig.defaults()).with(unlisted), RuleCatalogue.all(), KeyedDigest.newKey()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TST-QUAR-001");
    }
}
