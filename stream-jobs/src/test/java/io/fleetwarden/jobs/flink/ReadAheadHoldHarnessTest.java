package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
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

    /** A security event as the broker sends it (no model or region), read at the very start: before every report. */
    private static In broker(SecurityEventType type, String reason, long ts, String device, String address) {
        return new In(ts, Long.MIN_VALUE, true, DeviceEvent.of(Events.security(type, reason, ts, device, address)
                .setModel(null).setRegion(null).build()));
    }

    /** The RES-OFF-001 alerts of normal severity opened within an hour after the device's last report. */
    private static List<Finding> offlineOpened(List<In> inputs, DeviceFunction f) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h =
                     ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(f, DeviceEvent::deviceKey, Types.STRING,
                             DeviceFunction.CATALOG, DeviceFunction.ADVISORIES)) {
            h.processBroadcastWatermark(Long.MAX_VALUE);
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
