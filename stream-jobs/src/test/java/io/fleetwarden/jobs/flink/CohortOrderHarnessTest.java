package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.FleetRule;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * One source (or partition) far ahead of another in event time, at the cohort stage: a regional outage whose devices
 * sit on two partitions, one read half an hour ahead of the other. Its devices' drops and returns reach the cohort
 * before the other partition's drops; counted in arrival order, neither half reaches the incident threshold and the
 * outage opens no incident (what the time-warped replay found). Held until the watermark comes near them, the changes
 * reach the rules in event-time order: one incident with every member, resolved by the returns.
 */
class CohortOrderHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MIN = 60_000;

    private static ConnectivityChange change(String device, boolean online, long ts) {
        return new ConnectivityChange("acme", device, Events.MODEL, "eu-west", "broker-1", online, ts, online ? "connected" : "connection-lost")
                .forCohort("region");
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new CohortFunction(CFG)), c -> c.cohortKey,
                Types.STRING);
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding> h, ConnectivityChange c)
            throws Exception {
        h.processElement(new StreamRecord<>(c, c.timestamp));
    }

    @Test
    void anOutageReadAheadOnOnePartitionIsStillOneIncidentWithEveryMember() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 40; i++) {
                send(h, change("cam-" + i, true, T0 - 60 * MIN + i));
            }
            h.processWatermark(new Watermark(T0 - 2 * MIN));
            // Partition B, read ahead: 8 devices drop at T0 and are back 10 minutes later.
            for (int i = 0; i < 8; i++) {
                send(h, change("cam-" + i, false, T0 + i));
            }
            for (int i = 0; i < 8; i++) {
                send(h, change("cam-" + i, true, T0 + 10 * MIN + i));
            }
            // Partition A: 8 other devices of the region drop in the same seconds.
            for (int i = 8; i < 16; i++) {
                send(h, change("cam-" + i, false, T0 + i));
            }
            assertThat(h.extractOutputValues()).as("nothing decided ahead of the watermark").isEmpty();

            h.processWatermark(new Watermark(T0 + MIN));
            List<Finding> incidents = h.extractOutputValues().stream()
                    .filter(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.OPEN).toList();
            // Opened at the 12th drop (30 % of 40), one revision as it grew: one incident, all 16 members folded into it.
            assertThat(incidents).as("16 of 40 devices of eu-west within seconds").isNotEmpty()
                    .allMatch(f -> f.timestamp >= T0 && f.timestamp < T0 + 20);
            assertThat(incidents.get(0).members).hasSize(12);
            String id = io.fleetwarden.jobs.alerts.AlertIds.of(incidents.get(0).alertKey(), incidents.get(0).timestamp);
            assertThat(h.extractOutputValues()).filteredOn(f -> f.action == Action.FOLD).hasSize(16)
                    .allMatch(f -> id.equals(f.parentAlertId));

            h.processWatermark(new Watermark(T0 + 11 * MIN));
            assertThat(h.extractOutputValues()).as("the returns, released in order, resolve it")
                    .filteredOn(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.CLEAR).isEmpty();
            for (int i = 8; i < 16; i++) {
                send(h, change("cam-" + i, true, T0 + 11 * MIN + i));
            }
            assertThat(h.extractOutputValues()).filteredOn(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.CLEAR)
                    .singleElement();
        }
    }

    @Test
    void liveChangesSecondsAheadOfTheWatermarkAreDecidedAtOnce() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 40; i++) {
                send(h, change("cam-" + i, true, T0 - 60 * MIN + i));
            }
            h.processWatermark(new Watermark(T0 - 6_000)); // out-of-orderness 5 s plus a watermark interval
            for (int i = 0; i < 12; i++) {
                send(h, change("cam-" + i, false, T0 + i));
            }
            assertThat(h.extractOutputValues()).filteredOn(f -> f.ruleId.equals("RES-COH-001")).hasSize(1);
        }
    }

    /** State of {@link Echo} (Flink POJO). */
    public static class LastSeen {
        public long last = Long.MIN_VALUE;

        public LastSeen() {
        }
    }

    /** Reports every change it is handed (a finding at the change's time); its deadline is a minute after the newest. */
    static final class Echo implements FleetRule<ConnectivityChange, LastSeen> {
        private static final long serialVersionUID = 1L;

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public List<String> emits() {
            return List.of("RES-STORM-001");
        }

        @Override
        public Class<LastSeen> stateClass() {
            return LastSeen.class;
        }

        @Override
        public LastSeen newState() {
            return new LastSeen();
        }

        @Override
        public List<Finding> onInput(LastSeen s, String key, ConnectivityChange c) {
            s.last = Math.max(s.last, c.timestamp);
            return List.of(Finding.other("RES-STORM-001", Action.OPEN, c.tenant, c.cohortDimension, c.cohortValue, c.timestamp,
                    c.deviceId));
        }

        @Override
        public long nextDeadline(LastSeen s) {
            return s.last == Long.MIN_VALUE ? NO_DEADLINE : s.last + MIN;
        }
    }

    @Test
    void aHeldChangeIsReleasedAtItsTimeEvenWhenTheRulesTimerMovesOffThatTime() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                new KeyedProcessOperator<>(new CohortFunction(CFG, List.of(new Echo()))), c -> c.cohortKey, Types.STRING)) {
            h.open();
            h.processWatermark(new Watermark(T0));
            send(h, change("cam-1", false, T0 + 1_000)); // the rule's deadline (and the cohort's timer): T0 + 61 s
            long releaseAt = T0 + 61_000;
            send(h, change("cam-2", false, releaseAt + CohortFunction.HOLD_AHEAD_MS)); // held until T0 + 61 s: the same timer
            send(h, change("cam-3", false, T0 + 2_000)); // the rule's deadline moves to T0 + 62 s
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-1", "cam-3");

            h.processWatermark(new Watermark(releaseAt));
            assertThat(h.extractOutputValues()).as("released when the watermark reaches its release time")
                    .extracting(f -> f.summary).containsExactly("cam-1", "cam-3", "cam-2");
        }
    }

    @Test
    void manyHeldChangesAreReleasedInEventTimeOrder() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                new KeyedProcessOperator<>(new CohortFunction(CFG, List.of(new Echo()))), c -> c.cohortKey, Types.STRING)) {
            h.open();
            h.processWatermark(new Watermark(T0));
            // Read out of order, an hour ahead of the watermark; two share a millisecond (kept in arrival order).
            long[] at = {T0 + 3_600_000 + 5, T0 + 3_600_000 + 1, T0 + 3_600_000 + 9, T0 + 3_600_000 + 1, T0 + 3_600_000 + 2};
            for (int i = 0; i < at.length; i++) {
                send(h, change("cam-" + i, false, at[i]));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(new Watermark(T0 + 3_600_000 + 3 - CohortFunction.HOLD_AHEAD_MS));
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-1", "cam-3", "cam-4");
            h.processWatermark(new Watermark(T0 + 3_600_000 + 9 - CohortFunction.HOLD_AHEAD_MS));
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-1", "cam-3", "cam-4", "cam-0", "cam-2");
            assertThat(h.numKeyedStateEntries()).as("nothing held any more: the rule's state and its timer").isEqualTo(2);
        }
    }
}
