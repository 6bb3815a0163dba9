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
 */
public record AlertView(String alertId, String ruleId, String deviceId, String cohortDimension, String cohortValue,
                        Instant openedAt, String parentAlertId) {
}
