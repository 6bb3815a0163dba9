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
 * One source (or partition) ahead of another in event time, at the cohort stage: a regional outage whose devices
 * sit on two partitions, one read half an hour ahead of the other. Its devices' drops and returns reach the cohort
 * before the other partition's drops; counted in arrival order, neither half reaches the incident threshold and the
 * outage opens no incident (what the time-warped replay found). Held until the watermark reaches them, the changes
 * reach the rules in event-time order (one millisecond by device): one incident with every member, resolved by the
 * returns. The same holds for changes only seconds apart: each watermark step is decided in event-time order.
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
            h.processWatermark(new Watermark(T0 + 12 * MIN));
            assertThat(h.extractOutputValues()).filteredOn(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.CLEAR)
                    .singleElement();
        }
    }

    @Test
    void liveChangesAreDecidedWhenTheWatermarkPassesThem() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 40; i++) {
                send(h, change("cam-" + i, true, T0 - 60 * MIN + i));
            }
            h.processWatermark(new Watermark(T0 - 6_000)); // out-of-orderness 5 s plus a watermark interval
            for (int i = 0; i < 12; i++) {
                send(h, change("cam-" + i, false, T0 + i));
            }
            assertThat(h.extractOutputValues()).as("seconds ahead of the watermark: they wait for it").isEmpty();
            h.processWatermark(new Watermark(T0 + 11));
            assertThat(h.extractOutputValues()).filteredOn(f -> f.ruleId.equals("RES-COH-001")).hasSize(1);
        }
    }

    /**
     * The same changes in two arrival orders, both legal under the watermark (all ahead of it, each device's own changes
     * in order): 12 of a region's 40 devices drop within 12 ms and the first of them is back 9 ms later. In event-time
     * order the 12th drop opens the incident (30 %) before that return; with the return read before the 12th drop (another
     * partition, another source), arrival order saw at most 11 down at once and opened nothing. Either way the verdict
     * is now the former.
     */
    @Test
    void theChangesOfOneWatermarkStepAreDecidedInEventTimeOrderWhateverTheirArrival() throws Exception {
        List<ConnectivityChange> drops = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            drops.add(change("cam-" + i, false, T0 + i));
        }
        ConnectivityChange back = change("cam-0", true, T0 + 20);
        List<ConnectivityChange> returnLast = new java.util.ArrayList<>(drops);
        returnLast.add(back);
        List<ConnectivityChange> returnBeforeTheLastDrop = new java.util.ArrayList<>(drops.subList(0, 11));
        returnBeforeTheLastDrop.add(back);
        returnBeforeTheLastDrop.add(drops.get(11));
        List<List<String>> verdicts = new java.util.ArrayList<>();
        for (List<ConnectivityChange> arrival : List.of(returnLast, returnBeforeTheLastDrop)) {
            try (var h = harness()) {
                h.open();
                for (int i = 0; i < 40; i++) {
                    send(h, change("cam-" + i, true, T0 - 60 * MIN + i));
                }
                h.processWatermark(new Watermark(T0 - 6_000));
                for (ConnectivityChange c : arrival) {
                    send(h, c);
                }
                h.processWatermark(new Watermark(T0 + MIN));
                verdicts.add(h.extractOutputValues().stream().map(f -> f.ruleId + " " + f.action + " " + f.timestamp + " "
                        + (f.deviceId == null ? f.summary : f.deviceId)).toList());
            }
        }
        assertThat(verdicts.get(0)).as("12 of 40 within 12 ms: one incident, its 12 members folded")
                .filteredOn(v -> v.startsWith("RES-COH-001 OPEN")).singleElement();
        assertThat(verdicts.get(0)).filteredOn(v -> v.startsWith("RES-OFF-001 FOLD")).hasSize(12);
        assertThat(verdicts.get(1)).as("the same verdicts in the other arrival order").containsExactlyElementsOf(verdicts.get(0));
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
            send(h, change("cam-1", false, T0 + 1_000));
            h.processWatermark(new Watermark(T0 + 1_000)); // handed over: the rule's deadline (the cohort's timer) is T0 + 61 s
            long releaseAt = T0 + 61_000;
            send(h, change("cam-2", false, releaseAt)); // held until T0 + 61 s: the same timer
            send(h, change("cam-3", false, T0 + 2_000));
            h.processWatermark(new Watermark(T0 + 2_000)); // the rule's deadline moves to T0 + 62 s
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-1", "cam-3");

            h.processWatermark(new Watermark(releaseAt));
            assertThat(h.extractOutputValues()).as("released when the watermark reaches its time")
                    .extracting(f -> f.summary).containsExactly("cam-1", "cam-3", "cam-2");
        }
    }

    @Test
    void manyHeldChangesAreReleasedInEventTimeOrderAndOneMillisecondByDevice() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                new KeyedProcessOperator<>(new CohortFunction(CFG, List.of(new Echo()))), c -> c.cohortKey, Types.STRING)) {
            h.open();
            h.processWatermark(new Watermark(T0));
            // Read out of order, an hour ahead of the watermark; two share a millisecond (cam-9 read before cam-3).
            long base = T0 + 3_600_000;
            String[] device = {"cam-0", "cam-9", "cam-2", "cam-3", "cam-4"};
            long[] at = {base + 5, base + 1, base + 9, base + 1, base + 2};
            for (int i = 0; i < at.length; i++) {
                send(h, change(device[i], false, at[i]));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(new Watermark(base + 3));
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-3", "cam-9", "cam-4");
            h.processWatermark(new Watermark(base + 9));
            assertThat(h.extractOutputValues()).extracting(f -> f.summary).containsExactly("cam-3", "cam-9", "cam-4", "cam-0", "cam-2");
            assertThat(h.numKeyedStateEntries()).as("nothing held any more: the rule's state and its timer").isEqualTo(2);
        }
    }
}
