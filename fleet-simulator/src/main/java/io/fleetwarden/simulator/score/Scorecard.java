package io.fleetwarden.simulator.score;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Scores alerts against ground truth. Plain arithmetic, no I/O.
 *
 * <p>An alert <em>matches</em> a scenario when it is about the scenario's subject (one of its
 * devices, or its cohort) and was opened between the scenario start and its end plus
 * {@code lateness} (detections need time; conditions such as stale firmware last to the end of the
 * run). It is <em>expected</em> when its rule id is one the scenario expects. Alerts folded into an
 * incident ({@code parentAlertId} set) are not counted on their own: the incident is the alert.
 * Several revisions of one alert id count once, opened at the earliest {@code openedAt}.
 */
public final class Scorecard {

    private final Duration lateness;

    /** @param lateness how long after a scenario's end an alert still counts for it */
    public Scorecard(Duration lateness) {
        this.lateness = lateness;
    }

    /** Scores {@code alerts} (any revisions, any order) against {@code truth}. */
    public ScorecardReport score(GroundTruth truth, Collection<AlertView> alerts) {
        List<TruthScenario> attacks = truth.scenarios().stream().filter(TruthScenario::attack).toList();
        List<AlertView> distinct = scored(truth, alerts, attacks);

        List<ScorecardReport.ScenarioScore> lines = new ArrayList<>();
        Map<String, List<Double>> ruleSeconds = new TreeMap<>();
        Map<String, int[]> ruleCounts = new TreeMap<>(); // [expected, fired]
        List<Double> detectSeconds = new ArrayList<>();
        int detected = 0;
        int expectedPairs = 0;
        int firedPairs = 0;
        for (TruthScenario s : truth.scenarios()) {
            TreeSet<String> fired = new TreeSet<>();
            Map<String, Instant> firstPerRule = new HashMap<>();
            Instant first = null;
            int expectedAlerts = 0;
            int falseAlerts = 0;
            for (AlertView a : distinct) {
                if (!inWindow(s, a) || !s.concerns(a)) {
                    continue;
                }
                if (s.attack() && s.expectedRules().contains(a.ruleId())) {
                    expectedAlerts++;
                    fired.add(a.ruleId());
                    first = first == null || a.openedAt().isBefore(first) ? a.openedAt() : first;
                    firstPerRule.merge(a.ruleId(), a.openedAt(), (x, y) -> y.isBefore(x) ? y : x);
                } else if (!explainedByAttack(a, attacks)) {
                    falseAlerts++;
                }
            }
            Double seconds = null;
            Boolean isDetected = null;
            Double recall = null;
            if (s.attack()) {
                isDetected = first != null;
                recall = ratio(fired.size(), s.expectedRules().size());
                expectedPairs += s.expectedRules().size();
                for (String rule : s.expectedRules()) {
                    int[] c = ruleCounts.computeIfAbsent(rule, k -> new int[2]);
                    c[0]++;
                    Instant at = firstPerRule.get(rule);
                    if (at != null) {
                        c[1]++;
                        ruleSeconds.computeIfAbsent(rule, k -> new ArrayList<>()).add(Duration.between(s.start(), at).toMillis() / 1000.0);
                    }
                }
                firedPairs += fired.size();
                if (first != null) {
                    detected++;
                    seconds = Duration.between(s.start(), first).toMillis() / 1000.0;
                    detectSeconds.add(seconds);
                }
            }
            lines.add(new ScorecardReport.ScenarioScore(s.id(), s.type(), s.attack(), s.devices().size(),
                    List.copyOf(new TreeSet<>(s.expectedRules())), List.copyOf(fired), isDetected,
                    s.attack() ? ratio(expectedAlerts, expectedAlerts + falseAlerts) : null, recall, seconds, falseAlerts));
        }

        int truePositives = 0;
        for (AlertView a : distinct) {
            if (explainedByAttack(a, attacks)) {
                truePositives++;
            }
        }
        int falsePositives = distinct.size() - truePositives;
        double benignHours = benignDeviceHours(truth, attacks);
        detectSeconds.sort(null);
        ScorecardReport.Overall overall = new ScorecardReport.Overall(distinct.size(), truePositives, falsePositives,
                ratio(truePositives, distinct.size()), attacks.size(), detected, ratio(detected, attacks.size()),
                ratio(firedPairs, expectedPairs), percentile(detectSeconds, 50), percentile(detectSeconds, 95),
                benignHours, benignHours > 0 ? falsePositives * 10_000.0 / benignHours : null);
        Map<String, Integer> falsePerRule = new TreeMap<>();
        for (AlertView a : distinct) {
            if (!explainedByAttack(a, attacks)) {
                falsePerRule.merge(a.ruleId(), 1, Integer::sum);
                ruleCounts.computeIfAbsent(a.ruleId(), k -> new int[2]);
            }
        }
        List<ScorecardReport.RuleScore> rules = new ArrayList<>();
        ruleCounts.forEach((rule, c) -> {
            List<Double> secs = ruleSeconds.getOrDefault(rule, new ArrayList<>());
            secs.sort(null);
            rules.add(new ScorecardReport.RuleScore(rule, c[0], c[1], ratio(c[1], c[0]), percentile(secs, 50), percentile(secs, 95),
                    falsePerRule.getOrDefault(rule, 0)));
        });
        return new ScorecardReport(truth.runId(), truth.timeBase(), lines, kinds(lines), rules, overall);
    }

