package io.fleetwarden.simulator.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.simulator.scenario.GroundTruthWriter;
import io.fleetwarden.simulator.scenario.ScenarioInstance;
import io.fleetwarden.simulator.scenario.ScenarioType;

/**
 * Scorecard arithmetic on a hand-made run: 100 devices for 2 hours, three attack scenarios, one
 * benign scenario, and alerts chosen so every number can be worked out on paper.
 */
class ScorecardTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private static GroundTruth truth() {
        return new GroundTruth("run-1", 100, T0, at(7200), List.of(
                // botnet on cam-1 from 100 s to 400 s, expects 2 rules
                new TruthScenario("s01-botnet-infection", "botnet-infection", true, Set.of("cam-1"), Map.of(),
                        at(100), at(400), Set.of("net-listening-port", "net-traffic-spike")),
                // flapping on plug-2 from 200 s to 300 s
                new TruthScenario("s02-flapping", "flapping", true, Set.of("plug-2"), Map.of(),
                        at(200), at(300), Set.of("flapping")),
                // outage of region ap-south (10 devices) from 1000 s to 1100 s, expects a cohort alert
                new TruthScenario("s03-regional-outage-storm", "regional-outage-storm", true,
                        Set.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"), Map.of("region", "ap-south"),
                        at(1000), at(1100), Set.of("cohort-outage")),
                // benign reboot of thermo-3 at 500 s
                new TruthScenario("s04-single-reboot", "single-reboot", false, Set.of("thermo-3"), Map.of(),
                        at(500), at(510), Set.of())));
    }

    private static AlertView alert(String id, String rule, String device, long openedAtSecond) {
        return new AlertView(id, rule, device, null, null, at(openedAtSecond), null);
    }

    @Test
    void afterTheRunsEndOnlyAnAttacksLateDetectionIsScored() {
        GroundTruth t = new GroundTruth("run-2", 100, T0, at(7200), List.of(
                new TruthScenario("s01-flapping", "flapping", true, Set.of("plug-2"), Map.of(),
                        at(7000), at(7100), Set.of("flapping"))));
        List<AlertView> alerts = List.of(
                alert("f1", "flapping", "plug-2", 7250),                                       // late detection after the end: scored
                new AlertView("c1", "cohort-outage", null, "region", "eu-west", at(7500), null), // the fleet fell silent: not scored
                alert("o1", "offline", "thermo-3", 7300),                                      // likewise
                alert("o2", "offline", "thermo-4", 7199));                                     // before the end: a false alert

        Scorecard scorecard = new Scorecard(Duration.ofMinutes(5));
        ScorecardReport r = scorecard.score(t, alerts);

        assertThat(r.scenarios().get(0).detected()).isTrue();
        assertThat(r.overall().alerts()).isEqualTo(2);
        assertThat(r.overall().falsePositives()).isEqualTo(1);
        assertThat(scorecard.unexplained(t, alerts)).extracting(AlertView::alertId).containsExactly("o2");
    }

    @Test
    void worksOutDetectionPrecisionRecallLatencyAndFalseAlertRate() {
        List<AlertView> alerts = new ArrayList<>();
        alerts.add(alert("a1", "net-listening-port", "cam-1", 130));       // botnet detected 30 s after start
        alerts.add(alert("a1", "net-listening-port", "cam-1", 160));       // later revision of a1: counts once, at 130
        alerts.add(alert("a2", "publish-rate", "cam-1", 140));             // unexpected rule on cam-1: false
        alerts.add(alert("a3", "offline", "thermo-3", 505));               // benign reboot alerted: false
        alerts.add(new AlertView("a4", "cohort-outage", null, "region", "ap-south", at(1090), null)); // outage detected after 90 s
        alerts.add(new AlertView("a5", "offline", "a1", null, null, at(1080), "a4"));  // folded into the incident: ignored
        alerts.add(alert("a6", "net-traffic-spike", "cam-1", 400 + 200));  // inside lateness (5 min after end)
        alerts.add(alert("a7", "flapping", "plug-2", 300 + 301));          // after end + lateness: not a detection, false
        alerts.add(alert("a8", "topic-probing", "cam-99", 3000));          // device in no scenario: false

        ScorecardReport r = new Scorecard(Duration.ofMinutes(5)).score(truth(), alerts);

        ScorecardReport.ScenarioScore botnet = r.scenarios().get(0);
        assertThat(botnet.detected()).isTrue();
        assertThat(botnet.firedRules()).containsExactly("net-listening-port", "net-traffic-spike");
        assertThat(botnet.recall()).isEqualTo(1.0);
        assertThat(botnet.secondsToDetect()).isEqualTo(30.0);
        assertThat(botnet.falseAlerts()).isEqualTo(1);
        assertThat(botnet.precision()).isCloseTo(2.0 / 3, offset(1e-9));

        ScorecardReport.ScenarioScore flapping = r.scenarios().get(1);
        assertThat(flapping.detected()).isFalse();
        assertThat(flapping.recall()).isEqualTo(0.0);
        assertThat(flapping.secondsToDetect()).isNull();
        assertThat(flapping.precision()).isNull();

        ScorecardReport.ScenarioScore outage = r.scenarios().get(2);
        assertThat(outage.detected()).isTrue();
        assertThat(outage.secondsToDetect()).isEqualTo(90.0);
        assertThat(outage.precision()).isEqualTo(1.0);

        ScorecardReport.ScenarioScore reboot = r.scenarios().get(3);
        assertThat(reboot.detected()).isNull();
        assertThat(reboot.precision()).as("precision is about attacks").isNull();
        assertThat(reboot.falseAlerts()).isEqualTo(1);

        ScorecardReport.Overall o = r.overall();
        assertThat(o.alerts()).isEqualTo(7);                 // a1..a8 minus folded a5
        assertThat(o.truePositives()).isEqualTo(3);          // a1, a4, a6
        assertThat(o.falsePositives()).isEqualTo(4);         // a2, a3, a7, a8
        assertThat(new Scorecard(Duration.ofMinutes(5)).unexplained(truth(), alerts)).extracting(AlertView::alertId)
                .as("the false positives by name, in opening order").containsExactly("a2", "a3", "a7", "a8");
        assertThat(o.precision()).isCloseTo(3.0 / 7, offset(1e-9));
        assertThat(o.attackScenarios()).isEqualTo(3);
        assertThat(o.detectedScenarios()).isEqualTo(2);
        assertThat(o.recall()).isCloseTo(2.0 / 3, offset(1e-9));
        assertThat(o.ruleRecall()).isCloseTo(3.0 / 4, offset(1e-9));
        assertThat(o.medianSecondsToDetect()).isEqualTo(30.0);   // nearest rank of [30, 90]
        assertThat(o.p95SecondsToDetect()).isEqualTo(90.0);
        // 100 devices x 2 h = 200 device-hours, minus 1 x 300 s, 1 x 100 s, 10 x 100 s = 1400 device-seconds
        double benign = 200 - 1400 / 3600.0;
        assertThat(o.benignDeviceHours()).isCloseTo(benign, offset(1e-9));
        assertThat(o.falseAlertsPer10kDeviceHours()).isCloseTo(4 * 10_000 / benign, offset(1e-6));
    }

    @Test
    void noAlertsMeansNothingDetectedAndNoUndefinedRatiosReportedAsNumbers() {
        ScorecardReport r = new Scorecard(Duration.ofMinutes(5)).score(truth(), List.of());
        assertThat(r.overall().precision()).isNull();
        assertThat(r.overall().recall()).isEqualTo(0.0);
        assertThat(r.overall().falseAlertsPer10kDeviceHours()).isEqualTo(0.0);
        assertThat(r.overall().medianSecondsToDetect()).isNull();
        assertThat(ScorecardPrinter.text(r)).contains("s01-botnet-infection").contains("NO");
        assertThat(ScorecardPrinter.json(r)).contains("\"detectedScenarios\" : 0");
    }

    @Test
    void anAlertFoldedInALaterRevisionIsNotCountedOnItsOwn() {
        // the stream jobs open the member's offline alert first (revision 1, no parent) and fold it into
        // the cohort incident in revision 2 (same alert id and openedAt, parentAlertId set)
        List<AlertView> alerts = new ArrayList<>();
        alerts.add(new AlertView("inc", "cohort-outage", null, "region", "ap-south", at(1030), null));
        alerts.add(new AlertView("off-a1", "offline", "a1", null, null, at(1020), null));
        alerts.add(new AlertView("off-a1", "offline", "a1", null, null, at(1020), "inc"));
        alerts.add(new AlertView("off-a2", "offline", "a2", null, null, at(1025), null)); // never folded
        ScorecardReport r = new Scorecard(Duration.ofMinutes(5)).score(truth(), alerts);
        assertThat(Scorecard.distinct(alerts)).extracting(AlertView::alertId).containsExactly("off-a2", "inc");
        assertThat(r.overall().alerts()).isEqualTo(2);
        assertThat(r.overall().truePositives()).isEqualTo(1);
        assertThat(r.overall().falsePositives()).isEqualTo(1);   // only the member that was never folded
    }

    @Test
    void percentileIsNearestRank() {
        List<Double> v = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        assertThat(Scorecard.percentile(v, 50)).isEqualTo(5.0);
        assertThat(Scorecard.percentile(v, 95)).isEqualTo(10.0);
        assertThat(Scorecard.percentile(List.of(), 50)).isNull();
    }

    @Test
    void groundTruthWrittenByTheSimulatorReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gt.jsonl");
        MutableClock clock = new MutableClock(T0);
        ScenarioInstance botnet = new ScenarioInstance("s01-botnet-infection", ScenarioType.BOTNET_INFECTION, List.of("cam-1"),
                Map.of(), Duration.ofSeconds(100), Duration.ofSeconds(400), Set.of("net-listening-port"));
        try (GroundTruthWriter w = new GroundTruthWriter(file, clock, "run-x")) {
            w.runStart(42, 100, "acme");
            clock.now = at(100);
            w.scenarioStart(botnet, "acme", at(400), null);
            clock.now = at(390);
            w.scenarioEnd(botnet);
            clock.now = at(600);
            w.runEnd();
        }
        assertThat(Files.readAllLines(file)).hasSize(4);
        GroundTruth t = GroundTruth.read(file);
        assertThat(t.runId()).isEqualTo("run-x");
        assertThat(t.fleetSize()).isEqualTo(100);
        assertThat(t.runEnd()).isEqualTo(at(600));
        assertThat(t.scenarios()).singleElement().satisfies(s -> {
            assertThat(s.start()).isEqualTo(at(100));
            assertThat(s.end()).isEqualTo(at(390));
            assertThat(s.attack()).isTrue();
            assertThat(s.expectedRules()).containsExactly("net-listening-port");
        });
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void perRuleAndPerTypeLinesAndTimeBase() {
        List<AlertView> alerts = new ArrayList<>();
        alerts.add(alert("a1", "net-listening-port", "cam-1", 130));
        alerts.add(alert("a2", "offline", "thermo-3", 505));
        alerts.add(alert("a3", "offline", "cam-98", 4000));
        alerts.add(new AlertView("a4", "cohort-outage", null, "region", "ap-south", at(1090), null));
        ScorecardReport r = new Scorecard(Duration.ofMinutes(5)).score(truth(), alerts);

        assertThat(r.timeBase()).isEqualTo("wall-time");
        assertThat(r.rules()).extracting(ScorecardReport.RuleScore::ruleId)
                .containsExactly("cohort-outage", "flapping", "net-listening-port", "net-traffic-spike", "offline");
        ScorecardReport.RuleScore port = r.rules().get(2);
        assertThat(port.expected()).isEqualTo(1);
        assertThat(port.fired()).isEqualTo(1);
        assertThat(port.medianSecondsToDetect()).isEqualTo(30.0);
        assertThat(r.rules().get(3).recall()).isEqualTo(0.0);
        assertThat(r.rules().get(4).falseAlerts()).isEqualTo(2);
        assertThat(r.rules().get(4).recall()).as("nothing expected it").isNull();

        assertThat(r.kinds()).extracting(ScorecardReport.KindScore::scenario)
                .containsExactly("botnet-infection", "flapping", "regional-outage-storm", "single-reboot");
        assertThat(r.kinds().get(0).ruleRecall()).isEqualTo(0.5);
        assertThat(r.kinds().get(1).detected()).isZero();
        assertThat(r.kinds().get(3).falseAlerts()).isEqualTo(1);
        assertThat(r.kinds().get(3).detected()).isNull();
    }

    @Test
    void aCohortMayListSeveralMembersAndAHostileValueMatchesOnlyAWholeMember() {
        TruthScenario stuffing = new TruthScenario("r1", "credential-stuffing", true, Set.of("cam-1"),
                Map.of("source-address", "198.18.0.1,198.18.0.2"), at(0), at(60), Set.of("CMP-AUTH-003"));
        assertThat(stuffing.concerns(new AlertView("x", "CMP-AUTH-003", null, "source-address", "198.18.0.2", at(5), null))).isTrue();
        assertThat(stuffing.concerns(new AlertView("y", "CMP-AUTH-003", null, "source-address", "198.18.0.1,198.18.0.2", at(5), null)))
                .isFalse();
        assertThat(stuffing.concerns(new AlertView("z", "CMP-AUTH-003", null, "source-address", "198.18.0", at(5), null))).isFalse();
    }

    @Test
    void anAlertAboutAClaimedIdentityConcernsTheScenarioWhoseDeviceWasClaimedAndOnlyAWholeId() {
        TruthScenario stuffing = new TruthScenario("r1", "credential-stuffing", true, Set.of("cam-1"),
                Map.of("source-address", "198.18.0.1,198.18.0.2"), at(0), at(60), Set.of("CMP-AUTH-003"));
        assertThat(stuffing.concerns(new AlertView("x", "CMP-AUTH-003", null, "claimed-identity", "cam-1", at(5), null))).isTrue();
        assertThat(stuffing.concerns(new AlertView("y", "CMP-AUTH-003", null, "claimed-identity", "cam-10", at(5), null))).isFalse();
        assertThat(stuffing.concerns(new AlertView("z", "CMP-AUTH-003", null, "claimed-identity", "cam-1,cam-2", at(5), null))).isFalse();
        assertThat(stuffing.concerns(new AlertView("w", "CMP-AUTH-003", null, "region", "cam-1", at(5), null))).isFalse();
    }

    @Test
    void aReplayGroundTruthIsScoredInEventTime() {
        GroundTruth t = GroundTruth.of(List.of(
                new io.fleetwarden.simulator.scenario.GroundTruthRecord("run-start", T0.toString(), "replay-1", 1L, 10, "acme",
                        null, null, null, null, null, null, null, null, "event-time"),
                new io.fleetwarden.simulator.scenario.GroundTruthRecord("run-end", at(3600).toString(), "replay-1", null, null, null,
                        null, null, null, null, null, null, null, null)));
        assertThat(t.timeBase()).isEqualTo("event-time");
        assertThat(new Scorecard(Duration.ofMinutes(5)).score(t, List.of()).timeBase()).isEqualTo("event-time");
    }

    @Test
    void anAlertJudgingClosedHoursCountsForTheScenarioWhoseHoursItJudged() {
        // botnet on cam-1 from 100 s to 400 s; an hourly horizon alerts at 1,000 s (after end + lateness) about facts
        // from 300 s: explained, time to detect from its openedAt; one whose facts began after the end stays false
        List<AlertView> alerts = new ArrayList<>();
        alerts.add(alert("a1", "net-listening-port", "cam-1", 130));
        alerts.add(new AlertView("a2", "net-traffic-spike", "cam-1", null, null, at(1000), null, at(300)));
        alerts.add(new AlertView("a3", "net-traffic-spike", "cam-1", null, null, at(2000), null, at(1400)));
        // a window claimed to start before the alert is the only kind used; one "after" openedAt is ignored
        alerts.add(new AlertView("a4", "flapping", "plug-2", null, null, at(300 + 301), null, at(5000)));

        ScorecardReport r = new Scorecard(Duration.ofMinutes(5)).score(truth(), alerts);

        ScorecardReport.ScenarioScore botnet = r.scenarios().get(0);
        assertThat(botnet.firedRules()).containsExactly("net-listening-port", "net-traffic-spike");
        assertThat(botnet.falseAlerts()).isZero();
        assertThat(r.scenarios().get(1).detected()).as("a4's window does not reach back before its openedAt").isFalse();
        assertThat(r.overall().falsePositives()).as("a3 judged facts after the scenario ended; a4 is late").isEqualTo(2);
    }
}
