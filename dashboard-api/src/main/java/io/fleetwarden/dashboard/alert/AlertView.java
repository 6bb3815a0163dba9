package io.fleetwarden.dashboard.alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An alert as the API shows it: the job's record plus triage. {@code status} is the effective
 * status (see {@link AlertService#effectiveStatus}); {@code jobStatus} is what the stream job said.
 */
public record AlertView(String alertId, int revision, String ruleId, String ruleName, String severity,
                        String tenant, String deviceId, String cohortDimension, String cohortValue,
                        String status, String jobStatus, String triageState, String assignee,
                        String resolution, String summary, Map<String, String> evidence, List<Integer> guidelines,
                        String mitreTechnique, String parentAlertId, String jobResolution, Instant openedAt,
                        Instant updatedAt, Instant resolvedAt, List<HistoryEntry> history) {

    /**
     * One triage action: who did what, when, from the append-only audit chain ({@code seq}, its
     * {@code hash}); {@code detail} is null and {@code detailErased} true once erasure removed the text.
     */
    public record HistoryEntry(String action, String actor, Instant at, String detail, long seq, String hash,
                               boolean detailErased) {
    }
}
