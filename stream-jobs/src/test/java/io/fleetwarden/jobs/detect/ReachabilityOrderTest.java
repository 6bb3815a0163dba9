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
        return history(securityLead, SecurityEventReasons.CONNECTION_LOST, true);
    }

    /**
     * A device reporting every minute, silent between {@link #DISCONNECT} and {@link #CONNECT}: its connection ends
     * there with {@code disconnectReason} (null: no DISCONNECT at all, e.g. its broker died), and it reconnects at
     * {@link #CONNECT} when {@code reconnects} (else its next report is its only sign of return).
     */
    static List<In> history(long securityLead, String disconnectReason, boolean reconnects) {
        List<In> in = new ArrayList<>();
        in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, securityLead));
        if (disconnectReason != null) {
            in.add(security(SecurityEventType.DISCONNECT, disconnectReason, DISCONNECT, securityLead));
        }
        if (reconnects) {
            in.add(security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, CONNECT, securityLead));
        }
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

    /**
     * The inputs in arrival order ({@link In#readAt}, a clock of the read position), the rules' timers fired as the
     * job's watermark would fire them: other devices keep both streams moving, so each stream's watermark trails its read
     * position by the out-of-orderness, and the operator's is the lower of the two: {@code lag} behind the read clock
     * when the security events are read that far behind the telemetry.
     */
    static List<String> run(List<In> inputs) {
        return run(inputs, END, 0);
    }

    static List<String> run(List<In> inputs, long end) {
        return run(inputs, end, 0);
    }

    static List<String> run(List<In> inputs, long end, long lag) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState s = new ConnectivityState();
        List<String> out = new ArrayList<>();
        for (In i : inputs) {
            fireTimers(rules, s, i.readAt - lag - OUT_OF_ORDERNESS, out);
            record(i.report != null ? rules.onTelemetry(s, i.report) : rules.onSecurityEvent(s, i.event), out);
        }
        fireTimers(rules, s, end, out);
        return out;
    }

    /** {@link #history} read with the security events {@code lead} ahead (negative: behind), timers as the job fires them. */
    static List<String> runHistory(long lead) {
        return runHistory(history(lead), lead);
    }

    static List<String> runHistory(List<In> history, long lead) {
        return run(history, END, Math.max(0, -lead));
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
        List<String> inStep = runHistory(0);
        assertThat(inStep).as("down at the DISCONNECT, offline at its deadline, up at the CONNECT, resolved by the next report")
                .containsExactly("UP @" + T0 + " first-seen",
                        "DOWN @" + DISCONNECT + " connection-lost",
                        "RES-OFF-001 OPEN @" + (T0 + 9 * MIN + S + CFG.offlineMinMs),
                        "UP @" + CONNECT + " connected",
                        "RES-OFF-001 CLEAR @" + (T0 + 20 * MIN + S));
        // Read ahead: the DISCONNECT comes before the device's last reports, the CONNECT before its offline deadline fires.
        assertThat(runHistory(8 * MIN)).containsExactlyInAnyOrderElementsOf(inStep);
        assertThat(runHistory(3 * MIN)).containsExactlyInAnyOrderElementsOf(inStep);
    }

    @Test
    void theSameChangesWhetherTheTelemetryIsReadInStepOrAhead() {
        List<String> inStep = runHistory(0);
        // Telemetry ahead: the return report is read before the DISCONNECT and the CONNECT of the outage it ends (by more
        // than the whole outage), or before the CONNECT only, or the first report before the device's first CONNECT.
        for (long lead : LEADS) {
            assertThat(runHistory(-lead)).as("telemetry %d min ahead", lead / MIN).containsExactlyInAnyOrderElementsOf(inStep);
        }
    }

    /**
     * How far one stream is read ahead of the other in these cases: up to the default {@code --watermark-drift} (10 min).
     * (A device that falls silent twice within the lead has its first silence decided when the
     * second is read: one undecided silence per device.)
     */
    private static final long[] LEADS = {30 * S, 3 * MIN, 8 * MIN, 10 * MIN};

    @Test
    void aSilenceWithoutAnyDisconnectIsTheSameWhicheverStreamIsAhead() {
        // Its broker died without a word: down at the offline deadline, up at its CONNECT elsewhere (or at its report).
        for (boolean reconnects : new boolean[] {true, false}) {
            List<String> inStep = runHistory(history(0, null, reconnects), 0);
            assertThat(inStep).as("in step").contains("DOWN @" + (T0 + 9 * MIN + S + CFG.offlineMinMs) + " offline-timeout",
                    reconnects ? "UP @" + CONNECT + " connected" : "UP @" + (CONNECT + S) + " telemetry");
            for (long lead : LEADS) {
                assertThat(runHistory(history(-lead, null, reconnects), -lead)).as("telemetry %d min ahead", lead / MIN)
                        .containsExactlyInAnyOrderElementsOf(inStep);
                assertThat(runHistory(history(lead, null, reconnects), lead)).as("security events %d min ahead", lead / MIN)
                        .containsExactlyInAnyOrderElementsOf(inStep);
            }
        }
    }

    @Test
    void aGoodbyeInsideTheSilenceIsAPlannedAbsenceWhicheverStreamIsAhead() {
        // A reboot into an update: its own clean DISCONNECT, back 10 minutes later. No offline alert, no cohort drop (its
        // return is a reconnect, which the storm rule counts).
        List<String> inStep = runHistory(history(0, SecurityEventReasons.CLIENT_DISCONNECT, true), 0);
        assertThat(inStep).as("in step").containsExactly("UP @" + T0 + " first-seen", "UP @" + CONNECT + " reconnected");
        for (long lead : LEADS) {
            assertThat(runHistory(history(-lead, SecurityEventReasons.CLIENT_DISCONNECT, true), -lead))
                    .as("telemetry %d min ahead", lead / MIN).containsExactlyInAnyOrderElementsOf(inStep);
            if (lead < 9 * MIN) { // read 9 min or more ahead, the goodbye comes before the device's first report ever
                assertThat(runHistory(history(lead, SecurityEventReasons.CLIENT_DISCONNECT, true), lead))
                        .as("security events %d min ahead", lead / MIN).containsExactlyInAnyOrderElementsOf(inStep);
            }
        }
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
