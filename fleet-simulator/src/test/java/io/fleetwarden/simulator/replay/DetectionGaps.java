package io.fleetwarden.simulator.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fleetwarden.simulator.score.AlertView;
import io.fleetwarden.simulator.score.GroundTruth;
import io.fleetwarden.simulator.score.Scorecard;
import io.fleetwarden.simulator.score.ScorecardReport;
import io.fleetwarden.simulator.score.TruthScenario;

/**
 * The gaps between what a replay did and what the job raised, as stable strings (scenario type and
 * rule, never counts or device ids, so the same behaviour gives the same string on every run):
 * {@code missed <scenario> <rule>}, {@code false <scenario(s) or unexplained> <rule>},
 * {@code slow <rule> <figure>}.
 */
final class DetectionGaps {

    /** Rules one event can fire: time to detect is the pipeline's own latency. */
    static final Set<String> EVENT_DRIVEN = Set.of("CMP-NET-001", "CMP-FW-001", "FW-DOWN-001", "FW-VER-001", "FW-ADV-001",
            "FW-CERT-001", "CMP-AUTH-003", "CMP-CERT-001");
    /** Rules judged against a learnt baseline (own, model peers, or learnt ports). */
    static final Set<String> BASELINE = Set.of("CMP-RATE-001", "CMP-RATE-002", "CMP-NET-002", "CMP-NET-003", "CMP-NET-004", "CMP-NET-005");

    private DetectionGaps() {
    }

    /** Gap → how many times it happened (for the report; the test compares the keys). */
    static Map<String, Integer> of(GroundTruth truth, List<AlertView> alerts, ScorecardReport report, Duration lateness) {
        Map<String, Integer> gaps = new TreeMap<>();
        for (ScorecardReport.ScenarioScore s : report.scenarios()) {
            if (!s.attack()) {
                continue;
            }
            for (String rule : s.expectedRules()) {
                if (!s.firedRules().contains(rule)) {
                    gaps.merge("missed " + s.scenario() + " " + rule, 1, Integer::sum);
                }
            }
        }
        List<TruthScenario> attacks = truth.scenarios().stream().filter(TruthScenario::attack).toList();
        Map<String, Integer> details = new TreeMap<>();
        for (AlertView a : distinct(alerts)) {
            if (explained(a, attacks, lateness) || Scorecard.afterRun(truth, a)) {
                continue; // the scorecard's rule: after the run's end, only an attack's late detection is scored
            }
            Set<String> context = new TreeSet<>();
            for (TruthScenario s : truth.scenarios()) {
                if (s.concerns(a) && inWindow(s, a, lateness)) {
                    context.add(s.type());
                }
            }
            // Offline alerts: which benign instance a device was in when the job's watermark passed its deadline
            // varies from run to run (watermark progress depends on how the job's splits interleave), so they are
            // one gap; the counts per context are printed.
            String key = a.ruleId().equals("RES-OFF-001") ? "false any RES-OFF-001"
                    : "false " + (context.isEmpty() ? "unexplained" : String.join("+", context)) + " " + a.ruleId();
            gaps.merge(key, 1, Integer::sum);
            if (a.ruleId().equals("RES-OFF-001")) {
                details.merge("  RES-OFF-001 during " + (context.isEmpty() ? "nothing planned" : String.join("+", context)), 1, Integer::sum);
            }
        }
        details.forEach((d, n) -> System.out.println(d + " (x" + n + ")"));
        for (ScorecardReport.RuleScore r : report.rules()) {
            if (EVENT_DRIVEN.contains(r.ruleId()) && r.medianSecondsToDetect() != null
                    && (r.medianSecondsToDetect() > 5 || r.p95SecondsToDetect() > 15)) {
                gaps.merge("slow " + r.ruleId() + " (event-driven: median > 5 s or p95 > 15 s)", 1, Integer::sum);
            }
            if (BASELINE.contains(r.ruleId()) && r.p95SecondsToDetect() != null && r.p95SecondsToDetect() > 3600) {
                gaps.merge("slow " + r.ruleId() + " (baseline: p95 > 1 h)", 1, Integer::sum);
            }
        }
        return gaps;
    }

    private static boolean explained(AlertView a, List<TruthScenario> attacks, Duration lateness) {
        for (TruthScenario s : attacks) {
            if (s.expectedRules().contains(a.ruleId()) && s.concerns(a) && inWindow(s, a, lateness)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inWindow(TruthScenario s, AlertView a, Duration lateness) {
        return Scorecard.inWindow(s, a, lateness);
    }

    /** One view per alert id (earliest revision), alerts folded into an incident in any revision dropped (as the scorecard does). */
    static List<AlertView> distinct(List<AlertView> alerts) {
        Map<String, AlertView> byId = new LinkedHashMap<>();
        Set<String> folded = new HashSet<>();
        for (AlertView a : alerts) {
            byId.merge(a.alertId(), a, (x, y) -> y.openedAt().isBefore(x.openedAt()) ? y : x);
            if (a.parentAlertId() != null) {
                folded.add(a.alertId());
            }
        }
        List<AlertView> out = new ArrayList<>();
        byId.values().stream().filter(a -> !folded.contains(a.alertId())).forEach(out::add);
        return out;
    }
}
