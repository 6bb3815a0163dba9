package io.fleetwarden.dashboard.alert;

import java.time.Instant;
import java.util.Set;

/**
 * Filters of the alert list; {@code null} means "any". {@code from}/{@code to} bound
 * {@code openedAt} (from inclusive, to exclusive). {@code cohort} matches {@code dimension=value}
 * or just a value. {@code parentAlertId} selects the device alerts stream-jobs folded under a cohort
 * incident (their {@code parentAlertId} is the incident's alert id); {@code topLevel} keeps only alerts
 * without a parent (incidents and standalone alerts: the queue grouped by incident).
 */
public record AlertQuery(Set<String> tenants, String status, String severity, String ruleId, String deviceId,
                         String cohort, Instant from, Instant to, int offset, int limit, String parentAlertId,
                         boolean topLevel) {

    /** Without the top-level filter. */
    public AlertQuery(Set<String> tenants, String status, String severity, String ruleId, String deviceId,
                      String cohort, Instant from, Instant to, int offset, int limit, String parentAlertId) {
        this(tenants, status, severity, ruleId, deviceId, cohort, from, to, offset, limit, parentAlertId, false);
    }

    /** Without a parent filter. */
    public AlertQuery(Set<String> tenants, String status, String severity, String ruleId, String deviceId,
                      String cohort, Instant from, Instant to, int offset, int limit) {
        this(tenants, status, severity, ruleId, deviceId, cohort, from, to, offset, limit, null);
    }
}
