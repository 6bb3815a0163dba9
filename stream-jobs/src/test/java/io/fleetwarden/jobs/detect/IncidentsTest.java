package io.fleetwarden.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.AlertLifecycle;
import io.fleetwarden.jobs.alerts.AlertState;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * One physical event is one incident: campaigns of many addresses are one alert, the platform's own enforcement is not
 * flapping, a member's offline alert folds into its incident whatever the order, and cohort incidents describing the
 * same devices are one incident (but an unrelated one never absorbs another).
 */
class IncidentsTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long T0 = 1_767_000_000_000L;
    private static final String TENANT = "acme";

    // --- (c) one campaign, one alert ---------------------------------------------------------------------

    private static List<Finding> security(List<SecurityEvent> events) {
        SecurityRules rules = new SecurityRules(CFG);
        Map<String, Map<String, BurstWindow>> state = new HashMap<>();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            for (SecuritySubject s : SecuritySubject.of(e)) {
                out.addAll(rules.onEvent(state.computeIfAbsent(s.key(), k -> new HashMap<>()), s, e));
            }
        }
        return out;
    }

    private static SecurityEvent defaultPassword(String device, String claimed, String address, long ts) {
        return Events.security(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS, ts, device, address)
                .setClaimedClientId(claimed).setUsername("admin").build();
    }

    @Test
    void defaultPasswordsWithOneCertificateFrom25AddressesAreOneAlertListingTheAddresses() {
        List<Finding> f = security(IntStream.range(0, 25)
                .mapToObj(i -> defaultPassword("cam-1", "cam-1", "203.0.113." + i, T0 + i * 1000L)).toList());
        List<Finding> auth3 = f.stream().filter(x -> x.ruleId.equals("CMP-AUTH-003")).toList();
        assertThat(auth3).extracting(Finding::subjectKey).containsOnly(TENANT + "/cam-1");
        Finding last = auth3.get(auth3.size() - 1);
        assertThat(last.evidence.get("addresses").split(",")).hasSize(BurstWindow.SOURCES_KEPT)
                .startsWith("203.0.113.0", "203.0.113.1");
        assertThat(last.evidence).containsEntry("addressCount", String.valueOf(BurstWindow.SOURCES_KEPT));
        // The list is bounded; what did not fit is counted.
        BurstWindow w = new BurstWindow();
        for (int i = 0; i < 25; i++) {
            w.recordSource("203.0.113." + i);
        }
        w.recordSource("203.0.113.0"); // a repeat is not new
        assertThat(w.sources).hasSize(BurstWindow.SOURCES_KEPT);
        assertThat(w.unlistedSourceEvents).isEqualTo(25 - BurstWindow.SOURCES_KEPT);
    }

    @Test
    void unverifiedCampaignIsOneAlertPerClaimedIdentityAndPerAddressOnlyWithoutAnyIdentity() {
        List<Finding> claimed = security(IntStream.range(0, 25)
                .mapToObj(i -> defaultPassword(null, "acme/cam-9", "203.0.113." + i, T0 + i * 1000L)).toList());
        assertThat(claimed.stream().filter(x -> x.ruleId.equals("CMP-AUTH-003")).map(Finding::subjectKey).distinct())
                .containsExactly("_front-door|claimed-identity=acme/cam-9");
        // Hostile: no identity at all, each address on its own (nothing joins them).
        List<Finding> anonymous = security(IntStream.range(0, 3)
                .mapToObj(i -> defaultPassword(null, null, "203.0.113." + i, T0 + i * 1000L)).toList());
        assertThat(anonymous.stream().filter(x -> x.ruleId.equals("CMP-AUTH-003")).map(Finding::subjectKey).distinct()).hasSize(3);
    }

    @Test
    void clockSkewFindingCarriesTheBrokersMeasurementBounded() {
        List<Finding> f = security(IntStream.range(0, 2).mapToObj(i -> Events.security(SecurityEventType.VALIDATION_FAILURE,
                SecurityEventReasons.DEVICE_CLOCK_SKEW, T0 + i * 60_000L, "cam-1", "198.51.100.7")
                .setAttributes(Map.of("direction", "ahead", "skewMs", "86400000", "skewedReadings", "7",
                        "deviceTime", "x".repeat(100)))
                .build()).toList());
        assertThat(f).singleElement().satisfies(x -> {
            assertThat(x.ruleId).isEqualTo("CMP-CLOCK-001");
            assertThat(x.subjectKey()).isEqualTo(TENANT + "/cam-1");
            assertThat(x.evidence).containsEntry("direction", "ahead").containsEntry("skewMs", "86400000")
                    .containsEntry("skewedReadings", "7").doesNotContainKey("deviceTime");
        });
        assertThat(security(List.of(Events.security(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.DEVICE_CLOCK_SKEW,
                T0, "cam-1", "198.51.100.7").setAttributes(Map.of("direction", "y".repeat(100))).build(),
                Events.security(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.DEVICE_CLOCK_SKEW,
                T0 + 1000, "cam-1", "198.51.100.7").setAttributes(Map.of("direction", "y".repeat(100))).build())))
                .singleElement().satisfies(x -> assertThat(x.evidence.get("direction")).hasSize(32));
    }

    // --- (b) enforcement is not flapping -------------------------------------------------------------------

    private static List<Finding> connectivity(List<SecurityEvent> events) {
        ConnectivityRules rules = new ConnectivityRules(CFG);
        ConnectivityState st = new ConnectivityState();
        List<Finding> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            out.addAll(rules.onSecurityEvent(st, DeviceSecurityEvent.of(e)).findings());
        }
        return out;
    }

    private static List<SecurityEvent> refusedThenDisconnected(int times, long refusalLeadMs) {
        List<SecurityEvent> events = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            long t = T0 + i * 60_000L;
            events.add(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, t, "cam-1", "198.51.100.7").build());
            events.add(Events.security(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, t + 1000,
                    "cam-1", "198.51.100.7").setTopic("acme/devices/cam-2/telemetry").build());
            events.add(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_BY_BROKER, t + 1000 + refusalLeadMs,
                    "cam-1", "198.51.100.7").build());
        }
        return events;
    }

    @Test
    void brokerDisconnectsAfterRefusalsAreTheEnforcementNotFlapping() {
        assertThat(connectivity(refusedThenDisconnected(6, 200))).noneMatch(f -> f.ruleId.equals("RES-FLAP-001"));
        List<SecurityEvent> revoked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            revoked.add(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_REVOKED, T0 + i * 1000L,
                    "cam-1", "198.51.100.7").build());
        }
        assertThat(connectivity(revoked)).noneMatch(f -> f.ruleId.equals("RES-FLAP-001"));
    }

    @Test
    void hostileBrokerDisconnectsWithoutARecentRefusalStillFlap() {
        // A refusal long before the disconnect (more than the link time) does not excuse it.
        assertThat(connectivity(refusedThenDisconnected(5, ConnectivityRules.ENFORCEMENT_LINK_MS + 1)))
                .anyMatch(f -> f.ruleId.equals("RES-FLAP-001") && f.action == Action.OPEN);
        List<SecurityEvent> bare = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bare.add(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_BY_BROKER, T0 + i * 60_000L,
                    "cam-1", "198.51.100.7").build());
        }
        assertThat(connectivity(bare)).anyMatch(f -> f.ruleId.equals("RES-FLAP-001") && f.action == Action.OPEN);
        // A clock-skew report is not a refusal.
        List<SecurityEvent> skew = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = T0 + i * 60_000L;
            skew.add(Events.security(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.DEVICE_CLOCK_SKEW, t, "cam-1",
                    "198.51.100.7").build());
            skew.add(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_BY_BROKER, t + 100, "cam-1",
                    "198.51.100.7").build());
        }
        assertThat(connectivity(skew)).anyMatch(f -> f.ruleId.equals("RES-FLAP-001") && f.action == Action.OPEN);
    }

    // --- (d) the fold race ----------------------------------------------------------------------------------

    @Test
    void foldReachingTheAlertStageAfterTheMemberCameBackStillAttaches() {
        AlertLifecycle lifecycle = new AlertLifecycle(30 * 60_000L, 2 * 60_000L);
        AlertState s = new AlertState();
        lifecycle.apply(s, Finding.device("RES-OFF-001", Action.OPEN, TENANT, "cam-1", T0 + 5000, "offline"));
        lifecycle.apply(s, Finding.device("RES-OFF-001", Action.CLEAR, TENANT, "cam-1", T0 + 11_000, "back"));
        Finding fold = Finding.device("RES-OFF-001", Action.FOLD, TENANT, "cam-1", T0 + 5000, "part of outage");
        fold.parentAlertId = "incident-1";
        Alert a = lifecycle.apply(s, fold).orElseThrow();
        assertThat(a.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(a.getParentAlertId()).isEqualTo("incident-1");
        assertThat(a.getRevision()).isEqualTo(3);
        assertThat(lifecycle.apply(s, fold)).as("the same fold again changes nothing").isEmpty();
        lifecycle.expire(s, T0 + 11_000 + 2 * 60_000L);
        assertThat(s.isEmpty()).isTrue();

        // A fold claiming a time after the alert resolved is for the next occurrence, not this one.
        AlertState t = new AlertState();
        lifecycle.apply(t, Finding.device("RES-OFF-001", Action.OPEN, TENANT, "cam-2", T0, "offline"));
        lifecycle.apply(t, Finding.device("RES-OFF-001", Action.CLEAR, TENANT, "cam-2", T0 + 1000, "back"));
        Finding later = Finding.device("RES-OFF-001", Action.FOLD, TENANT, "cam-2", T0 + 60_000, "part of outage");
        later.parentAlertId = "incident-2";
        assertThat(lifecycle.apply(t, later)).isEmpty();
        assertThat(t.pendingParent).isEqualTo("incident-2");

        // Hostile: other rules' alerts are never kept after resolution nor folded afterwards.
        AlertState u = new AlertState();
        lifecycle.apply(u, Finding.device("CMP-NET-001", Action.OPEN, TENANT, "cam-3", T0, "telnet"));
        lifecycle.apply(u, Finding.device("CMP-NET-001", Action.CLEAR, TENANT, "cam-3", T0 + 1000, "closed"));
        assertThat(u.alertId).isNull();
    }

    private static ConnectivityChange change(String device, String region, boolean online, long ts) {
        return new ConnectivityChange(TENANT, device, Events.MODEL, region, "broker-1", online, ts, online ? "connected" : "connection-lost");
    }

    @Test
    void aDropSeenAfterItsIncidentResolvedStillFoldsIntoIt() {
        CohortRules rules = new CohortRules(CFG);
        CohortState s = new CohortState();
        for (int i = 0; i < 20; i++) {
            rules.onChange(s, change("cam-" + i, "eu-west", true, T0).forCohort("region"));
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            out.addAll(rules.onChange(s, change("cam-" + i, "eu-west", false, T0 + 1000 + i).forCohort("region")));
        }
        String incident = out.stream().filter(f -> f.action == Action.FOLD).findFirst().orElseThrow().parentAlertId;
        for (int i = 0; i < 12; i++) {
            out.addAll(rules.onChange(s, change("cam-" + i, "eu-west", true, T0 + 20_000).forCohort("region")));
        }
        assertThat(out).anyMatch(f -> f.ruleId.equals("RES-COH-001") && f.action == Action.CLEAR);
        // cam-15 dropped at T0 + 5 s (during the incident); its change arrives only now.
        List<Finding> late = rules.onChange(s, change("cam-15", "eu-west", false, T0 + 5000).forCohort("region"));
        assertThat(late).singleElement().satisfies(f -> {
            assertThat(f.action).isEqualTo(Action.FOLD);
            assertThat(f.parentAlertId).isEqualTo(incident);
        });
        // A drop after the incident resolved is a drop of its own, and the memory of the incident expires.
        assertThat(rules.onChange(s, change("cam-16", "eu-west", false, T0 + 21_000).forCohort("region"))).isEmpty();
        rules.onTimer(s, TENANT, "region", "eu-west", T0 + 20_000 + CFG.cohortWindowMs);
        assertThat(s.lastIncidentId).isNull();
    }

    // --- (a) dimensions describing the same devices are one incident ---------------------------------------

    private static Finding incident(String rule, String dimension, String value, long ts, List<String> members) {
        Finding f = Finding.other(rule, Action.OPEN, TENANT, dimension, value, ts, value + " down").with("members", members.size());
        f.members = members;
        return f;
    }

    private static List<String> devices(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "cam-" + i).toList();
    }

    @Test
    void regionAndModelOutageOfTheSameDevicesAreOneIncident() {
        IncidentBook book = new IncidentBook();
        Finding region = incident("RES-COH-001", "region", "eu-west", T0, devices(0, 40));
        assertThat(IncidentCorrelation.apply(book, region)).containsExactly(region);
        List<Finding> model = IncidentCorrelation.apply(book, incident("RES-COH-001", "model", "cam-x200", T0 + 500, devices(0, 38)));
        // No model incident; the region incident gets a revision naming the model cohort.
        assertThat(model).singleElement().satisfies(f -> {
            assertThat(f.subjectKey()).isEqualTo(TENANT + "|region=eu-west");
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.evidence).containsEntry("correlatedCohorts", "model=cam-x200");
        });
        String regionId = book.incidents.get(region.alertKey()).alertId;
        String modelId = book.incidents.get(TENANT + "|model=cam-x200#RES-COH-001").alertId;
        // The model cohort's folds name the region incident.
        Finding fold = Finding.device("RES-OFF-001", Action.FOLD, TENANT, "cam-39", T0 + 600, "part of outage");
        fold.parentAlertId = modelId;
        assertThat(IncidentCorrelation.apply(book, fold)).singleElement()
                .satisfies(f -> assertThat(f.parentAlertId).isEqualTo(regionId));
        // Its revisions and resolution are swallowed; the region's pass.
        assertThat(IncidentCorrelation.apply(book, incident("RES-COH-001", "model", "cam-x200", T0 + 700, devices(0, 50)))).isEmpty();
        assertThat(IncidentCorrelation.apply(book, Finding.other("RES-COH-001", Action.CLEAR, TENANT, "model", "cam-x200", T0 + 9000, "back")))
                .isEmpty();
        // A late fold naming the folded incident (its member dropped during it, seen after it resolved) still joins the region's.
        Finding late = Finding.device("RES-OFF-001", Action.FOLD, TENANT, "cam-45", T0 + 800, "part of outage");
        late.parentAlertId = modelId;
        assertThat(IncidentCorrelation.apply(book, late)).singleElement()
                .satisfies(f -> assertThat(f.parentAlertId).isEqualTo(regionId));
        assertThat(IncidentCorrelation.apply(book, Finding.other("RES-COH-001", Action.CLEAR, TENANT, "region", "eu-west", T0 + 9000, "back")))
                .hasSize(1);
        // The folded incident's memory expires.
        IncidentCorrelation.apply(book, Finding.device("CMP-NET-001", Action.FOLD, TENANT, "cam-1",
                T0 + 9000 + IncidentCorrelation.FOLDED_KEPT_MS + 1, "x"));
        assertThat(IncidentCorrelation.idle(book)).isTrue();
    }

    @Test
    void oneReconnectStormSeenByRegionAndBrokerIsOneAlert() {
        CohortRules rules = new CohortRules(CFG);
        CohortState region = new CohortState();
        CohortState broker = new CohortState();
        IncidentBook book = new IncidentBook();
        List<Finding> alerts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ConnectivityChange c = change("cam-" + i, "ap-south", true, T0 + 100);
            c.reason = ConnectivityChange.RECONNECTED;
            for (Finding f : rules.onChange(region, c.forCohort("region"))) {
                alerts.addAll(IncidentCorrelation.apply(book, f));
            }
            for (Finding f : rules.onChange(broker, c.forCohort("broker"))) {
                alerts.addAll(IncidentCorrelation.apply(book, f));
            }
        }
        List<Finding> storms = alerts.stream().filter(f -> f.ruleId.equals("RES-STORM-001")).toList();
        assertThat(storms).extracting(Finding::subjectKey).containsOnly(TENANT + "|region=ap-south");
        assertThat(storms.get(storms.size() - 1).evidence).containsEntry("correlatedCohorts", "broker=broker-1");
    }

    @Test
    void hostileSmallIncidentNeitherAbsorbsNorIsAbsorbedByAnUnrelatedLargeOne() {
        IncidentBook book = new IncidentBook();
        // Ten devices an attacker takes down on purpose in their own broker cohort...
        Finding small = incident("RES-COH-001", "broker", "broker-7", T0, devices(0, 10));
        assertThat(IncidentCorrelation.apply(book, small)).containsExactly(small);
        // ...do not swallow a real 100-device regional outage that contains them,
        Finding large = incident("RES-COH-001", "region", "eu-west", T0 + 1000, devices(0, 100));
        assertThat(IncidentCorrelation.apply(book, large)).containsExactly(large);
        // nor does a third incident of other devices join either, and other rules' incidents never mix.
        Finding other = incident("RES-COH-001", "model", "plug-1", T0 + 2000, devices(200, 230));
        assertThat(IncidentCorrelation.apply(book, other)).containsExactly(other);
        Finding storm = incident("RES-STORM-001", "region", "eu-west", T0 + 3000, devices(0, 100));
        assertThat(IncidentCorrelation.apply(book, storm)).containsExactly(storm);
        assertThat(IncidentCorrelation.folded(book)).isEmpty();
        // A device alert that claims to be a fold of an incident is left as it is unless it names one: a security
        // alert is never changed here.
        Finding telnet = Finding.device("CMP-NET-001", Action.OPEN, TENANT, "cam-3", T0, "telnet");
        assertThat(IncidentCorrelation.apply(book, telnet)).containsExactly(telnet);
        assertThat(IncidentCorrelation.jaccard(devices(0, 10), devices(0, 100))).isEqualTo(0.1);
    }
}
