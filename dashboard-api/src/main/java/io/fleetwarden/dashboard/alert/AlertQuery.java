package io.fleetwarden.dashboard.alert;

import java.time.Instant;
import java.util.Set;

/**
 * Filters of the alert list; {@code null} means "any". {@code from}/{@code to} bound
 * {@code openedAt} (from inclusive, to exclusive). {@code cohort} matches {@code dimension=value}
 * or just a value.
 */
public record AlertQuery(Set<String> tenants, String status, String severity, String ruleId, String deviceId,
                         String cohort, Instant from, Instant to, int offset, int limit) {
}
