package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * A device's reachability changes (what the cohorts count) must not depend on how its two streams interleave: the
 * security events are read apart from the telemetry and may run minutes ahead (watermark alignment allows up to
 * {@code --watermark-drift}). One device, one connection loss of 10 minutes, read in step and with the security events
 * eight minutes ahead: the same two changes (down at the DISCONNECT, up at the CONNECT) and the same RES-OFF-001.
 */
class ReachabilityOrderTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long S = 1000;
    private static final long MIN = 60_000;
    private static final long OUT_OF_ORDERNESS = 5 * S;
    private static final String DEVICE = "cam-1";
    private static final String ADDRESS = "198.51.100.7";
    private static final long DISCONNECT = T0 + 9 * MIN + 30 * S;
    private static final long CONNECT = T0 + 20 * MIN;
    private static final long END = T0 + 30 * MIN;

    /** One input; {@code readAt} is its place in the arrival order. */
    record In(long ts, long readAt, DeviceReport report, DeviceSecurityEvent event) {
    }

    static List<In> history(long securityLead) {
        List<In> in = new ArrayList<>();
        in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, securityLead));
        in.add(security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, DISCONNECT, securityLead));
        in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, CONNECT, securityLead));
        for (long t = T0 + S; t < END; t += MIN) {
            if (t < DISCONNECT || t > CONNECT) {
                in.add(report(t, t));
            }
        }
        in.sort(Comparator.comparingLong(In::readAt));
        return in;
    }

    static In report(long ts, long readAt) {
        return new In(ts, readAt, DeviceReport.of(Events.telemetry(DEVICE, ts).setIntervalSeconds(60).build()), null);
    }

    static In security(SecurityEventType type, String reason, long ts, long lead) {
        return new In(ts, ts - lead, null, DeviceSecurityEvent.of(Events.security(type, reason, ts, DEVICE, ADDRESS).build()));
    }

    /** The inputs in arrival order, the offline timer fired as a watermark trailing the read position would fire it. */
    static List<String> run(List<In> inputs) {
        return run(inputs, END);
    }

    static List<String> run(List<In> inputs, long end) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState s = new ConnectivityState();
        List<String> out = new ArrayList<>();
        for (In i : inputs) {
            fireTimers(rules, s, i.readAt - OUT_OF_ORDERNESS, out);
            record(i.report != null ? rules.onTelemetry(s, i.report) : rules.onSecurityEvent(s, i.event), out);
        }
        fireTimers(rules, s, end, out);
        return out;
    }

    private static void fireTimers(ConnectivityRules rules, ConnectivityState s, long watermark, List<String> out) {
        for (long next = rules.nextTimer(s); next <= watermark; next = rules.nextTimer(s)) {
            record(rules.onTimer(s, Events.TENANT, DEVICE, next), out);
        }
    }

    private static void record(ConnectivityRules.Result r, List<String> out) {
        r.findings().stream().filter(f -> f.ruleId.equals("RES-OFF-001")).forEach(f -> out.add(f.ruleId + " " + f.action + " @" + f.timestamp));
        r.changes().forEach(c -> out.add((c.online ? "UP" : "DOWN") + " @" + c.timestamp + " " + c.reason));
    }

    @Test
    void theSameChangesWhetherTheSecurityEventsAreReadInStepOrAhead() {
        List<String> inStep = run(history(0));
        assertThat(inStep).as("down at the DISCONNECT, offline at its deadline, up at the CONNECT, resolved by the next report")
                .containsExactly("UP @" + T0 + " first-seen",
                        "DOWN @" + DISCONNECT + " connection-lost",
                        "RES-OFF-001 OPEN @" + (T0 + 9 * MIN + S + CFG.offlineMinMs),
                        "UP @" + CONNECT + " connected",
                        "RES-OFF-001 CLEAR @" + (T0 + 20 * MIN + S));
        // Read ahead: the DISCONNECT comes before the device's last reports, the CONNECT before its offline deadline fires.
        assertThat(run(history(8 * MIN))).containsExactlyInAnyOrderElementsOf(inStep);
        assertThat(run(history(3 * MIN))).containsExactlyInAnyOrderElementsOf(inStep);
    }

    @Test
    void aReportDatedBeforeTheDisconnectCannotUndoTheDrop() {
        // Late, or back-dated by a hostile device within the clock-skew window while its CONNECT is still unread.
        List<In> in = new ArrayList<>();
        in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, 0));
        in.add(report(T0 + S, T0 + S));
        in.add(security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, T0 + 2 * MIN, 0));
        in.add(report(T0 + 2 * MIN - 10 * S, T0 + 2 * MIN));
        assertThat(run(in, T0 + 3 * MIN)).as("still down").containsExactly("UP @" + T0 + " first-seen",
                "DOWN @" + (T0 + 2 * MIN) + " connection-lost");
    }

    @Test
    void aReportAfterTheDisconnectIsAReturnEvenBeforeItsConnectIsRead() {
        // Telemetry read ahead of the security events: the device is back, its CONNECT not read yet.
        List<In> in = new ArrayList<>();
        in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, 0));
        in.add(report(T0 + S, T0 + S));
        in.add(security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, T0 + 2 * MIN, 0));
        in.add(report(T0 + 3 * MIN, T0 + 3 * MIN));
        assertThat(run(in, T0 + 4 * MIN)).containsExactly("UP @" + T0 + " first-seen", "DOWN @" + (T0 + 2 * MIN) + " connection-lost",
                "UP @" + (T0 + 3 * MIN) + " telemetry");
    }
}
