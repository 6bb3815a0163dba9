package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.Events.DAY;
import static io.fleetwarden.jobs.Events.T0;
import static io.fleetwarden.jobs.Events.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.BehaviourState;
import io.fleetwarden.jobs.detect.BurstWindow;
import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.CohortState;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.ConnectivityRules;
import io.fleetwarden.jobs.detect.ConnectivityState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.FirmwareRules;
import io.fleetwarden.jobs.detect.FirmwareState;
import io.fleetwarden.jobs.detect.ModelPeerRules;
import io.fleetwarden.jobs.detect.ModelPeerState;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.detect.SecurityRules;
import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * The detection catalogue's scenarios: for every rule, positive and negative cases, threshold rules
 * at the threshold and one step below, and resolution cases. Each scenario runs the plain rule
 * classes with default thresholds and event time chosen by the scenario.
 */
class RuleScenarioTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    /** What a scenario expects of its rule. */
    enum Expect { OPENS, NOTHING, CLEARS }

    record Scenario(String ruleId, String name, Expect expect, Supplier<List<Finding>> run) {
        @Override
        public String toString() {
            return ruleId + " " + expect + ": " + name;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Scenario s) {
        List<Finding> findings = s.run().get();
        List<Finding> forRule = findings.stream().filter(f -> f.ruleId.equals(s.ruleId())).toList();
        switch (s.expect()) {
            case OPENS -> assertThat(forRule).as("findings %s", findings).anyMatch(f -> f.action == Action.OPEN);
            case NOTHING -> assertThat(forRule).as("findings %s", findings).noneMatch(f -> f.action == Action.OPEN);
            case CLEARS -> assertThat(forRule).as("findings %s", findings).last().extracting(f -> f.action).isEqualTo(Action.CLEAR);
        }
    }

    @Test
    void everyRuleHasPositiveAndNegativeScenarios() {
        Map<String, Set<Expect>> seen = scenarios().collect(Collectors.groupingBy(Scenario::ruleId,
                Collectors.mapping(Scenario::expect, Collectors.toSet())));
        for (Rule r : RuleCatalogue.all()) {
            assertThat(seen.get(r.id())).as(r.id()).contains(Expect.OPENS, Expect.NOTHING);
        }
    }

    static Stream<Scenario> scenarios() {
        List<Scenario> s = new ArrayList<>();
        // --- bursts over security events ---------------------------------------------------------
        s.add(new Scenario("CMP-AUTH-001", "5 failures claiming one id within 60 s (at threshold)", Expect.OPENS,
                () -> security(n(5, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 1000L)))));
        s.add(new Scenario("CMP-AUTH-001", "4 failures (one below)", Expect.NOTHING,
                () -> security(n(4, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 1000L)))));
        s.add(new Scenario("CMP-AUTH-001", "5 failures spread over 80 s", Expect.NOTHING,
                () -> security(n(5, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 20_000L)))));
        s.add(new Scenario("CMP-AUTH-001", "resolves after the quiet period", Expect.CLEARS,
                () -> withTimer(n(5, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 1000L)), T0 + 4000 + CFG.burstQuietMs)));
        s.add(new Scenario("CMP-AUTH-002", "10 failures from one address (at threshold)", Expect.OPENS,
                () -> security(n(10, i -> Events.authFailure("id-" + i, "203.0.113.9", T0 + i * 1000L)))));
        s.add(new Scenario("CMP-AUTH-002", "9 failures from one address (one below)", Expect.NOTHING,
                () -> security(n(9, i -> Events.authFailure("id-" + i, "203.0.113.9", T0 + i * 1000L)))));
        // The long horizon: the same guessing spread out in time (auth.*.slowCount within auth.*.slowWindow = 1 h).
        s.add(new Scenario("CMP-AUTH-001", "10 failures claiming one id, 6 min apart (54 min: long horizon at threshold)", Expect.OPENS,
                () -> security(n(10, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 6 * 60_000L)))));
        s.add(new Scenario("CMP-AUTH-001", "9 failures 6 min apart (long horizon one below)", Expect.NOTHING,
                () -> security(n(9, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 6 * 60_000L)))));
        s.add(new Scenario("CMP-AUTH-001", "10 failures 7 min apart (63 min: outside the long horizon)", Expect.NOTHING,
                () -> security(n(10, i -> Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 7 * 60_000L)))));
        s.add(new Scenario("CMP-AUTH-002", "20 failures from one address, 3 min apart (57 min: long horizon at threshold)", Expect.OPENS,
                () -> security(n(20, i -> Events.authFailure("id-" + i, "203.0.113.9", T0 + i * 3 * 60_000L)))));
        s.add(new Scenario("CMP-AUTH-002", "19 failures from one address 3 min apart (long horizon one below)", Expect.NOTHING,
                () -> security(n(19, i -> Events.authFailure("id-" + i, "203.0.113.9", T0 + i * 3 * 60_000L)))));
        s.add(new Scenario("CMP-AUTH-002", "a slow campaign resolves after the quiet period", Expect.CLEARS,
                () -> withTimer(n(20, i -> Events.authFailure("id-" + i, "203.0.113.9", T0 + i * 3 * 60_000L)),
                        T0 + 19 * 3 * 60_000L + CFG.burstQuietMs)));
        s.add(new Scenario("CMP-AUTH-003", "one default-credential attempt", Expect.OPENS,
                () -> security(List.of(Events.security(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT,
                        SecurityEventReasons.DEFAULT_CREDENTIALS, T0, null, "203.0.113.9").setUsername("admin").build()))));
        s.add(new Scenario("CMP-AUTH-003", "password refused but not a default one", Expect.NOTHING,
                () -> security(List.of(Events.security(SecurityEventType.AUTHENTICATION_FAILURE,
                        SecurityEventReasons.PASSWORD_NOT_ALLOWED, T0, null, "203.0.113.9").build()))));
        s.add(new Scenario("CMP-CERT-001", "one revoked certificate", Expect.OPENS,
                () -> security(List.of(Events.security(SecurityEventType.AUTHENTICATION_FAILURE,
                        SecurityEventReasons.CERTIFICATE_REVOKED, T0, "cam-1", "198.51.100.7").build()))));
        s.add(new Scenario("CMP-CERT-001", "expired (not revoked) certificate", Expect.NOTHING,
                () -> security(List.of(Events.security(SecurityEventType.AUTHENTICATION_FAILURE,
                        SecurityEventReasons.CERTIFICATE_EXPIRED, T0, "cam-1", "198.51.100.7").build()))));
        s.add(new Scenario("CMP-AUTHZ-001", "5 refused topics within 5 min (at threshold)", Expect.OPENS,
                () -> security(n(5, i -> deviceEvent(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, T0 + i * 30_000L)))));
        s.add(new Scenario("CMP-AUTHZ-001", "4 refused topics (one below)", Expect.NOTHING,
                () -> security(n(4, i -> deviceEvent(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, T0 + i * 30_000L)))));
        s.add(new Scenario("CMP-VAL-001", "10 malformed payloads within 60 s (at threshold)", Expect.OPENS,
                () -> security(n(10, i -> deviceEvent(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_MALFORMED, T0 + i * 5000L)))));
        s.add(new Scenario("CMP-VAL-001", "9 malformed payloads (one below)", Expect.NOTHING,
                () -> security(n(9, i -> deviceEvent(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_MALFORMED, T0 + i * 5000L)))));
        s.add(new Scenario("CMP-VAL-001", "10 clock-skew reports are not malformed payloads", Expect.NOTHING,
                () -> security(n(10, i -> clockSkew(T0 + i * 5000L)))));
        s.add(new Scenario("CMP-CLOCK-001", "2 clock-skew reports within 10 min (at threshold)", Expect.OPENS,
                () -> security(n(2, i -> clockSkew(T0 + i * 60_000L)))));
        s.add(new Scenario("CMP-CLOCK-001", "1 clock-skew report (one below)", Expect.NOTHING,
                () -> security(n(1, i -> clockSkew(T0 + i * 60_000L)))));
        s.add(new Scenario("CMP-CLOCK-001", "2 reports 11 min apart", Expect.NOTHING,
                () -> security(n(2, i -> clockSkew(T0 + i * 660_000L)))));
        s.add(new Scenario("CMP-CLOCK-001", "resolves after the quiet period", Expect.CLEARS,
                () -> withTimer(n(2, i -> clockSkew(T0 + i * 60_000L)), T0 + 60_000L + CFG.burstQuietMs)));

        // --- connectivity ----------------------------------------------------------------------
        s.add(new Scenario("CMP-IDENT-001", "live connections from A and B take turns: A, B, A, B", Expect.OPENS,
                () -> connectivity(List.of(connect("198.51.100.7", T0), connect("203.0.113.50", T0 + 1000),
                        connect("198.51.100.7", T0 + 2000), connect("203.0.113.50", T0 + 3000)))));
        s.add(new Scenario("CMP-IDENT-001", "A, B, back to A once (a dual-homed device flipping back: one alternation)", Expect.NOTHING,
                () -> connectivity(List.of(connect("198.51.100.7", T0), connect("203.0.113.50", T0 + 1000),
                        connect("198.51.100.7", T0 + 2000)))));
        s.add(new Scenario("CMP-IDENT-001", "one move to a new address (roaming)", Expect.NOTHING,
                () -> connectivity(List.of(connect("198.51.100.7", T0), connect("203.0.113.50", T0 + 1000)))));
        s.add(new Scenario("CMP-IDENT-001", "one address live on two brokers at once, taking turns: a, b, a, b", Expect.OPENS,
                () -> connectivity(List.of(connectVia("198.51.100.7", "broker-a", T0), connectVia("198.51.100.7", "broker-b", T0 + 1000),
                        connectVia("198.51.100.7", "broker-a", T0 + 2000), connectVia("198.51.100.7", "broker-b", T0 + 3000)))));
        s.add(new Scenario("CMP-IDENT-001", "one fail-over to the other broker (the old broker's disconnect comes late)", Expect.NOTHING,
                RuleScenarioTest::brokerFailover));
        s.add(new Scenario("CMP-IDENT-001", "reconnects to the same broker from the same address", Expect.NOTHING,
                () -> connectivity(List.of(connectVia("198.51.100.7", "broker-a", T0), connectVia("198.51.100.7", "broker-a", T0 + 1000),
                        connectVia("198.51.100.7", "broker-a", T0 + 2000)))));
        s.add(new Scenario("CMP-IDENT-002", "3 session takeovers within 10 min (at threshold)", Expect.OPENS,
                () -> connectivity(n(3, i -> disconnect(SecurityEventReasons.SESSION_TAKEOVER, T0 + i * 60_000L)))));
        s.add(new Scenario("CMP-IDENT-002", "2 session takeovers (one below)", Expect.NOTHING,
                () -> connectivity(n(2, i -> disconnect(SecurityEventReasons.SESSION_TAKEOVER, T0 + i * 60_000L)))));
        s.add(new Scenario("RES-FLAP-001", "5 disconnects within 10 min (at threshold)", Expect.OPENS,
                () -> connectivity(n(5, i -> disconnect(SecurityEventReasons.CONNECTION_LOST, T0 + i * 60_000L)))));
        s.add(new Scenario("RES-FLAP-001", "4 disconnects (one below)", Expect.NOTHING,
                () -> connectivity(n(4, i -> disconnect(SecurityEventReasons.CONNECTION_LOST, T0 + i * 60_000L)))));
        s.add(new Scenario("RES-FLAP-001", "disconnects older than the latest report do not count as drops", Expect.NOTHING,
                RuleScenarioTest::staleDisconnect));
        s.add(new Scenario("RES-OFF-001", "silent for offline.min (5 min, over 3 learnt 30 s intervals: at deadline)", Expect.OPENS,
                () -> offline(30, T0 + 9 * 30_000L + 300_000L)));
        s.add(new Scenario("RES-OFF-001", "silent 1 ms less than offline.min", Expect.NOTHING,
                () -> offline(30, T0 + 9 * 30_000L + 300_000L - 1)));
        s.add(new Scenario("RES-OFF-001", "silent for 3 learnt 5 min intervals (at deadline)", Expect.OPENS,
                () -> offline(300, T0 + 9 * 300_000L + 900_000L)));
        s.add(new Scenario("RES-OFF-001", "silent 1 ms less than 3 learnt 5 min intervals", Expect.NOTHING,
                () -> offline(300, T0 + 9 * 300_000L + 900_000L - 1)));
        s.add(new Scenario("RES-OFF-001", "telemetry resumes: resolves", Expect.CLEARS, RuleScenarioTest::offlineThenBack));
        s.add(new Scenario("RES-OFF-001", "a reboot: link lost, back and reporting after 4 min", Expect.NOTHING,
                () -> reboot(SecurityEventReasons.CONNECTION_LOST, 240_000L)));
        s.add(new Scenario("RES-OFF-001", "link lost, first report after offline.min: opens at the deadline, resolves", Expect.CLEARS,
                () -> reboot(SecurityEventReasons.CONNECTION_LOST, 400_000L)));
        s.add(new Scenario("RES-OFF-001", "first report 4 min after the last, no timer yet: nothing", Expect.NOTHING,
                () -> reportAfter(240_000L)));
        s.add(new Scenario("RES-OFF-001", "first report after offline.min, read before the deadline's timer: opens at the deadline, resolves", Expect.CLEARS,
                () -> reportAfter(301_000L)));
        s.add(new Scenario("RES-OFF-001", "the device's own clean DISCONNECT, back after 2 h (planned: update, maintenance)", Expect.NOTHING,
                () -> reboot(SecurityEventReasons.CLIENT_DISCONNECT, 7_200_000L)));
        s.add(new Scenario("RES-OFF-001", "the device's own clean DISCONNECT, never back (retired): nothing for days", Expect.NOTHING,
                RuleScenarioTest::retired));
        s.add(new Scenario("RES-OFF-001", "clean DISCONNECT, CONNECT, then silent for offline.min after the CONNECT", Expect.OPENS,
                RuleScenarioTest::plannedThenConnectedSilent));
        s.add(new Scenario("RES-OFF-001", "silent past the deadline, then a clean DISCONNECT: still opens at the deadline", Expect.OPENS,
                RuleScenarioTest::silentThenGoodbye));
        s.add(new Scenario("RES-OFF-001", "clean DISCONNECT read ahead of the device's last reports: planned", Expect.NOTHING,
                RuleScenarioTest::goodbyeReadAheadOfReports));
        s.add(new Scenario("RES-OFF-001", "a clean DISCONNECT older than the latest report plans nothing", Expect.OPENS,
                RuleScenarioTest::staleGoodbye));

        // --- behaviour against own baseline ----------------------------------------------------
        s.add(new Scenario("CMP-RATE-001", "14 msgs/min after 2/min (baseline 2, scale 2, k 6: at threshold)", Expect.OPENS,
                () -> messageRate(14)));
        s.add(new Scenario("CMP-RATE-001", "13 msgs/min (one below)", Expect.NOTHING, () -> messageRate(13)));
        s.add(new Scenario("CMP-NET-004", "40000 B/s after 10000 B/s (scale 2500, k 12: at threshold)", Expect.OPENS,
                () -> traffic(40_000 * 30L)));
        s.add(new Scenario("CMP-NET-004", "39990 B/s (just below)", Expect.NOTHING, () -> traffic(39_990 * 30L)));
        s.add(new Scenario("CMP-NET-004", "a benign 2.7x streaming peak (daily-peak scenario)", Expect.NOTHING,
                () -> traffic(27_000 * 30L)));
        s.add(new Scenario("CMP-NET-004", "a botnet's 30x flood", Expect.OPENS, () -> traffic(300_000 * 30L)));
        s.add(new Scenario("CMP-NET-004", "before the baseline is warm: nothing", Expect.NOTHING, RuleScenarioTest::trafficCold));
        s.add(new Scenario("CMP-NET-003", "20 connections after 5 (at the minimum)", Expect.OPENS, () -> connectionsSpike(20)));
        s.add(new Scenario("CMP-NET-003", "19 connections (below the minimum)", Expect.NOTHING, () -> connectionsSpike(19)));
        s.add(new Scenario("CMP-NET-001", "listening on 23", Expect.OPENS,
                () -> behaviour(List.of(Events.telemetry("cam-1", T0).setListeningPorts(List.of(80, 23)).build()))));
        s.add(new Scenario("CMP-NET-001", "listening on 2323", Expect.OPENS,
                () -> behaviour(List.of(Events.telemetry("cam-1", T0).setListeningPorts(List.of(2323)).build()))));
        s.add(new Scenario("CMP-NET-001", "listening on 80 and 8080 only", Expect.NOTHING,
                () -> behaviour(List.of(Events.telemetry("cam-1", T0).setListeningPorts(List.of(80, 8080)).build()))));
        s.add(new Scenario("CMP-NET-001", "port closed again: resolves", Expect.CLEARS,
                () -> behaviour(List.of(Events.telemetry("cam-1", T0).setListeningPorts(List.of(23)).build(),
                        Events.telemetry("cam-1", T0 + 30_000).build()))));
        s.add(new Scenario("CMP-NET-005", "20 new destinations after learning (at threshold)", Expect.OPENS,
                () -> destinations(20)));
        s.add(new Scenario("CMP-NET-005", "19 new destinations (one below)", Expect.NOTHING, () -> destinations(19)));
        // The long horizon: a scan spread over hours (destinations.slowCount new within destinations.slowWindow).
        s.add(new Scenario("CMP-NET-005", "30 new destinations 2 min apart (long horizon at threshold)", Expect.OPENS,
                () -> slowDestinations(30, 2 * 60_000L, 0)));
        s.add(new Scenario("CMP-NET-005", "29 new destinations 2 min apart (long horizon one below)", Expect.NOTHING,
                () -> slowDestinations(29, 2 * 60_000L, 0)));
        s.add(new Scenario("CMP-NET-005", "30 new destinations 15 min apart (spread beyond the 6 h horizon)", Expect.NOTHING,
                () -> slowDestinations(30, 15 * 60_000L, 0)));
        s.add(new Scenario("CMP-NET-005", "a slow scan resolves once the horizon drains", Expect.CLEARS,
                () -> slowDestinations(30, 2 * 60_000L, 7)));

        // --- against model peers -----------------------------------------------------------------
        // log(bytes/s + 16) against peers that all send the same: the scale's 25 % floor, 3 deviations = 1.25^3 = 1.95x
        // (1016 x 1.953125 - 16 = 1968.4 B/s); the same ratio on a model sending 100 B/s (116 x 1.953125 - 16 = 210.6 B/s)
        s.add(new Scenario("CMP-RATE-002", "1969 B/s vs peers at 1000 B/s (1.95x, k 3 of the 25 % log floor: at threshold)",
                Expect.OPENS, () -> peers(1000, 1969, List.of(80))));
        s.add(new Scenario("CMP-RATE-002", "1968 B/s vs peers at 1000 B/s (just below)", Expect.NOTHING,
                () -> peers(1000, 1968, List.of(80))));
        s.add(new Scenario("CMP-RATE-002", "211 B/s vs a low-traffic model at 100 B/s (at threshold)", Expect.OPENS,
                () -> peers(100, 211, List.of(80))));
        s.add(new Scenario("CMP-RATE-002", "210 B/s vs a low-traffic model at 100 B/s (just below)", Expect.NOTHING,
                () -> peers(100, 210, List.of(80))));
        s.add(new Scenario("CMP-RATE-002", "a flagged device back at its peers' level for peer.clearAfter: resolves",
                Expect.CLEARS, RuleScenarioTest::peersClear));
        s.add(new Scenario("CMP-NET-002", "port 4444 after the model's learning period", Expect.OPENS,
                () -> peers(1000, 1000, List.of(80, 4444))));
        s.add(new Scenario("CMP-NET-002", "only the model's known ports", Expect.NOTHING, () -> peers(1000, 1000, List.of(80))));
        PeerPriorScenarios.add(s); // CMP-RATE-003, CMP-NET-002 from the first hour, CMP-RES-001
        ExfiltrationScenarios.add(s); // CMP-NET-004's slow horizon: same-hour model peers
        LifecycleScenarios.add(s); // RES-BOOT-001, FW-UPD-001 from update-result events, CMP-IDENT-003
        ConnectivityScenarios.add(s); // CMP-IDENT-001 hand-overs and clones, broker drains, planned absences past their maximum

        // --- firmware ----------------------------------------------------------------------------
        FirmwareCatalogEntry released30d = Events.catalog("2.5.0", T0 - 30 * DAY, null);
        s.add(new Scenario("FW-VER-001", "latest released exactly 30 days ago (at grace)", Expect.OPENS,
                () -> firmware(List.of(tel(T0, "2.4.1")), released30d, List.of())));
        s.add(new Scenario("FW-VER-001", "latest released 30 days minus 1 ms ago", Expect.NOTHING,
                () -> firmware(List.of(tel(T0, "2.4.1")), Events.catalog("2.5.0", T0 - 30 * DAY + 1, null), List.of())));
        s.add(new Scenario("FW-VER-001", "updated to latest: resolves", Expect.CLEARS,
                () -> firmware(List.of(tel(T0, "2.4.1"), tel(T0 + 60_000, "2.5.0")), released30d, List.of())));
        s.add(new Scenario("FW-ADV-001", "2.4.1 inside [2.0.0,2.5.0)", Expect.OPENS,
                () -> firmware(List.of(tel(T0, "2.4.1")), null, List.of(Events.advisory("FWSA-1", "[2.0.0,2.5.0)", Severity.CRITICAL)))));
        s.add(new Scenario("FW-ADV-001", "2.4.1 outside [2.0.0,2.4.1)", Expect.NOTHING,
                () -> firmware(List.of(tel(T0, "2.4.1")), null, List.of(Events.advisory("FWSA-1", "[2.0.0,2.4.1)", Severity.CRITICAL)))));
        s.add(new Scenario("FW-ADV-001", "advisory arrives after the device reported (applies at once)", Expect.OPENS,
                RuleScenarioTest::advisoryLate));
        s.add(new Scenario("FW-EOS-001", "end of support reached (at threshold)", Expect.OPENS,
                () -> firmware(List.of(tel(T0, "2.4.1")), Events.catalog("2.4.1", T0 - 300 * DAY, T0), List.of())));
        s.add(new Scenario("FW-EOS-001", "end of support 1 ms ahead", Expect.NOTHING,
                () -> firmware(List.of(tel(T0, "2.4.1")), Events.catalog("2.4.1", T0 - 300 * DAY, T0 + 1), List.of())));
        s.add(new Scenario("FW-DOWN-001", "2.4.1 then 2.3.0", Expect.OPENS,
                () -> firmware(List.of(tel(T0, "2.4.1"), tel(T0 + 60_000, "2.3.0")), null, List.of())));
        s.add(new Scenario("FW-DOWN-001", "2.3.0 then 2.4.1 (upgrade)", Expect.NOTHING,
                () -> firmware(List.of(tel(T0, "2.3.0"), tel(T0 + 60_000, "2.4.1")), null, List.of())));
        s.add(new Scenario("FW-UPD-001", "3 failed attempts within 24 h (at threshold)", Expect.OPENS, () -> updateFailures(3, true)));
        s.add(new Scenario("FW-UPD-001", "2 failed attempts (one below)", Expect.NOTHING, () -> updateFailures(2, true)));
        s.add(new Scenario("FW-UPD-001", "one failed attempt reported 3 times", Expect.NOTHING, () -> updateFailures(3, false)));
        s.add(new Scenario("FW-CERT-001", "certificate expires in 30 days minus 1 ms", Expect.OPENS, () -> certificate(30 * DAY - 1)));
        s.add(new Scenario("FW-CERT-001", "certificate expires in exactly 30 days", Expect.NOTHING, () -> certificate(30 * DAY)));
        s.add(new Scenario("CMP-FW-001", "image hash differs from the catalog", Expect.OPENS,
                () -> firmware(List.of(Events.telemetry("cam-1", T0).setFirmwareImageHash("ff" + Events.HASH_241.substring(2)).build()),
                        released30d, List.of())));
        s.add(new Scenario("CMP-FW-001", "image hash matches the catalog", Expect.NOTHING,
                () -> firmware(List.of(Events.telemetry("cam-1", T0).build()), released30d, List.of())));

        // --- cohorts -----------------------------------------------------------------------------
        s.add(new Scenario("RES-COH-001", "10 of 20 devices drop within 2 min (at threshold)", Expect.OPENS, () -> cohort(20, 10)));
        s.add(new Scenario("RES-COH-001", "9 of 20 drop (one below)", Expect.NOTHING, () -> cohort(20, 9)));
        s.add(new Scenario("RES-COH-001", "10 of 40 drop (below 30 % of the cohort)", Expect.NOTHING, () -> cohort(40, 10)));
        s.add(new Scenario("RES-COH-001", "8 of 10 back: resolves", Expect.CLEARS, RuleScenarioTest::cohortRecovers));
        // Significance: connections LOST at once against the cohort's own background rate, below 30 % of the cohort.
        s.add(new Scenario("RES-COH-001", "10 of a region's 80 lose their connection within 10 s after 3 quiet hours (significance, at the minimum count)",
                Expect.OPENS, () -> cohortLosses(80, 3, 1, 10, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "9 of 80 lose their connection (one below the minimum count)", Expect.NOTHING,
                () -> cohortLosses(80, 3, 1, 9, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "21 of 80 lost: one incident and every member's RES-OFF-001 folded into it", Expect.OPENS,
                RuleScenarioTest::cohortLossesFoldMembers));
        s.add(new Scenario("RES-COH-001", "30 of 2,000 (1.5 %) lost at once after 3 quiet hours", Expect.OPENS,
                () -> cohortLosses(2000, 3, 2, 30, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "10 of 80 where connections drop all the time (one loss per device-hour): not significant",
                Expect.NOTHING, () -> cohortLosses(80, 3, 80, 10, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "10 of 80 said goodbye (client disconnect, then their offline deadline): fraction only",
                Expect.NOTHING, () -> cohortLosses(80, 3, 1, 10, "offline-timeout")));
        s.add(new Scenario("RES-COH-001", "10 of 80 drained by their broker: fraction only", Expect.NOTHING,
                () -> cohortLosses(80, 3, 1, 10, SecurityEventReasons.DISCONNECTED_BY_BROKER)));
        s.add(new Scenario("RES-COH-001", "10 of 80 of a MODEL cohort lost (a regional outage seen through its models): fraction only",
                Expect.NOTHING, () -> cohortLosses("model", 80, 3, 1, 10, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "a fresh cohort (no closed hour of history): 10 of 80 lost, fraction only", Expect.NOTHING,
                () -> cohortLosses(80, 0, 1, 10, SecurityEventReasons.CONNECTION_LOST)));
        s.add(new Scenario("RES-COH-001", "one device losing its connection 12 times within the window counts once", Expect.NOTHING,
                RuleScenarioTest::cohortOneDeviceFlaps));
        s.add(new Scenario("RES-STORM-001", "50 reconnects in one second (at threshold)", Expect.OPENS, () -> storm(50, 0)));
        s.add(new Scenario("RES-STORM-001", "49 reconnects in one second (one below)", Expect.NOTHING, () -> storm(49, 0)));
        s.add(new Scenario("RES-STORM-001", "60 reconnects spread over 60 s (orderly)", Expect.NOTHING, () -> storm(60, 1000)));
        s.add(new Scenario("RES-STORM-001", "70 back over 60 s, peak 7-8/s (orderliness about 0.15: a jittered, orderly return)",
                Expect.NOTHING, () -> stormWithPeak(70, 7)));
        s.add(new Scenario("RES-STORM-001", "60 back, peak 10/s (orderliness 0.10: at the limit, not below)", Expect.NOTHING,
                () -> stormWithPeak(60, 10)));
        s.add(new Scenario("RES-STORM-001", "60 back, peak 11/s (orderliness 0.09: below the limit)", Expect.OPENS,
                () -> stormWithPeak(60, 11)));
        s.add(new Scenario("RES-STORM-001", "50 back within a second before any was declared offline (reconnected)",
                Expect.OPENS, RuleScenarioTest::reconnectedBeforeOfflineDeadline));
        s.add(new Scenario("RES-STORM-001", "a fleet of 500 joining in one second (first appearance, not reconnects)",
                Expect.NOTHING, RuleScenarioTest::fleetJoins));
        s.add(new Scenario("RES-STORM-001", "50 devices seen before rejoin in one second after a fleet join", Expect.OPENS,
                RuleScenarioTest::rejoinAfterJoin));
        return s.stream();
    }

    // --- runners ---------------------------------------------------------------------------------

    interface IntFn<T> {
        T apply(int i);
    }

    static <T> List<T> n(int count, IntFn<T> f) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(f.apply(i));
        }
        return out;
    }

    static SecurityEvent deviceEvent(SecurityEventType type, String reason, long ts) {
        return Events.security(type, reason, ts, "cam-1", "198.51.100.7").setTopic("devices/cam-2/telemetry").build();
    }

    /** The broker's report of a device clock outside its skew window (the reading itself was forwarded). */
    static SecurityEvent clockSkew(long ts) {
        return Events.security(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.DEVICE_CLOCK_SKEW, ts, "cam-1", "198.51.100.7")
                .setAttributes(Map.of("direction", "ahead", "skewMs", "86400000", "skewedReadings", "3", "skewWindowMs", "120000"))
                .build();
    }

    static SecurityEvent connect(String address, long ts) {
        return Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, ts, "cam-1", address).build();
    }

    static SecurityEvent connectVia(String address, String brokerId, long ts) {
        return Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, ts, "cam-1", address)
                .setBroker(io.fleetwarden.model.BrokerContext.newBuilder(Events.broker(address)).setBrokerId(brokerId).build()).build();
    }

    static SecurityEvent disconnectVia(String reason, String address, String brokerId, long ts) {
        return Events.security(SecurityEventType.DISCONNECT, reason, ts, "cam-1", address)
                .setBroker(io.fleetwarden.model.BrokerContext.newBuilder(Events.broker(address)).setBrokerId(brokerId).build()).build();
    }

    /**
     * A device whose broker died reconnects through the other broker from the same address; the dead broker's
     * connection-lost (or, after a restart, nothing) arrives after the new CONNECT: one overlap, and the device stays
     * connected and reachable through the new broker.
     */
    static List<Finding> brokerFailover() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : List.of(connectVia("198.51.100.7", "broker-a", T0), connectVia("198.51.100.7", "broker-b", T0 + 5000),
                disconnectVia(SecurityEventReasons.CONNECTION_LOST, "198.51.100.7", "broker-a", T0 + 6000))) {
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(e)).findings());
        }
        assertThat(st.connected).as("still connected through broker-b").isTrue();
        assertThat(st.connectedBroker).isEqualTo("broker-b");
        assertThat(st.reachable).isTrue();
        return out;
    }

    static SecurityEvent disconnect(String reason, long ts) {
        return Events.security(SecurityEventType.DISCONNECT, reason, ts, "cam-1", "198.51.100.7").build();
    }

    /** Runs security events through {@link SecurityRules}, one state per subject as the job keys them. */
    static List<Finding> security(List<SecurityEvent> events) {
        return withTimer(events, Long.MIN_VALUE);
    }

    static List<Finding> withTimer(List<SecurityEvent> events, long timerAt) {
        SecurityRules rules = new SecurityRules(CFG);
        Map<String, Map<String, BurstWindow>> state = new HashMap<>();
        Map<String, SecuritySubject> subjects = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            for (SecuritySubject subject : SecuritySubject.of(e)) {
                subjects.put(subject.key(), subject);
                out.addAll(rules.onEvent(state.computeIfAbsent(subject.key(), k -> new HashMap<>()), subject, e));
            }
        }
        if (timerAt != Long.MIN_VALUE) {
            state.forEach((k, v) -> out.addAll(rules.onTimer(v, subjects.get(k), timerAt)));
        }
        return out;
    }

    static List<Finding> connectivity(List<SecurityEvent> events) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(e)).findings());
        }
        return out;
    }

    /** A disconnect processed after a newer report (different streams) must not make the device unreachable. */
    static List<Finding> staleDisconnect() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", T0 + 60_000).build()));
        var r = rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CONNECTION_LOST, T0)));
        assertThat(r.changes()).isEmpty();
        assertThat(st.reachable).isTrue();
        return r.findings();
    }

    static List<Finding> offline(int intervalSeconds, long timerAt) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", T0 + i * intervalSeconds * 1000L)
                    .setIntervalSeconds(intervalSeconds).build())).findings());
        }
        out.addAll(rules.onTimer(st, TENANT, "cam-1", timerAt).findings());
        return out;
    }

    /** A device reporting every 30 s, connected from one address. */
    static List<Finding> reporting(ConnectivityRules rules, ConnectivityState st) {
        List<Finding> out = new ArrayList<>(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect("198.51.100.7", T0))).findings());
        for (int i = 0; i < 10; i++) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", T0 + i * 30_000L).build())).findings());
        }
        return out;
    }

    /**
     * Disconnected for {@code reason} right after the last report, off for {@code downMs}, then CONNECT and a report;
     * the timer fires whenever the deadline says (and once more when the device is back).
     */
    static List<Finding> reboot(String reason, long downMs) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        long down = T0 + 9 * 30_000L + 1000;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(reason, down))).findings());
        long back = down + downMs;
        long deadline = rules.nextTimer(st);
        if (deadline < back) {
            out.addAll(rules.onTimer(st, TENANT, "cam-1", deadline).findings());
        }
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect("198.51.100.7", back))).findings());
        out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", back + 5000).build())).findings());
        out.addAll(rules.onTimer(st, TENANT, "cam-1", back + 10_000).findings());
        return out;
    }

    /** The next report {@code gapMs} after the last, read before any timer fired (a backlog). */
    static List<Finding> reportAfter(long gapMs) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        long last = T0 + 9 * 30_000L;
        out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", last + gapMs).build())).findings());
        // The silence is decided in event time: when the watermark reaches its deadline (its DISCONNECT or a goodbye
        // inside it may still be unread), not when the report that ended it is read.
        if (gapMs > 300_000L) {
            assertThat(out).as("nothing decided when the report is read").noneMatch(f -> f.ruleId.equals("RES-OFF-001"));
            assertThat(rules.nextTimer(st)).as("decided at the deadline").isEqualTo(last + 300_000L);
            out.addAll(rules.onTimer(st, TENANT, "cam-1", rules.nextTimer(st)).findings());
        }
        out.stream().filter(f -> f.action == Action.OPEN)
                .forEach(f -> assertThat(f.timestamp).as("opened at the deadline").isEqualTo(last + 300_000L));
        return out;
    }

    static List<Finding> retired() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT,
                T0 + 9 * 30_000L + 1000))).findings());
        assertThat(rules.nextTimer(st)).as("only the planned absence's maximum").isEqualTo(T0 + 9 * 30_000L + 1000 + CFG.offlinePlannedMaxMs);
        out.addAll(rules.onTimer(st, TENANT, "cam-1", T0 + 2L * 24 * 3_600_000).findings());
        return out;
    }

    /** Back from a planned absence (CONNECT) but silent: its silence counts from the CONNECT. */
    static List<Finding> plannedThenConnectedSilent() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT,
                T0 + 9 * 30_000L + 1000))).findings());
        long connectAt = T0 + 3_600_000L;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(connect("198.51.100.7", connectAt))).findings());
        assertThat(rules.nextTimer(st)).isEqualTo(connectAt + 300_000L);
        assertThat(rules.onTimer(st, TENANT, "cam-1", connectAt + 300_000L - 1).findings()).isEmpty();
        out.addAll(rules.onTimer(st, TENANT, "cam-1", connectAt + 300_000L).findings());
        return out;
    }

    /** Silent past the deadline (the timer not yet fired: a backlog), then the device's goodbye: the timer still fires. */
    static List<Finding> silentThenGoodbye() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        long deadline = T0 + 9 * 30_000L + 300_000L;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT,
                deadline + 60_000))).findings());
        assertThat(rules.nextTimer(st)).isEqualTo(deadline);
        out.addAll(rules.onTimer(st, TENANT, "cam-1", deadline).findings());
        return out;
    }

    /**
     * The security stream read ahead of the reports: the goodbye arrives while the device's last reports are still
     * unread (its deadline, as known so far, is before the goodbye). The late reports show it was not silent: planned.
     */
    static List<Finding> goodbyeReadAheadOfReports() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        long goodbye = T0 + 9 * 30_000L + 600_000L;
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT, goodbye))).findings());
        for (long t = T0 + 10 * 30_000L; t < goodbye; t += 30_000L) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", t).build())).findings());
        }
        assertThat(rules.nextTimer(st)).isEqualTo(goodbye + CFG.offlinePlannedMaxMs);
        out.addAll(rules.onTimer(st, TENANT, "cam-1", goodbye + 3_600_000L).findings());
        return out;
    }

    /** A goodbye processed after a newer report (different streams) is stale: the deadline stays armed. */
    static List<Finding> staleGoodbye() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = reporting(rules, st);
        out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(disconnect(SecurityEventReasons.CLIENT_DISCONNECT,
                T0 + 8 * 30_000L))).findings());
        out.addAll(rules.onTimer(st, TENANT, "cam-1", T0 + 9 * 30_000L + 300_000L).findings());
        return out;
    }

    static List<Finding> offlineThenBack() {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", T0).build())).findings());
        out.addAll(rules.onTimer(st, TENANT, "cam-1", T0 + 600_000).findings());
        out.addAll(rules.onTelemetry(st, DeviceReport.of(Events.telemetry("cam-1", T0 + 700_000).build())).findings());
        return out;
    }

    static List<Finding> behaviour(List<Telemetry> reports) {
        BehaviourRules rules = new BehaviourRules(CFG);
        BehaviourState st = new BehaviourState();
        List<Finding> out = new ArrayList<>();
        for (Telemetry t : reports) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(t), Events.DIGEST));
        }
        return out;
    }

    /** 30 minutes at 2 messages a minute, then a minute with {@code burst} messages, then one more to close it. */
    static List<Finding> messageRate(int burst) {
        List<Telemetry> reports = new ArrayList<>();
        long ts = T0;
        for (int m = 0; m < 30; m++) {
            reports.add(Events.telemetry("cam-1", T0 + m * 60_000L).build());
            reports.add(Events.telemetry("cam-1", T0 + m * 60_000L + 30_000).build());
        }
        ts = T0 + 30 * 60_000L;
        for (int i = 0; i < burst; i++) {
            reports.add(Events.telemetry("cam-1", ts + i * (59_000L / burst)).build());
        }
        reports.add(Events.telemetry("cam-1", ts + 60_000).build());
        return behaviour(reports);
    }

    static List<Finding> traffic(long lastBytesOut) {
        List<Telemetry> reports = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            reports.add(Events.telemetry("cam-1", T0 + i * 30_000L).setBytesOut(300_000).build());
        }
        reports.add(Events.telemetry("cam-1", T0 + 25 * 30_000L).setBytesOut(lastBytesOut).build());
        return behaviour(reports);
    }

    static List<Finding> trafficCold() {
        List<Telemetry> reports = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            reports.add(Events.telemetry("cam-1", T0 + i * 30_000L).setBytesOut(300_000).build());
        }
        reports.add(Events.telemetry("cam-1", T0 + 10 * 30_000L).setBytesOut(300_000_000).build());
        return behaviour(reports);
    }

    static List<Finding> connectionsSpike(int n) {
        List<Telemetry> reports = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            reports.add(Events.telemetry("cam-1", T0 + i * 30_000L).setConnections(Events.connections(5, 0)).build());
        }
        reports.add(Events.telemetry("cam-1", T0 + 25 * 30_000L).setConnections(Events.connections(n, 0)).build());
        return behaviour(reports);
    }

    static List<Finding> destinations(int fresh) {
        List<Telemetry> reports = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            reports.add(Events.telemetry("cam-1", T0 + i * 30_000L).build());
        }
        reports.add(Events.telemetry("cam-1", T0 + 25 * 30_000L).setConnections(Events.connections(fresh, 100)).build());
        return behaviour(reports);
    }

    /**
     * 25 reports to learn, then {@code fresh} reports {@code spacing} apart with one new destination each, then a
     * report every 10 min for {@code quietHours} hours with no new destination.
     */
    static List<Finding> slowDestinations(int fresh, long spacing, int quietHours) {
        List<Telemetry> reports = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            reports.add(Events.telemetry("cam-1", T0 + i * 30_000L).build());
        }
        long ts = T0 + 25 * 30_000L;
        for (int i = 0; i < fresh; i++) {
            reports.add(Events.telemetry("cam-1", ts).setConnections(Events.connections(1, 100 + i)).build());
            ts += spacing;
        }
        for (int i = 0; i < quietHours * 6; i++) {
            reports.add(Events.telemetry("cam-1", ts).build());
            ts += 10 * 60_000L;
        }
        return behaviour(reports);
    }

    /** 60 peers at 1000 B/s on port 80 in the model's first hour, then one device 7 hours later. */
    static List<Finding> peers(double peerBytesPerSecond, double bytesPerSecond, List<Integer> ports) {
        ModelPeerRules rules = new ModelPeerRules(CFG);
        ModelPeerState st = new ModelPeerState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            out.addAll(rules.onObservation(st, obs("cam-" + i, T0 + i * 1000L, peerBytesPerSecond, List.of(80))));
        }
        out.addAll(rules.onObservation(st, obs("cam-x", T0 + 7 * 3_600_000L, bytesPerSecond, ports)));
        return out;
    }

    /** A device flagged at 5x its peers, then back at their level for peer.clearAfter (15 min) of reports. */
    static List<Finding> peersClear() {
        ModelPeerRules rules = new ModelPeerRules(CFG);
        ModelPeerState st = new ModelPeerState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            out.addAll(rules.onObservation(st, obs("cam-" + i, T0 + i * 1000L, 1000, List.of(80))));
        }
        long t = T0 + 3_600_000L;
        out.addAll(rules.onObservation(st, obs("cam-x", t, 5000, List.of(80))));
        for (long dt = 30_000; dt <= CFG.peerClearAfterMs + 30_000; dt += 30_000) {
            out.addAll(rules.onObservation(st, obs("cam-x", t + dt, 1000, List.of(80))));
        }
        return out;
    }

    static PeerObservation obs(String device, long ts, double rate, List<Integer> ports) {
        PeerObservation o = new PeerObservation();
        o.tenant = TENANT;
        o.model = Events.MODEL;
        o.deviceId = device;
        o.timestamp = ts;
        o.bytesOutPerSecond = rate;
        o.listeningPorts = new ArrayList<>(ports);
        return o;
    }

    static Telemetry tel(long ts, String version) {
        return Events.telemetry("cam-1", ts).setFirmwareVersion(version).setFirmwareImageHash(null).build();
    }

    static List<Finding> firmware(List<Telemetry> reports, FirmwareCatalogEntry catalog, List<Advisory> advisories) {
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState st = new FirmwareState();
        List<Finding> out = new ArrayList<>();
        for (Telemetry t : reports) {
            out.addAll(rules.onTelemetry(st, DeviceReport.of(t), Events.context(catalog, advisories, 1)));
        }
        return out;
    }

    static List<Finding> advisoryLate() {
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState st = new FirmwareState();
        List<Finding> out = new ArrayList<>(rules.onTelemetry(st, DeviceReport.of(tel(T0, "2.4.1")), Events.context(null, List.of(), 1)));
        assertThat(out).isEmpty();
        out.addAll(rules.evaluate(st, Events.context(null, List.of(Events.advisory("FWSA-9", "[2.4.0,2.4.2)", Severity.HIGH)), 2), T0 + 5000));
        return out;
    }

    static List<Finding> updateFailures(int reports, boolean distinctAttempts) {
        List<Telemetry> list = new ArrayList<>();
        for (int i = 0; i < reports; i++) {
            int attempt = distinctAttempts ? i + 1 : 1;
            list.add(Events.telemetry("cam-1", T0 + i * 3_600_000L)
                    .setUpdate(new UpdateStatus(UpdateState.FAILED, "2.5.0", attempt, "signature-invalid")).build());
        }
        return firmware(list, null, List.of());
    }

    static List<Finding> certificate(long remaining) {
        Telemetry t = Events.telemetry("cam-1", T0).build();
        t.getBroker().setCertificateNotAfter(Instant.ofEpochMilli(T0 + remaining));
        return firmware(List.of(t), null, List.of());
    }

    static ConnectivityChange change(String device, boolean online, long ts) {
        return new ConnectivityChange(TENANT, device, Events.MODEL, "eu-west", "broker-1", online, ts,
                online ? "connected" : "connection-lost").forCohort("model");
    }

    static List<Finding> cohort(int size, int drops) {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            rules.onChange(st, change("cam-" + i, true, T0 - 3_600_000L + i));
        }
        for (int i = 0; i < drops; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, false, T0 + i * 5000L)));
        }
        return out;
    }

    /**
     * A model cohort of {@code size} devices online since {@code hours} hours before T0 (hour-aligned), in each of those
     * hours {@code backgroundPerHour} devices lose their connection for 10 s (spread over the hour), then at T0
     * {@code drops} devices go down 1 s apart with {@code reason}.
     */
    static List<Finding> cohortLosses(int size, int hours, int backgroundPerHour, int drops, String reason) {
        return cohortLosses("region", size, hours, backgroundPerHour, drops, reason);
    }

    /** A change of {@code device} addressed to its {@code dimension} cohort. */
    static ConnectivityChange change(String dimension, String device, boolean online, long ts) {
        return new ConnectivityChange(TENANT, device, Events.MODEL, "eu-west", "broker-1", online, ts,
                online ? "connected" : "connection-lost").forCohort(dimension);
    }

    static List<Finding> cohortLosses(String dimension, int size, int hours, int backgroundPerHour, int drops, String reason) {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        long start = T0 - hours * 3_600_000L - 60_000;
        for (int i = 0; i < size; i++) {
            rules.onChange(st, change(dimension, "cam-" + i, true, start + i));
        }
        for (int h = 0; h < hours; h++) {
            long hourStart = T0 - (hours - h) * 3_600_000L;
            for (int k = 0; k < backgroundPerHour; k++) {
                long t = hourStart + 1000 + k * (3_500_000L / backgroundPerHour);
                String device = "cam-" + ((h * 37 + k) % size);
                rules.onChange(st, change(dimension, device, false, t));
                rules.onChange(st, change(dimension, device, true, t + 10_000));
            }
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < drops; i++) {
            ConnectivityChange c = change(dimension, "cam-" + i, false, T0 + 1000 + i * 1000L);
            c.reason = reason;
            out.addAll(rules.onChange(st, c));
        }
        return out;
    }

    static List<Finding> cohortLossesFoldMembers() {
        List<Finding> out = cohortLosses(80, 3, 1, 21, SecurityEventReasons.CONNECTION_LOST);
        assertThat(out).filteredOn(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.OPEN).first()
                .satisfies(f -> assertThat(f.evidence).containsEntry("test", "significance"));
        assertThat(out).filteredOn(f -> f.action == Action.FOLD)
                .allMatch(f -> f.parentAlertId != null && f.ruleId.equals("RES-OFF-001"))
                .extracting(f -> f.deviceId).containsExactlyInAnyOrderElementsOf(
                        java.util.stream.IntStream.range(0, 21).mapToObj(i -> "cam-" + i).toList());
        return out;
    }

    static List<Finding> cohortOneDeviceFlaps() {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        for (int i = 0; i < 80; i++) {
            rules.onChange(st, change("region", "cam-" + i, true, T0 - 3 * 3_600_000L - 60_000 + i));
        }
        for (int h = 3; h > 0; h--) {
            rules.onChange(st, change("region", "cam-5", false, T0 - h * 3_600_000L + 1000));
            rules.onChange(st, change("region", "cam-5", true, T0 - h * 3_600_000L + 11_000));
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            out.addAll(rules.onChange(st, change("region", "cam-7", false, T0 + i * 5000L)));
            out.addAll(rules.onChange(st, change("region", "cam-7", true, T0 + i * 5000L + 2000)));
        }
        out.addAll(rules.onChange(st, change("region", "cam-7", false, T0 + 61_000)));
        return out;
    }

    static List<Finding> cohortRecovers() {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>(cohort(0, 0));
        for (int i = 0; i < 20; i++) {
            rules.onChange(st, change("cam-" + i, true, T0 - 3_600_000L + i));
        }
        for (int i = 0; i < 10; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, false, T0 + i * 1000L)));
        }
        assertThat(out).filteredOn(f -> f.action == Action.FOLD).hasSize(10)
                .allMatch(f -> f.parentAlertId != null && f.ruleId.equals("RES-OFF-001"));
        for (int i = 0; i < 8; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, true, T0 + 600_000L + i * 1000L)));
        }
        return out;
    }

    /** Devices reported online for the first time, as ConnectivityRules marks them. */
    static ConnectivityChange firstSeen(String device, long ts) {
        ConnectivityChange c = change(device, true, ts);
        c.reason = ConnectivityChange.FIRST_SEEN;
        return c;
    }

    /**
     * {@code total} reconnects within one minute: {@code total - peak} spread evenly over the first 58 s,
     * then {@code peak} in the last second, so the rule sees the final orderliness (total / 60) / peak.
     */
    static List<Finding> stormWithPeak(int total, int peak) {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        int spread = total - peak;
        for (int i = 0; i < total; i++) {
            long ts = i < spread ? T0 + i * 58_000L / spread : T0 + 59_000L + (i - spread);
            out.addAll(rules.onChange(st, change("cam-" + i, true, ts)));
        }
        return out;
    }

    static List<Finding> reconnectedBeforeOfflineDeadline() {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ConnectivityChange c = change("cam-" + i, true, T0 + i);
            c.reason = ConnectivityChange.RECONNECTED;
            out.addAll(rules.onChange(st, c));
        }
        assertThat(st.online).as("a reconnect does not change the online count").isZero();
        return out;
    }

    static List<Finding> fleetJoins() {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            out.addAll(rules.onChange(st, firstSeen("cam-" + i, T0 + i)));
        }
        return out;
    }

    static List<Finding> rejoinAfterJoin() {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rules.onChange(st, firstSeen("cam-" + i, T0 - 3_600_000L + i));
            rules.onChange(st, change("cam-" + i, false, T0 - 600_000L + i));
        }
        for (int i = 0; i < 50; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, true, T0 + i)));
        }
        return out;
    }

    static List<Finding> storm(int reconnects, long spacingMs) {
        CohortRules rules = new CohortRules(CFG);
        CohortState st = new CohortState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < reconnects; i++) {
            out.addAll(rules.onChange(st, change("cam-" + i, true, T0 + i * spacingMs)));
        }
        return out;
    }
}
