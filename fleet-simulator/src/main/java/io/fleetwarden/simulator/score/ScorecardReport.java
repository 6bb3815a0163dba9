package io.fleetwarden.simulator.score;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The detection-quality report. Ratios are null when undefined (nothing to divide by).
 *
 * @param runId                        run scored
 * @param scenarios                    one line per scenario instance
 * @param overall                      totals
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScorecardReport(String runId, List<ScenarioScore> scenarios, Overall overall) {

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
