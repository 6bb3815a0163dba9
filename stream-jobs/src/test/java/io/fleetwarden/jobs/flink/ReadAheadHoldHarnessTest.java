package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.KeyedDigest;
import io.fleetwarden.jobs.flink.CohortInterleavingHarnessTest.In;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * The security topic read hours ahead of the telemetry, as at a start on a backlog (before the sources' first alignment
 * round, or while one source has no split yet, a source reads freely: ReplayDetectionIT's clean-clone runs read the
 * security events up to about five and a half hours ahead). The broker's connects and disconnects carry no model or
 * region: read before a device's first report, they cannot reach its model and region cohorts, and a goodbye read before
 * any report is no planned absence. The per-device operator holds security events more than its read-ahead bound ahead of
 * its watermark; these are the same histories with and without that bound.
 */
class ReadAheadHoldHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long S = 1000;
    private static final long MIN = 60_000;
    private static final long H = 3_600_000;
    /** The job's default: the sources' watermark drift. */
    private static final Duration READ_AHEAD = FleetDetectionJob.DEFAULT_READ_AHEAD;

    static DeviceFunction bounded() {
        return new DeviceFunction(CFG, DeviceRules.standard(CFG), RuleCatalogue.all(), KeyedDigest.newKey(), READ_AHEAD);
    }

    private static DeviceFunction unbounded() {
        return new DeviceFunction(CFG, DeviceRules.standard(CFG), RuleCatalogue.all(), KeyedDigest.newKey(), Duration.ZERO);
    }

    /** The history with the security events stripped of model and region, as the broker sends them. */
    static List<In> asFromTheBroker(List<In> history) {
        List<In> out = new ArrayList<>();
        for (In i : history) {
            if (!i.security()) {
                out.add(i);
                continue;
            }
            DeviceSecurityEvent e = i.event().security;
            DeviceEvent copy = new DeviceEvent();
            copy.key = i.event().key;
            copy.security = new DeviceSecurityEvent(e.type(), e.timestamp(), e.tenant(), e.deviceId(), null, null, e.reason(),
                    e.brokerId(), e.sourceAddress());
            out.add(new In(i.ts(), i.readAt(), true, copy));
        }
        return out;
    }

    private static List<Long> incidentOpenings(List<Finding> out) {
        return out.stream().filter(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.OPEN && f.evidence.containsKey("test"))
                .map(f -> f.timestamp).toList();
    }

    @Test
    void securityEventsReadHoursAheadGiveTheIncidentsOfTheHistoryReadInStep() throws Exception {
        List<Finding> inStep = CohortInterleavingHarnessTest.run(asFromTheBroker(CohortInterleavingHarnessTest.history(0)), 0, bounded());
        List<Finding> farAhead = CohortInterleavingHarnessTest.run(asFromTheBroker(CohortInterleavingHarnessTest.history(4 * H)), 0, bounded());

        assertThat(incidentOpenings(inStep)).as("read in step: both outages").hasSize(2);
        assertThat(CohortInterleavingHarnessTest.verdicts(farAhead)).as("read four hours ahead: the same verdicts")
                .containsExactlyElementsOf(CohortInterleavingHarnessTest.verdicts(inStep));
    }

    @Test
    void withoutTheBoundTheOutageReadAheadOfItsDevicesFirstReportsIsMissed() throws Exception {
        // What the job did before the bound: the first outage's disconnects, read before the devices' first reports, carried no
        // region; the region saw only their offline deadlines, not connection losses, and 21 of 80 devices is under the
        // cohort's fraction.
        List<Finding> farAhead = CohortInterleavingHarnessTest.run(asFromTheBroker(CohortInterleavingHarnessTest.history(4 * H)), 0, unbounded());
        assertThat(incidentOpenings(farAhead)).as("only the second outage opens").hasSize(1);
    }

    /**
     * A device that says goodbye (its own clean disconnect) twelve seconds after its last report and never comes back (a
     * retirement, ReplayDetectionIT's decommissioned thermostat): no RES-OFF-001 at its offline deadline, however far ahead
     * its goodbye was read.
     */
    @Test
    void aGoodbyeReadBeforeTheDevicesReportsIsStillAPlannedAbsence() throws Exception {
        long start = T0 - 8 * H;
        long last = start + 5 * H;
        String device = "thermo-57";
        String address = "198.51.100.57";
        List<In> in = new ArrayList<>();
        for (long t = start + 1000; t <= last; t += MIN) {
            in.add(new In(t, t, false, DeviceEvent.of(Events.telemetry(device, t).setIntervalSeconds(60)
                    .setBroker(Events.broker(address)).build())));
        }
        in.add(broker(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, start, device, address));
        in.add(broker(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT, last + 12 * S, device, address));
        in.sort(Comparator.comparingLong(In::readAt));

        assertThat(offlineOpened(in, unbounded())).as("unbounded: declared offline at its deadline, as before the bound").isNotEmpty();
        assertThat(offlineOpened(in, bounded())).as("bounded: its goodbye is a planned absence").isEmpty();
    }

    /**
     * One key holding thousands of security events (a device, or an identity many connections claim, in a backlog): all are
     * released in arrival order as the watermark reaches them, a burst at one release time included, and nothing stays
     * held. The hold is a queue with one state access per event (a list rewritten on every release was quadratic in what
     * one key holds).
     */
    @Test
    void aKeyHoldingThousandsOfEventsReleasesThemAllInArrivalOrder() throws Exception {
        String device = "cam-7";
        String address = "198.51.100.7";
        int events = 20_000;
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h = harness(bounded())) {
            h.processWatermark(T0);
            List<Long> sent = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                // Ten events a second for the first half, then the rest at one millisecond; connects and disconnects alternate.
                long ts = T0 + H + Math.min(i, events / 2) * 100L;
                SecurityEventType type = i % 2 == 0 ? SecurityEventType.CONNECT : SecurityEventType.DISCONNECT;
                String reason = i % 2 == 0 ? SecurityEventReasons.CONNECTED : SecurityEventReasons.CONNECTION_LOST;
                h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(type, reason, ts, device, address).build()), ts));
                sent.add(ts);
            }
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("all held: an hour ahead of the watermark").isNullOrEmpty();

            h.processWatermark(T0 + H - READ_AHEAD.toMillis() + 300_000); // the first half's first five minutes due
            int firstStep = h.getSideOutput(DeviceFunction.STATUS).size();
            assertThat(firstStep).as("only the due prefix").isEqualTo(3_001);
            h.processWatermark(T0 + 2 * H);
            var status = new ArrayList<>(h.getSideOutput(DeviceFunction.STATUS));
            assertThat(status).as("every event, in arrival order").hasSize(events);
            for (int i = 0; i < events; i++) {
                assertThat(status.get(i).getValue().connected).isEqualTo(i % 2 == 0);
                assertThat(status.get(i).getValue().timestamp).isEqualTo(sent.get(i));
            }
            var backend = (HeapKeyedStateBackend<?>) ((AbstractStreamOperator<?>) h.getOperator()).getKeyedStateBackend();
            assertThat(backend.numKeyValueStateEntries()).as("nothing left held: the device's state only").isEqualTo(1);
        }
    }

    /**
     * The bound is the device's own: before any watermark (a start on a backlog), a disconnect read before the device's
     * reports waits until the device's own reports come within the read-ahead of it, not for the watermark; it is then
     * applied right after the report that brought it near, and later events of the device (a connect read next) wait
     * behind it. With the reports current, a security event is applied at once, watermark or not.
     */
    @Test
    void theDevicesOwnReportsReleaseItsEventsWithoutAWatermark() throws Exception {
        String device = "cam-9";
        String address = "198.51.100.9";
        long start = T0;
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h = harness(bounded())) {
            long down = start + 30 * MIN + 5 * S;
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT,
                    SecurityEventReasons.CONNECTION_LOST, down, device, address).build()), down));
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT,
                    SecurityEventReasons.CONNECTED, down + MIN, device, address).build()), down + MIN));
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("no report of the device yet: both wait").isNullOrEmpty();
            for (long t = start; t <= start + 29 * MIN; t += MIN) {
                h.processElement(report(device, t, 60, address));
            }
            List<String> signals = new ArrayList<>();
            for (var r : h.getSideOutput(DeviceFunction.STATUS)) {
                signals.add(r.getValue().telemetry ? "report@" + (r.getValue().timestamp - start) / MIN
                        : (r.getValue().connected ? "connect" : "disconnect"));
            }
            // Reports signal their status every status.refresh (5 min) or after a disconnect. The report at minute 21 is the
            // first within the 10 minutes of the disconnect at 30:05 (released right after it), the one at minute 22 the
            // first within 10 minutes of the connect at 31:05 (the report signalled first: it follows the disconnect).
            assertThat(signals).as("each released right after the report that brought it near, in arrival order, no watermark yet")
                    .containsExactly("report@0", "report@5", "report@10", "report@15", "report@20", "disconnect", "report@22",
                            "connect", "report@27");

            h.getSideOutput(DeviceFunction.STATUS).clear();
            long auth = start + 35 * MIN;
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT,
                    SecurityEventReasons.CLIENT_DISCONNECT, auth, device, address).build()), auth));
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("its reports current: applied at once")
                    .extracting(r -> r.getValue().connected).containsExactly(false);
        }
    }

    /**
     * Holding costs no timer per event: the device's one timer is moved at most to the release of the first event waiting
     * (a device reporting every 30 s has its offline timer earlier still), and the events behind it wait for it. A timer per
     * held event was a timer registration and firing per event on a backlog, and in RocksDB (the production backend, which
     * keeps timers in RocksDB too) a write and a delete each. The events are still released exactly when the watermark
     * comes within the read-ahead of them, in arrival order.
     */
    @Test
    void heldEventsShareTheDevicesOneTimer() throws Exception {
        String device = "cam-11";
        String address = "198.51.100.11";
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h = harness(bounded())) {
            h.processWatermark(T0);
            for (long t = T0; t <= T0 + 5 * MIN; t += 30 * S) {
                h.processElement(report(device, t, 30, address));
            }
            assertThat(h.numEventTimeTimers()).as("the device's own (offline) timer").isEqualTo(1);
            h.getSideOutput(DeviceFunction.STATUS).clear();
            List<Long> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long ts = T0 + H + i * 10 * S; // far ahead of its reports and the watermark, over 1000 s
                SecurityEventType type = i % 2 == 0 ? SecurityEventType.DISCONNECT : SecurityEventType.CONNECT;
                String reason = i % 2 == 0 ? SecurityEventReasons.CONNECTION_LOST : SecurityEventReasons.CONNECTED;
                h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(type, reason, ts, device, address).build()), ts));
                sent.add(ts);
            }
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("all held").isNullOrEmpty();
            assertThat(h.numEventTimeTimers()).as("one timer for the device, not one per held event").isEqualTo(1);

            long firstRelease = T0 + H - READ_AHEAD.toMillis();
            h.processWatermark(firstRelease - 1);
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("the watermark short of the first release").isNullOrEmpty();
            h.processWatermark(firstRelease + 495 * S); // the first 50 due (the 50th at +490 s)
            var released = new ArrayList<>(h.getSideOutput(DeviceFunction.STATUS));
            assertThat(released).as("exactly the due prefix").hasSize(50);
            assertThat(h.numEventTimeTimers()).as("still one timer, for the rest").isEqualTo(1);
            h.processWatermark(T0 + 2 * H);
            released = new ArrayList<>(h.getSideOutput(DeviceFunction.STATUS));
            assertThat(released).as("every event").hasSize(100);
            for (int i = 0; i < 100; i++) {
                assertThat(released.get(i).getValue().timestamp).as("in arrival order").isEqualTo(sent.get(i));
                assertThat(released.get(i).getValue().connected).isEqualTo(i % 2 == 1);
            }
        }
    }

    /**
     * Hostile: the report time the bound trusts is the device's own (clamped upstream to the broker's receive time within
     * the clock-skew window). A device that stamps its reports hours ahead releases only its own held events; another
     * device's events, far ahead of that device's reports and of the watermark, keep waiting.
     */
    @Test
    void aDevicesForgedReportTimesReleaseOnlyItsOwnEvents() throws Exception {
        String forger = "cam-13";
        String victim = "cam-14";
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h = harness(bounded())) {
            h.processWatermark(T0);
            for (String d : List.of(forger, victim)) {
                h.processElement(report(d, T0, 30, "198.51.100.13"));
            }
            h.getSideOutput(DeviceFunction.STATUS).clear();
            long ahead = T0 + H;
            for (String d : List.of(forger, victim)) {
                h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT,
                        SecurityEventReasons.CONNECTION_LOST, ahead, d, "198.51.100.13").build()), ahead));
            }
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("both held").isNullOrEmpty();
            h.processElement(report(forger, ahead + 2 * H, 30, "198.51.100.13"));
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("only the forger's own disconnect (and its report)")
                    .extracting(r -> r.getValue().deviceId).containsOnly(forger).isNotEmpty();
            h.getSideOutput(DeviceFunction.STATUS).clear();
            h.processWatermark(ahead - READ_AHEAD.toMillis());
            assertThat(h.getSideOutput(DeviceFunction.STATUS)).as("the victim's, by the watermark only")
                    .extracting(r -> r.getValue().deviceId).containsExactly(victim);
        }
    }

    /** A harness of {@code f} with the reference data complete (its broadcast side at the end of time). */
    private static KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> harness(DeviceFunction f)
            throws Exception {
        KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(f, DeviceEvent::deviceKey, Types.STRING,
                        DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
        h.processBroadcastWatermark(Long.MAX_VALUE);
        return h;
    }

    /** A report of {@code device} at {@code t} (its record's timestamp too), declaring {@code intervalSeconds}, from {@code address}. */
    private static StreamRecord<DeviceEvent> report(String device, long t, int intervalSeconds, String address) {
        return new StreamRecord<>(DeviceEvent.of(Events.telemetry(device, t).setIntervalSeconds(intervalSeconds)
                .setBroker(Events.broker(address)).build()), t);
    }

    /** A security event as the broker sends it (no model or region), read at the very start: before every report. */
    private static In broker(SecurityEventType type, String reason, long ts, String device, String address) {
        return new In(ts, Long.MIN_VALUE, true, DeviceEvent.of(Events.security(type, reason, ts, device, address)
                .setModel(null).setRegion(null).build()));
    }

    /** The RES-OFF-001 alerts of normal severity opened within an hour after the device's last report. */
    private static List<Finding> offlineOpened(List<In> inputs, DeviceFunction f) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h = harness(f)) {
            long wm = Long.MIN_VALUE;
            long end = Long.MIN_VALUE;
            for (In i : inputs) {
                long next = i.readAt() == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(i.readAt() - 5 * S, S) * S;
                if (next > wm) {
                    wm = next;
                    h.processWatermark(wm);
                }
                h.processElement(new StreamRecord<>(i.event(), i.ts()));
                end = Math.max(end, i.ts());
            }
            h.processWatermark(end + H);
            return h.extractOutputValues().stream()
                    .filter(x -> x.ruleId.equals("RES-OFF-001") && x.action == Action.OPEN && x.severity == null).toList();
        }
    }
}
