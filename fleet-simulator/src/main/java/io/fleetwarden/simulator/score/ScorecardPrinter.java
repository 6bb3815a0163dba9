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
        b.append("Detection scorecard, run ").append(report.runId()).append('\n');
        b.append(String.format(Locale.ROOT, "%-32s %-7s %-8s %9s %9s %8s %6s  %s%n",
                "scenario", "kind", "detected", "precision", "recall", "ttd(s)", "false", "rules fired / expected"));
        for (ScorecardReport.ScenarioScore s : report.scenarios()) {
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
        return b.toString();
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }
}