    /**
     * The false positives {@link #score} counts: one view per alert id (folded children dropped) that no attack scenario
     * explains, in opening order. For a failure message that names them.
     */
    public List<AlertView> unexplained(GroundTruth truth, Collection<AlertView> alerts) {
        List<TruthScenario> attacks = truth.scenarios().stream().filter(TruthScenario::attack).toList();
        return scored(truth, alerts, attacks).stream().filter(a -> !explainedByAttack(a, attacks)).toList();
    }

    /**
     * The alerts scored: {@link #distinct} without those opened after the run's end that no attack explains. The ground
     * truth ends there: the fleet falls silent when a run ends, and the job rightly reports what follows (every device
     * past its offline deadline at once, a retired device's planned absence outlasting its maximum once event time jumps
     * to the last source's end), none of it a verdict on the run.
     */
    List<AlertView> scored(GroundTruth truth, Collection<AlertView> alerts, List<TruthScenario> attacks) {
        return distinct(alerts).stream()
                .filter(a -> !afterRun(truth, a) || explainedByAttack(a, attacks))
                .toList();
    }

    /** Whether {@code a} was opened after the end of the run {@code truth} describes. */
    public static boolean afterRun(GroundTruth truth, AlertView a) {
        return a.openedAt().isAfter(truth.runEnd());
    }

    /** Per scenario type: attacks first, then benign, each in order of first appearance. */
    private static List<ScorecardReport.KindScore> kinds(List<ScorecardReport.ScenarioScore> lines) {
        Map<String, List<ScorecardReport.ScenarioScore>> byType = new LinkedHashMap<>();
        lines.stream().filter(ScorecardReport.ScenarioScore::attack).forEach(l -> byType.computeIfAbsent(l.scenario(), k -> new ArrayList<>()).add(l));
        lines.stream().filter(l -> !l.attack()).forEach(l -> byType.computeIfAbsent(l.scenario(), k -> new ArrayList<>()).add(l));
        List<ScorecardReport.KindScore> out = new ArrayList<>();
        byType.forEach((type, ls) -> {
            boolean attack = ls.get(0).attack();
            int detected = 0;
            int expected = 0;
            int fired = 0;
            int falseAlerts = 0;
            List<Double> secs = new ArrayList<>();
            for (ScorecardReport.ScenarioScore l : ls) {
                falseAlerts += l.falseAlerts();
                if (attack) {
                    expected += l.expectedRules().size();
                    fired += l.firedRules().size();
                    if (Boolean.TRUE.equals(l.detected())) {
                        detected++;
                        secs.add(l.secondsToDetect());
                    }
                }
            }
            secs.sort(null);
            out.add(new ScorecardReport.KindScore(type, attack, ls.size(), attack ? detected : null,
                    attack ? ratio(detected, ls.size()) : null, attack ? ratio(fired, expected) : null, percentile(secs, 50), falseAlerts));
        });
        return out;
    }

    /**
     * Whether the alert belongs to the scenario's time: opened after it started, and opened before its end plus the
     * lateness, or (an alert judging a closed period, e.g. an hourly horizon) judging facts that began before then.
     * Time to detect stays {@code openedAt} minus the start.
     */
    private boolean inWindow(TruthScenario s, AlertView a) {
        return inWindow(s, a, lateness);
    }

    /** {@link #inWindow(TruthScenario, AlertView)} for a given lateness: the one window rule every scorer uses. */
    public static boolean inWindow(TruthScenario s, AlertView a, Duration lateness) {
        return !a.openedAt().isBefore(s.start()) && !a.factsFrom().isAfter(s.end().plus(lateness));
    }

    private boolean explainedByAttack(AlertView a, List<TruthScenario> attacks) {
        for (TruthScenario s : attacks) {
            if (s.expectedRules().contains(a.ruleId()) && s.concerns(a) && inWindow(s, a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One view per alert id (earliest openedAt), folded children dropped, in opening order. An alert
     * is folded when ANY of its revisions names a parent: the stream jobs open a device alert first
     * (revision 1, no parent) and fold it into the cohort incident in a later revision, so looking
     * at the earliest revision alone would count every folded member as a false alert.
     */
    static List<AlertView> distinct(Collection<AlertView> alerts) {
        Map<String, AlertView> byId = new LinkedHashMap<>();
        java.util.Set<String> folded = new java.util.HashSet<>();
        for (AlertView a : alerts) {
            byId.merge(a.alertId(), a, (x, y) -> y.openedAt().isBefore(x.openedAt()) ? y : x);
            if (a.parentAlertId() != null) {
                folded.add(a.alertId());
            }
        }
        List<AlertView> out = new ArrayList<>();
        for (AlertView a : byId.values()) {
            if (!folded.contains(a.alertId())) {
                out.add(a);
            }
        }
        out.sort(Comparator.comparing(AlertView::openedAt));
        return out;
    }

    /**
     * Device-hours of the run minus those spent inside attack scenarios (a device in an attack is
     * not producing benign traffic). Never negative.
     */
    static double benignDeviceHours(GroundTruth truth, List<TruthScenario> attacks) {
        double total = truth.fleetSize() * hours(truth.runStart(), truth.runEnd());
        for (TruthScenario s : attacks) {
            total -= s.devices().size() * hours(s.start(), s.end());
        }
        return Math.max(0, total);
    }

    private static double hours(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis()) / 3_600_000.0;
    }

    private static Double ratio(int num, int den) {
        return den == 0 ? null : (double) num / den;
    }

    /** Nearest-rank percentile of a sorted list; null when empty. */
    static Double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
