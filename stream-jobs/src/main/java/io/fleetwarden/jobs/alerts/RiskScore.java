package io.fleetwarden.jobs.alerts;

import java.util.Collection;

import io.fleetwarden.model.Severity;

/**
 * A device's risk score, 0 (no open alerts) to 100, from the severities of its open alerts:
 * CRITICAL 40, HIGH 25, MEDIUM 10, LOW 5, INFO 1, summed and capped. One critical finding makes a
 * device stand out; three highs put it near the top; a pile of low findings never outranks a
 * critical one by much.
 */
public final class RiskScore {

    private RiskScore() {
    }

    public static int weight(Severity s) {
        return switch (s) {
            case CRITICAL -> 40;
            case HIGH -> 25;
            case MEDIUM -> 10;
            case LOW -> 5;
            case INFO -> 1;
        };
    }

    public static int of(Collection<Severity> openAlertSeverities) {
        int sum = 0;
        for (Severity s : openAlertSeverities) {
            sum += weight(s);
        }
        return Math.min(100, sum);
    }
}
