package io.fleetwarden.simulator.score;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The detection-quality report. Ratios are null when undefined (nothing to divide by).
 *
 * @param runId                        run scored
 * @param timeBase                     clock of every time compared: {@code wall-time} (live run: ground truth written
 *                                     as things happened) or {@code event-time} (replay: simulated broker time against
 *                                     the alerts' event-time {@code openedAt})
 * @param scenarios                    one line per scenario instance
 * @param kinds                        one line per scenario type (attacks first)
 * @param rules                        one line per expected rule (recall, time to detect) and per rule that only raised false alerts
 * @param overall                      totals
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScorecardReport(String runId, String timeBase, List<ScenarioScore> scenarios, List<KindScore> kinds,
                              List<RuleScore> rules, Overall overall) {

    /**
     * Totals of one scenario type.
     *
     * @param scenario              scenario type
     * @param attack                whether it had to alert
     * @param instances             instances played
     * @param detected              attack instances with an expected alert
     * @param recall                detected / instances (attacks)
     * @param ruleRecall            fired / expected (instance, rule) pairs (attacks)
     * @param medianSecondsToDetect median time to the first expected alert over detected instances
     * @param falseAlerts           alerts about the instances' subjects in their windows that no attack explains
     */
    public record KindScore(String scenario, boolean attack, int instances, Integer detected, Double recall, Double ruleRecall,
                            Double medianSecondsToDetect, int falseAlerts) {
    }

    /**
     * Totals of one rule.
     *
     * @param ruleId                rule
     * @param expected              attack instances that expected it
     * @param fired                 of those, instances where it fired in the window
     * @param recall                fired / expected (null when nothing expected it)
     * @param medianSecondsToDetect median of scenario start to this rule's first alert, over fired instances
     * @param p95SecondsToDetect    95th percentile (nearest rank) of the same
     * @param falseAlerts           distinct alerts of this rule that no attack explains
     */
    public record RuleScore(String ruleId, int expected, int fired, Double recall, Double medianSecondsToDetect,
                            Double p95SecondsToDetect, int falseAlerts) {
    }

    /**
     * Score of one scenario instance.
     *
     * @param scenarioId        instance id
     * @param scenario          scenario type
     * @param attack            whether it had to alert
     * @param devices           devices involved
     * @param expectedRules     rules that had to fire, sorted
     * @param firedRules        expected rules that fired, sorted
     * @param detected          at least one expected rule fired (attacks); null for benign
     * @param precision         expected alerts / all alerts about the scenario's subject in its window
     * @param recall            fired / expected rules (attacks)
     * @param secondsToDetect   scenario start to first expected alert
     * @param falseAlerts       alerts about the subject in the window that no attack explains
     */
    public record ScenarioScore(String scenarioId, String scenario, boolean attack, int devices,
                                List<String> expectedRules, List<String> firedRules, Boolean detected,
                                Double precision, Double recall, Double secondsToDetect, int falseAlerts) {
    }

    /**
     * Totals over the run.
     *
     * @param alerts                        distinct alerts scored (folded child alerts excluded)
     * @param truePositives                 alerts explained by an attack scenario
     * @param falsePositives                alerts no attack explains
     * @param precision                     true positives / alerts
     * @param attackScenarios               attack instances
     * @param detectedScenarios             attack instances with an expected alert
     * @param recall                        detected / attack instances
     * @param ruleRecall                    fired / expected (instance, rule) pairs
     * @param medianSecondsToDetect         median time to first expected alert over detected instances
     * @param p95SecondsToDetect            95th percentile (nearest rank) of the same
     * @param benignDeviceHours             device-hours outside attack scenarios
     * @param falseAlertsPer10kDeviceHours  false positives per 10,000 benign device-hours
     */
    public record Overall(int alerts, int truePositives, int falsePositives, Double precision,
                          int attackScenarios, int detectedScenarios, Double recall, Double ruleRecall,
                          Double medianSecondsToDetect, Double p95SecondsToDetect,
                          double benignDeviceHours, Double falseAlertsPer10kDeviceHours) {
    }
}
