package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.Events.T0;
import static io.fleetwarden.jobs.Events.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.CohortState;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.ConnectivityRules;
import io.fleetwarden.jobs.detect.ConnectivityState;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Expect;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Scenario;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;

/**
 * Scenarios of the connectivity rules that tell the platform's own or a device's benign actions from failures and
 * clones: CMP-IDENT-001 hand-overs (a device moving, a broker drained) against clones (both sessions alive, taking
 * turns, taking each other over), a broker drain against reconnect storms and cohort outages (RES-STORM-001,
 * RES-COH-001), a planned absence past {@code offline.plannedMax} (RES-OFF-001 at LOW severity); part of
 * {@link RuleScenarioTest}'s cases.
 */
final class ConnectivityScenarios {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long S = 1000;
    private static final long MIN = 60_000;
    private static final String A = "198.51.100.7";
    private static final String B = "203.0.113.50";
    private static final String C = "192.0.2.33";

    private ConnectivityScenarios() {
    }

    static void add(List<Scenario> s) {
        // --- CMP-IDENT-001: hand-overs are no clone ---------------------------------------------------------------
        s.add(new Scenario("CMP-IDENT-001", "hand-over twice: new address, the old session's connection-lost 90 s later", Expect.NOTHING,
                () -> run(List.of(connect(A, "broker-a", T0), connect(B, "broker-a", T0 + MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-a", T0 + MIN + 90 * S),
                        connect(C, "broker-a", T0 + 4 * MIN), disconnect(SecurityEventReasons.CONNECTION_LOST, B, "broker-a", T0 + 5 * MIN)),
                        T0 + 20 * MIN)));
        s.add(new Scenario("CMP-IDENT-001", "hand-over at identity.handover (old session ends exactly 3 min later), twice", Expect.NOTHING,
                () -> run(List.of(connect(A, "broker-a", T0), connect(A, "broker-b", T0 + MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-a", T0 + MIN + CFG.identityHandoverMs),
                        connect(B, "broker-b", T0 + 5 * MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-b", T0 + 5 * MIN + CFG.identityHandoverMs)),
                        T0 + 20 * MIN)));
        s.add(new Scenario("CMP-IDENT-001", "old sessions end 1 ms after identity.handover, twice (both stayed live)", Expect.OPENS,
                () -> run(List.of(connect(A, "broker-a", T0), connect(A, "broker-b", T0 + MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-a", T0 + MIN + CFG.identityHandoverMs + 1),
                        connect(B, "broker-b", T0 + 5 * MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-b", T0 + 5 * MIN + CFG.identityHandoverMs + 1)),
                        T0 + 20 * MIN)));
        s.add(new Scenario("CMP-IDENT-001", "broker drain: reconnected through the other broker before the drain's disconnect was read",
                Expect.NOTHING, () -> run(List.of(connect(A, "broker-a", T0), connect(A, "broker-b", T0 + 5 * S),
                        disconnect(SecurityEventReasons.BROKER_DRAINING, A, "broker-a", T0 + 2 * S),
                        connect(B, "broker-b", T0 + 3 * MIN), disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-b", T0 + 3 * MIN + 30 * S)),
                        T0 + 20 * MIN)));
        s.add(new Scenario("CMP-IDENT-001", "a DISCONNECT read after a newer report still ends its session: two moves are no overlap",
                Expect.NOTHING, ConnectivityScenarios::movesWithDisconnectsReadLate));
        s.add(new Scenario("CMP-IDENT-001", "moved to a broker whose predecessor died silently, then blips there", Expect.NOTHING,
                () -> run(List.of(connect(A, "broker-a", T0), connect(A, "broker-b", T0 + MIN),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-b", T0 + 5 * MIN),
                        connect(A, "broker-b", T0 + 5 * MIN + 5 * S),
                        disconnect(SecurityEventReasons.CONNECTION_LOST, A, "broker-b", T0 + 7 * MIN),
                        connect(A, "broker-b", T0 + 7 * MIN + 5 * S)), T0 + 20 * MIN)));
        // --- CMP-IDENT-001: clones must not hide behind a hand-over ----------------------------------------------
        s.add(new Scenario("CMP-IDENT-001", "both sessions stay live and report in turn", Expect.OPENS,
                () -> bothReporting(3)));
        s.add(new Scenario("CMP-IDENT-001", "the old session reports once after the overlap, then ends (one overlap)", Expect.NOTHING,
                () -> bothReporting(1)));
        s.add(new Scenario("CMP-IDENT-001", "imitates a hand-over once, then the holders take turns (return, return)", Expect.OPENS,
                () -> run(List.of(connect(A, "broker-a", T0), connect(B, "broker-b", T0 + MIN),
                        disconnect(SecurityEventReasons.CLIENT_DISCONNECT, A, "broker-a", T0 + MIN + 10 * S),
                        connect(A, "broker-a", T0 + 2 * MIN), disconnect(SecurityEventReasons.CLIENT_DISCONNECT, B, "broker-b", T0 + 2 * MIN + 10 * S),
                        connect(B, "broker-b", T0 + 3 * MIN)), T0 + 3 * MIN + S)));
        s.add(new Scenario("CMP-IDENT-001", "one hand-over and one return to the place it left (one overlap)", Expect.NOTHING,
                () -> run(List.of(connect(A, "broker-a", T0), connect(B, "broker-b", T0 + MIN),
                        disconnect(SecurityEventReasons.CLIENT_DISCONNECT, A, "broker-a", T0 + MIN + 10 * S),
                        connect(A, "broker-a", T0 + 2 * MIN), disconnect(SecurityEventReasons.CLIENT_DISCONNECT, B, "broker-b", T0 + 2 * MIN + 10 * S)),
                        T0 + 20 * MIN)));
        s.add(new Scenario("CMP-IDENT-001", "two places take the session over from each other three times", Expect.OPENS,
                () -> takeovers(3)));
        s.add(new Scenario("CMP-IDENT-001", "two takeovers between two places (one return: one below)", Expect.NOTHING,
                () -> takeovers(2)));
        s.add(new Scenario("CMP-IDENT-001", "a clone that keeps reconnecting while the device stays live and reporting", Expect.OPENS,
                ConnectivityScenarios::cloneReconnecting));

        // --- RES-STORM-001 / RES-COH-001: a broker drain is planned ----------------------------------------------
        s.add(new Scenario("RES-STORM-001", "60 devices drained, all back within one second at drain.reconnect: planned", Expect.NOTHING,
                () -> wave(60, SecurityEventReasons.BROKER_DRAINING, CFG.drainReconnectMs)));
        s.add(new Scenario("RES-STORM-001", "60 devices drained, all back within one second 1 s after drain.reconnect: a storm", Expect.OPENS,
                () -> wave(60, SecurityEventReasons.BROKER_DRAINING, CFG.drainReconnectMs + S)));
        s.add(new Scenario("RES-STORM-001", "60 devices lose their link (no drain), all back within one second: a storm", Expect.OPENS,
                () -> wave(60, SecurityEventReasons.CONNECTION_LOST, 20 * S)));
        s.add(new Scenario("RES-STORM-001", "drained in the older brokers' form (disconnected-by-broker, SERVER_SHUTTING_DOWN): planned",
                Expect.NOTHING, () -> wave(60, "legacy-drain", 20 * S)));
        s.add(new Scenario("RES-STORM-001", "drained, back, then lost again and back within one second: the second return is a storm",
                Expect.OPENS, ConnectivityScenarios::drainedThenLost));
        s.add(new Scenario("RES-COH-001", "60 devices drained and back in 20 s: no outage", Expect.NOTHING,
                () -> wave(60, SecurityEventReasons.BROKER_DRAINING, 20 * S)));
        s.add(new Scenario("RES-COH-001", "60 devices drained that never come back: an outage at their offline deadlines", Expect.OPENS,
                () -> wave(60, SecurityEventReasons.BROKER_DRAINING, -1)));

        // --- RES-OFF-001: a planned absence does not last for ever ----------------------------------------------
        s.add(new Scenario("RES-OFF-001", "clean DISCONNECT, never back: LOW at offline.plannedMax", Expect.OPENS,
                () -> goodbyeForever(CFG.offlinePlannedMaxMs)));
        s.add(new Scenario("RES-OFF-001", "clean DISCONNECT, never back: nothing 1 ms before offline.plannedMax", Expect.NOTHING,
                () -> goodbyeForever(CFG.offlinePlannedMaxMs - 1)));
        s.add(new Scenario("RES-OFF-001", "back after offline.plannedMax: the LOW alert resolves", Expect.CLEARS,
                ConnectivityScenarios::goodbyeThenBack));
    }

    // ------------------------------------------------------------------------------------------------------------

    static SecurityEvent connect(String address, String broker, long ts) {
        return event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, broker, ts, "cam-1");
    }

    static SecurityEvent disconnect(String reason, String address, String broker, long ts) {
        return event(SecurityEventType.DISCONNECT, reason, address, broker, ts, "cam-1");
    }

    static SecurityEvent event(SecurityEventType type, String reason, String address, String broker, long ts, String device) {
        SecurityEvent.Builder b = Events.security(type, reason, ts, device, address)
                .setBroker(BrokerContext.newBuilder(Events.broker(address)).setBrokerId(broker).build());
        if ("legacy-drain".equals(reason)) {
            b.setReason(SecurityEventReasons.DISCONNECTED_BY_BROKER).setAttributes(Map.of("mqttReasonCode", "SERVER_SHUTTING_DOWN"));
        }
        return b.build();
    }

    static Telemetry report(String address, String broker, long ts, String device) {
        return Events.telemetry(device, ts).setBroker(BrokerContext.newBuilder(Events.broker(address)).setBrokerId(broker).build()).build();
    }

    /** Security events of cam-1 in order, then its timer at {@code until} (and at every deadline before it). */
    static List<Finding> run(List<SecurityEvent> events, long until) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            long ts = e.getTimestamp().toEpochMilli();
            fireUntil(rules, st, ts, out);
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(e)).findings());
        }
        fireUntil(rules, st, until, out);
        return out;
    }

    private static void fireUntil(ConnectivityRules rules, ConnectivityState st, long now, List<Finding> out) {
        for (long t = rules.nextTimer(st); t < now; t = rules.nextTimer(st)) {
            long before = t;
            out.addAll(rules.onTimer(st, TENANT, "cam-1", t).findings());
            if (rules.nextTimer(st) <= before) {
                break; // nothing more to decide
            }
        }
    }

    /** Connected at A and reporting; the clone connects through broker-b at B; A then reports {@code afterOverlap} times. */
    static List<Finding> bothReporting(int afterOverlap) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(A, "broker-a", T0))).findings());
        for (int i = 1; i <= 4; i++) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(report(A, "broker-a", T0 + i * 30 * S, "cam-1"))).findings());
        }
        long overlap = T0 + 150 * S;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(B, "broker-b", overlap))).findings());
        for (int i = 1; i <= afterOverlap; i++) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(report(A, "broker-a", overlap + i * 30 * S, "cam-1"))).findings());
            out.addAll(rules.onTelemetry(st, DeviceReport.of(report(B, "broker-b", overlap + i * 30 * S + 15 * S, "cam-1"))).findings());
        }
        if (afterOverlap == 1) {
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT, A, "broker-a",
                    overlap + 50 * S))).findings());
        }
        out.addAll(rules.onTimer(st, TENANT, "cam-1", overlap + 2 * MIN).findings());
        return out;
    }

    /** The replay's cloned certificate: the broker reports the takeover, then the newer session's CONNECT, in turns. */
    static List<Finding> takeovers(int n) {
        List<SecurityEvent> events = new ArrayList<>(List.of(connect(A, "broker-a", T0)));
        String[] places = {A, B};
        String[] brokers = {"broker-a", "broker-b"};
        for (int k = 0; k < n; k++) {
            int from = k % 2;
            int to = 1 - from;
            long at = T0 + (k + 1) * MIN;
            events.add(disconnect(SecurityEventReasons.SESSION_TAKEOVER, places[from], brokers[from], at));
            events.add(connect(places[to], brokers[to], at + 1));
        }
        List<Finding> out = run(events, T0 + (n + 1) * MIN);
        return out.stream().filter(f -> !f.ruleId.equals("CMP-IDENT-002")).toList();
    }

    /** The device stays at A and reports; a clone at B connects, drops and connects again. */
    static List<Finding> cloneReconnecting() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(A, "broker-a", T0))).findings());
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(B, "broker-b", T0 + MIN))).findings());
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CONNECTION_LOST, B, "broker-b",
                T0 + MIN + 20 * S))).findings());
        // the genuine device keeps reporting at A: its session never ended
        out.addAll(rules.onTelemetry(st, DeviceReport.of(report(A, "broker-a", T0 + MIN + 30 * S, "cam-1"))).findings());
        assertThat(out).noneMatch(f -> f.ruleId.equals("CMP-IDENT-001"));
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(B, "broker-b", T0 + 2 * MIN))).findings());
        out.addAll(rules.onTimer(st, TENANT, "cam-1", T0 + 2 * MIN + CFG.identityHandoverMs).findings());
        return out;
    }

    /**
     * A stale disconnect: each move's DISCONNECT is read after a newer report (the telemetry stream read ahead). The
     * session must end all the same, or the next CONNECT from elsewhere looks like a second place.
     */
    static List<Finding> movesWithDisconnectsReadLate() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(A, "broker-a", T0))).findings());
        String[] places = {A, B, C};
        for (int k = 1; k < 3; k++) {
            long move = T0 + k * 2 * MIN;
            out.addAll(rules.onTelemetry(st, DeviceReport.of(report(places[k], "broker-a", move + 30 * S, "cam-1"))).findings());
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CONNECTION_LOST, places[k - 1],
                    "broker-a", move))).findings());
            assertThat(st.connected).as("the late DISCONNECT ended the session").isFalse();
            assertThat(st.reachable).as("but says nothing about reachability now").isTrue();
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(places[k], "broker-a", move + 5 * S))).findings());
            assertThat(st.connected).isTrue();
        }
        out.addAll(rules.onTimer(st, TENANT, "cam-1", T0 + 7 * MIN).findings());
        return out;
    }

    /**
     * {@code n} devices on broker-a reporting every 30 s; at T0 each is disconnected ({@code reason}, 100 ms apart) and,
     * unless {@code backAfterMs} is negative, reconnects through broker-b {@code backAfterMs} later (all within one
     * second) and reports. Device timers fire until T0 + 15 min; every change goes to the broker, region and model
     * cohorts in event-time order. Returns the findings of the devices and of the cohorts.
     */
    static List<Finding> wave(int n, String reason, long backAfterMs) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        List<Finding> out = new ArrayList<>();
        List<ConnectivityChange> changes = new ArrayList<>();
        long end = T0 + 15 * MIN;
        for (int i = 0; i < n; i++) {
            String device = "cam-" + i;
            String address = "198.51.100." + (i + 1);
            ConnectivityState st = new ConnectivityState();
            List<Object> events = new ArrayList<>();
            events.add(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, "broker-a", T0 - 10 * MIN, device));
            for (long t = T0 - 10 * MIN + S; t < T0; t += 30 * S) {
                events.add(report(address, "broker-a", t, device));
            }
            long down = T0 + i * 10L; // all within one second
            events.add(event(SecurityEventType.DISCONNECT, reason, address, "broker-a", down, device));
            if (backAfterMs >= 0) {
                long back = down + backAfterMs; // all back within one second
                events.add(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, "broker-b", back, device));
                for (long t = back + 5 * S; t < end; t += 30 * S) {
                    events.add(report(address, "broker-b", t, device));
                }
            }
            device(rules, st, device, events, end, out, changes);
        }
        return out(changes, out);
    }

    /** 60 devices drained and back in 20 s, then every one loses its link and all return within one second. */
    static List<Finding> drainedThenLost() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        List<Finding> out = new ArrayList<>();
        List<ConnectivityChange> changes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String device = "cam-" + i;
            String address = "198.51.100." + (i + 1);
            List<Object> events = new ArrayList<>();
            events.add(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, "broker-a", T0 - 10 * MIN, device));
            for (long t = T0 - 10 * MIN + S; t < T0; t += 30 * S) {
                events.add(report(address, "broker-a", t, device));
            }
            events.add(event(SecurityEventType.DISCONNECT, SecurityEventReasons.BROKER_DRAINING, address, "broker-a", T0 + i * 10L, device));
            events.add(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, "broker-b", T0 + 20 * S + i * 10L, device));
            events.add(event(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, address, "broker-b", T0 + 40 * S + i * 10L, device));
            events.add(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, address, "broker-b", T0 + 60 * S + i * 10L, device));
            device(rules, new ConnectivityState(), device, events, T0 + 3 * MIN, out, changes);
        }
        return out(changes, out);
    }

    private static void device(ConnectivityRules rules, ConnectivityState st, String device, List<Object> events, long end,
                               List<Finding> out, List<ConnectivityChange> changes) {
        for (Object e : events) {
            long ts = e instanceof SecurityEvent se ? se.getTimestamp().toEpochMilli() : ((Telemetry) e).getDeviceTime().toEpochMilli();
            for (long t = rules.nextTimer(st); t <= ts; t = rules.nextTimer(st)) {
                ConnectivityRules.Result r = rules.onTimer(st, TENANT, device, t);
                out.addAll(r.findings());
                changes.addAll(r.changes());
                if (rules.nextTimer(st) <= t) {
                    break;
                }
            }
            ConnectivityRules.Result r = e instanceof SecurityEvent se ? rules.onSecurityEvent(st, DeviceSecurityEvent.of(se))
                    : rules.onTelemetry(st, DeviceReport.of((Telemetry) e));
            out.addAll(r.findings());
            changes.addAll(r.changes());
        }
        for (long t = rules.nextTimer(st); t <= end; t = rules.nextTimer(st)) {
            ConnectivityRules.Result r = rules.onTimer(st, TENANT, device, t);
            out.addAll(r.findings());
            changes.addAll(r.changes());
            if (rules.nextTimer(st) <= t) {
                break;
            }
        }
    }

    /** The device findings plus what the broker, region and model cohorts make of the changes, in event-time order. */
    private static List<Finding> out(List<ConnectivityChange> changes, List<Finding> out) {
        CohortRules cohorts = new CohortRules(CFG);
        Map<String, CohortState> states = new HashMap<>();
        changes.sort(Comparator.comparingLong(c -> c.timestamp));
        for (ConnectivityChange c : changes) {
            for (String dim : List.of("broker", "region", "model")) {
                ConnectivityChange copy = c.forCohort(dim);
                if (copy != null) {
                    out.addAll(cohorts.onChange(states.computeIfAbsent(copy.cohortKey, k -> new CohortState()), copy));
                }
            }
        }
        return out;
    }

    /** Reporting, then its own clean DISCONNECT; the timer fires {@code afterMs} after the goodbye. */
    static List<Finding> goodbyeForever(long afterMs) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = RuleScenarioTest.reporting(rules, st);
        long goodbye = T0 + 9 * 30 * S + S;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT, A, "broker-1",
                goodbye))).findings());
        assertThat(rules.nextTimer(st)).isEqualTo(goodbye + CFG.offlinePlannedMaxMs);
        ConnectivityRules.Result r = rules.onTimer(st, TENANT, "cam-1", goodbye + afterMs);
        out.addAll(r.findings());
        assertThat(r.changes()).as("a planned absence is no cohort drop").isEmpty();
        out.stream().filter(f -> f.action == Action.OPEN && f.ruleId.equals("RES-OFF-001"))
                .forEach(f -> assertThat(f.severity).isEqualTo(Severity.LOW));
        return out;
    }

    static List<Finding> goodbyeThenBack() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = RuleScenarioTest.reporting(rules, st);
        long goodbye = T0 + 9 * 30 * S + S;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT, A, "broker-1",
                goodbye))).findings());
        long back = goodbye + CFG.offlinePlannedMaxMs + 3_600_000L;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect(A, "broker-1", back))).findings());
        out.addAll(rules.onTelemetry(st, DeviceReport.of(report(A, "broker-1", back + 5 * S, "cam-1"))).findings());
        assertThat(out).filteredOn(f -> f.ruleId.equals("RES-OFF-001") && f.action == Action.OPEN).singleElement()
                .satisfies(f -> assertThat(f.timestamp).as("opened at the deadline").isEqualTo(goodbye + CFG.offlinePlannedMaxMs));
        return out;
    }
}
