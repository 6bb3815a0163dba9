package io.fleetwarden.simulator.score;

import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Renders a {@link ScorecardReport} as a text table or as JSON. */
public final class ScorecardPrinter {

    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ScorecardPrinter() {
    }

    public static String json(ScorecardReport report) {
        try {
            return MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the scorecard as JSON", e);
        }
    }

    public static String text(ScorecardReport report) {
        StringBuilder b = new StringBuilder();
        b.append("Detection scorecard, run ").append(report.runId()).append(" (").append(report.timeBase()).append(")\n");
        b.append(String.format(Locale.ROOT, "%-32s %-7s %-8s %9s %9s %8s %6s  %s%n",
                "scenario", "kind", "detected", "precision", "recall", "ttd(s)", "false", "rules fired / expected"));
        boolean long_ = report.scenarios().size() > 100;
        for (ScorecardReport.ScenarioScore s : report.scenarios()) {
            if (long_ && !s.attack() && s.falseAlerts() == 0) {
                continue; // a replay has thousands of benign instances: list those that drew a false alert
            }
            b.append(String.format(Locale.ROOT, "%-32s %-7s %-8s %9s %9s %8s %6d  %s / %s%n",
                    s.scenarioId(), s.attack() ? "attack" : "benign",
                    s.detected() == null ? "-" : s.detected() ? "yes" : "NO",
                    fmt(s.precision()), fmt(s.recall()), fmt(s.secondsToDetect()), s.falseAlerts(),
                    s.firedRules(), s.expectedRules()));
        }
        ScorecardReport.Overall o = report.overall();
        b.append(String.format(Locale.ROOT, "%nalerts %d: true %d, false %d | precision %s | recall %s (%d/%d scenarios), rule recall %s%n",
                o.alerts(), o.truePositives(), o.falsePositives(), fmt(o.precision()), fmt(o.recall()),
                o.detectedScenarios(), o.attackScenarios(), fmt(o.ruleRecall())));
        b.append(String.format(Locale.ROOT, "time to detect: median %s s, p95 %s s | false alerts per 10,000 benign device-hours: %s (%.2f device-hours)%n",
                fmt(o.medianSecondsToDetect()), fmt(o.p95SecondsToDetect()), fmt(o.falseAlertsPer10kDeviceHours()),
                o.benignDeviceHours()));
        b.append(String.format(Locale.ROOT, "%n%-22s %9s %6s %8s %10s %10s %6s%n", "rule", "expected", "fired", "recall", "ttd p50", "ttd p95", "false"));
        for (ScorecardReport.RuleScore r : report.rules()) {
            b.append(String.format(Locale.ROOT, "%-22s %9d %6d %8s %10s %10s %6d%n", r.ruleId(), r.expected(), r.fired(), fmt(r.recall()),
                    fmt(r.medianSecondsToDetect()), fmt(r.p95SecondsToDetect()), r.falseAlerts()));
        }
        return b.toString();
    }

    /**
     * The README tables of a report (Markdown): overall figures, per scenario type, per rule. The README's
     * "Detection quality" section holds exactly this text for the committed scorecard JSON
     * ({@code ReadmeScorecardTest} fails when they disagree).
     */
    public static String markdown(ScorecardReport report) {
        ScorecardReport.Overall o = report.overall();
        StringBuilder b = new StringBuilder();
        b.append("Run `").append(report.runId()).append("`, times in ").append(report.timeBase()).append(".\n\n");
        b.append("| overall | value |\n| --- | --- |\n");
        b.append("| alerts scored (folded members excluded) | ").append(o.alerts()).append(" |\n");
        b.append("| precision (alerts explained by an attack) | ").append(fmt(o.precision()))
                .append(" (").append(o.truePositives()).append(" / ").append(o.alerts()).append(") |\n");
        b.append("| recall (attack instances detected) | ").append(fmt(o.recall()))
                .append(" (").append(o.detectedScenarios()).append(" / ").append(o.attackScenarios()).append(") |\n");
        b.append("| rule recall (expected rules fired) | ").append(fmt(o.ruleRecall())).append(" |\n");
        b.append("| time to detect, median / p95 | ").append(seconds(o.medianSecondsToDetect())).append(" / ")
                .append(seconds(o.p95SecondsToDetect())).append(" |\n");
        b.append("| false alerts per 10,000 benign device-hours | ").append(fmt(o.falseAlertsPer10kDeviceHours()))
                .append(" (").append(o.falsePositives()).append(" in ")
                .append(String.format(Locale.ROOT, "%,.0f", o.benignDeviceHours())).append(" device-hours) |\n\n");
        b.append("| scenario | kind | instances | detected | recall | rule recall | median time to detect | false alerts |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (ScorecardReport.KindScore k : report.kinds()) {
            b.append("| ").append(k.scenario()).append(" | ").append(k.attack() ? "attack" : "benign").append(" | ")
                    .append(k.instances()).append(" | ").append(k.detected() == null ? "–" : k.detected().toString()).append(" | ")
                    .append(fmt(k.recall())).append(" | ").append(fmt(k.ruleRecall())).append(" | ")
                    .append(seconds(k.medianSecondsToDetect())).append(" | ").append(k.falseAlerts()).append(" |\n");
        }
        b.append("\n| rule | expected | fired | recall | time to detect, median / p95 | false alerts |\n");
        b.append("| --- | --- | --- | --- | --- | --- |\n");
        for (ScorecardReport.RuleScore r : report.rules()) {
            b.append("| ").append(r.ruleId()).append(" | ").append(r.expected()).append(" | ").append(r.fired()).append(" | ")
                    .append(fmt(r.recall())).append(" | ").append(seconds(r.medianSecondsToDetect())).append(" / ")
                    .append(seconds(r.p95SecondsToDetect())).append(" | ").append(r.falseAlerts()).append(" |\n");
        }
        return b.toString();
    }

    private static String seconds(Double d) {
        return d == null ? "–" : String.format(Locale.ROOT, "%.1f s", d);
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }
}
