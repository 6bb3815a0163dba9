package io.fleetwarden.simulator.score;

import java.time.Instant;

/**
 * What the scorecard needs of an alert (first revision of one alert id).
 *
 * @param alertId         alert id
 * @param ruleId          rule that fired
 * @param deviceId        device the alert is about, or null for a cohort alert
 * @param cohortDimension model, region or broker for cohort alerts, else null
 * @param cohortValue     the cohort's value, else null
 * @param openedAt        when the alert was opened
 * @param parentAlertId   incident the alert is folded into, or null
 * @param evidenceFrom    start of the event-time window the alert judged when it is earlier than {@code openedAt}
 *                        (evidence {@value #EVIDENCE_FROM}, e.g. an hourly horizon alerted at the close of the hours
 *                        it judged), else null
 */
public record AlertView(String alertId, String ruleId, String deviceId, String cohortDimension, String cohortValue,
                        Instant openedAt, String parentAlertId, Instant evidenceFrom) {

    /** Evidence key of the start of the judged window (epoch milliseconds), set by rules that judge closed periods. */
    public static final String EVIDENCE_FROM = "evidenceFrom";

    public AlertView(String alertId, String ruleId, String deviceId, String cohortDimension, String cohortValue,
                     Instant openedAt, String parentAlertId) {
        this(alertId, ruleId, deviceId, cohortDimension, cohortValue, openedAt, parentAlertId, null);
    }

    /** When the facts the alert judged began: {@link #evidenceFrom} when earlier than {@link #openedAt}, else openedAt. */
    public Instant factsFrom() {
        return evidenceFrom != null && evidenceFrom.isBefore(openedAt) ? evidenceFrom : openedAt;
    }
}
