package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * A region's outages through the real per-device operator and the real cohort operator, with the two topics read in
 * three different orders, all legal under the watermark: in step (merged by event time), with the security events
 * read eight minutes ahead of the telemetry, and with the telemetry eight minutes ahead (watermark alignment allows up to {@code --watermark-drift}, 10 min). The
 * replay's situation: 80 devices of eu-west reporting every minute, a few connection losses an hour (the background
 * rate the significance test learns), an outage of 21 devices (26 %: only the significance test opens it), their
 * return 13 minutes later, and an outage of 43 devices three hours after the first.
 *
 * <p>The verdicts must be the same in both orders. They were not: read ahead, each device's DISCONNECT came before its
 * last reports, which made it reachable again (a reachability change older than the disconnect), so its offline
 * deadline later took it down a second time and its return no longer counted as a return of the incident's onset; the
 * first incident never resolved and the second outage was folded into it (what ReplayDetectionIT found).
 */
class CohortInterleavingHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long S = 1000;
    private static final long MIN = 60_000;
    private static final long H = 3_600_000;
    private static final int DEVICES = 80;
    private static final long START = T0 - 8 * H;
    static final long OUTAGE_1 = START + 3 * H;
    private static final long OUTAGE_2 = OUTAGE_1 + 3 * H;
    static final long END = OUTAGE_2 + H;
    /** Bounded out-of-orderness of the job's sources. */
    private static final long OUT_OF_ORDERNESS = 5 * S;

    /** One input of the per-device operator; {@code readAt} is its place in the arrival order. */
    record In(long ts, long readAt, boolean security, DeviceEvent event) {
    }

    /** One device's absence: disconnected (connection lost) at {@code down}, connected again at {@code up}. */
    record Absence(int device, long down, long up) {
    }

    static List<Absence> absences() {
        List<Absence> out = new ArrayList<>();
        // Background: two short connection losses an hour (at :50 and :55, clear of both incidents), of devices outside both
        // outages.
        for (long h = 0; START + h * H < END; h++) {
            for (int k = 0; k < 2; k++) {
                out.add(new Absence(60 + (int) ((2 * h + k) % 20), START + h * H + 50 * MIN + k * 5 * MIN, 0));
            }
        }
        out.replaceAll(a -> new Absence(a.device, a.down, a.down + 20 * S));
        for (int i = 0; i < 21; i++) {
            out.add(new Absence(i, OUTAGE_1 + i * 200L, OUTAGE_1 + 13 * MIN + i * 8 * S));
        }
        for (int i = 0; i < 43; i++) {
            out.add(new Absence(i, OUTAGE_2 + i * 100L, OUTAGE_2 + 37 * MIN + i * 10 * S));
        }
        return out;
    }

    /** The event-time history: every device connects, reports every minute while connected, and its absences. */
    static List<In> history(long securityLead) {
        List<Absence> absences = absences();
        List<In> in = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            String device = "cam-" + d;
            String address = "198.51.100." + (d + 1);
            in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, START + d * 100L, device, address, securityLead));
            List<Absence> mine = absences.stream().filter(a -> a.device == dev(device)).toList();
            for (Absence a : mine) {
                in.add(security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, a.down, device, address, securityLead));
                in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, a.up, device, address, securityLead));
            }
            for (long t = START + 1000 + d * 700L; t < END; t += MIN) {
                long ts = t;
                if (mine.stream().anyMatch(a -> ts >= a.down && ts <= a.up)) {
                    continue; // no report while away
                }
                in.add(new In(ts, ts, false, DeviceEvent.of(Events.telemetry(device, ts).setIntervalSeconds(60)
                        .setBroker(Events.broker(address)).build())));
            }
        }
        in.sort(Comparator.comparingLong(In::readAt).thenComparing(i -> i.security ? 0 : 1));
        return in;
    }

    private static int dev(String device) {
        return Integer.parseInt(device.substring(4));
    }

    private static In security(SecurityEventType type, String reason, long ts, String device, String address, long lead) {
        return new In(ts, ts - lead, true, DeviceEvent.of(Events.security(type, reason, ts, device, address).build()));
    }

    /**
     * Feeds the inputs to the per-device operator in their arrival order, its reachability changes (region cohort) to
     * the cohort operator, and both a watermark trailing the read position by the out-of-orderness at every second.
     */
    static List<Finding> run(List<In> inputs) throws Exception {
        return run(inputs, 0);
    }

    /** As {@link #run(List)}, the watermark {@code lag} further behind: the security events read that far behind the telemetry. */
    static List<Finding> run(List<In> inputs, long lag) throws Exception {
        return run(inputs, lag, new DeviceFunction(CFG));
    }

    /** As {@link #run(List, long)}, through the given per-device operator (e.g. one with a read-ahead bound). */
    static List<Finding> run(List<In> inputs, long lag, DeviceFunction deviceFunction) throws Exception {
        return run(inputs, lag, deviceFunction, Long.MIN_VALUE, null);
    }

    /**
     * As {@link #run(List, long, DeviceFunction)}, as at a job's start on a backlog: no watermark at all until the read
     * position reaches {@code firstWatermarkAt} (the sources read hours of backlog before their first one). Until the cohort
     * operator's first watermark, the reachability changes are delivered to it in {@code channelOrder} (e.g. one
     * per-device subtask's channel before the other's); null: in the order they were made.
     */
    static List<Finding> run(List<In> inputs, long lag, DeviceFunction deviceFunction, long firstWatermarkAt,
                             Comparator<ConnectivityChange> channelOrder) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> devices =
                     ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(deviceFunction, DeviceEvent::deviceKey,
                             Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
             var cohorts = new KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding>(
                     new KeyedProcessOperator<>(new CohortFunction(CFG)), c -> c.cohortKey, Types.STRING)) {
            cohorts.open();
            devices.processBroadcastWatermark(Long.MAX_VALUE); // no reference data: that input never holds event time
            long wm = Long.MIN_VALUE;
            List<ConnectivityChange> beforeFirst = new ArrayList<>();
            for (In i : inputs) {
                long next = Math.floorDiv(i.readAt - lag - OUT_OF_ORDERNESS, S) * S;
                if (next > wm && i.readAt >= firstWatermarkAt) {
                    wm = next;
                    devices.processWatermark(wm);
                    forward(devices, cohorts, channelOrder != null ? beforeFirst : null);
                    if (beforeFirst != null && channelOrder != null) {
                        // The cohort operator's first watermark, after every change made until then, in channel order.
                        beforeFirst.sort(channelOrder);
                        for (ConnectivityChange c : beforeFirst) {
                            cohorts.processElement(new StreamRecord<>(c, c.timestamp));
                        }
                    }
                    beforeFirst = null;
                    cohorts.processWatermark(new Watermark(wm));
                }
                devices.processElement(new StreamRecord<>(i.event, i.ts));
                forward(devices, cohorts, wm == Long.MIN_VALUE && channelOrder != null ? beforeFirst : null);
                devices.getOutput().clear();
            }
            // The end of the history, before any device's offline deadline after its last report.
            devices.processWatermark(END);
            forward(devices, cohorts, null);
            cohorts.processWatermark(new Watermark(END));
            return cohorts.extractOutputValues();
        }
    }

    /** Hands the per-device operator's region changes to the cohort operator, or to {@code buffer} when one is given. */
    private static void forward(KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> devices,
                                KeyedOneInputStreamOperatorTestHarness<String, ConnectivityChange, Finding> cohorts,
                                List<ConnectivityChange> buffer) throws Exception {
        var changes = devices.getSideOutput(DeviceFunction.CHANGES);
        if (changes == null) {
            return;
        }
        for (StreamRecord<ConnectivityChange> r : changes) {
            ConnectivityChange c = r.getValue().forCohort("region");
            if (c != null && buffer != null) {
                buffer.add(c);
            } else if (c != null) {
                cohorts.processElement(new StreamRecord<>(c, c.timestamp));
            }
        }
        changes.clear();
        for (var tag : List.of(DeviceFunction.STATUS, DeviceFunction.PEERS)) {
            var side = devices.getSideOutput(tag);
            if (side != null) {
                side.clear();
            }
        }
    }

    /** The verdicts: each RES-COH-001 revision and resolution, and which incident each member's RES-OFF-001 folds into. */
    static List<String> verdicts(List<Finding> out) {
        List<String> v = new ArrayList<>();
        for (Finding f : out) {
            if (f.ruleId.equals("RES-COH-001")) {
                v.add(f.action + " " + f.timestamp + " " + f.summary + " " + f.members);
            } else if (f.action == Action.FOLD) {
                v.add("FOLD " + f.deviceId + " @" + f.timestamp + " into " + f.parentAlertId);
            }
        }
        return v;
    }

    /** Incident id to the devices folded into it. */
    static TreeMap<String, Set<String>> folds(List<Finding> out) {
        TreeMap<String, Set<String>> folds = new TreeMap<>();
        out.stream().filter(f -> f.action == Action.FOLD)
                .forEach(f -> folds.computeIfAbsent(f.parentAlertId, k -> new TreeSet<>()).add(f.deviceId));
        return folds;
    }

    @Test
    void bothOutagesAreTheSameIncidentsWhicheverTopicIsReadAhead() throws Exception {
        List<Finding> inStep = run(history(0));
        List<Finding> securityAhead = run(history(8 * MIN));
        // The telemetry eight minutes ahead: each returning device's first reports are read before the DISCONNECT and the
        // CONNECT of its absence (the first outage lasts 13 minutes).
        List<Finding> telemetryAhead = run(history(-8 * MIN), 8 * MIN);

        for (List<Finding> out : List.of(inStep, securityAhead, telemetryAhead)) {
            List<Finding> opened = out.stream().filter(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.OPEN
                    && f.evidence.containsKey("test")).toList();
            assertThat(opened).as("one incident per outage").extracting(f -> f.timestamp)
                    .satisfiesExactly(t -> assertThat(t).isBetween(OUTAGE_1, OUTAGE_1 + 5 * S),
                            t -> assertThat(t).isBetween(OUTAGE_2, OUTAGE_2 + 5 * S));
            assertThat(opened.get(0).evidence).containsEntry("test", "significance");
            assertThat(out).filteredOn(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.CLEAR).as("each resolves")
                    .extracting(f -> f.timestamp)
                    .satisfiesExactly(t -> assertThat(t).isBetween(OUTAGE_1 + 13 * MIN, OUTAGE_1 + 20 * MIN),
                            t -> assertThat(t).isBetween(OUTAGE_2 + 37 * MIN, OUTAGE_2 + 45 * MIN));
            assertThat(folds(out).values()).as("each outage's members folded into its own incident")
                    .extracting(Set::size).containsExactlyInAnyOrder(21, 43);
        }
        assertThat(verdicts(securityAhead)).as("the same verdicts, whatever the order the topics were read in")
                .containsExactlyElementsOf(verdicts(inStep));
        assertThat(verdicts(telemetryAhead)).as("the same verdicts with the telemetry read ahead")
                .containsExactlyElementsOf(verdicts(inStep));
    }
}
