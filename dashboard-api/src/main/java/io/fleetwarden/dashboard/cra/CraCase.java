package io.fleetwarden.dashboard.cra;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One EU Cyber Resilience Act Article 14 reporting case: an actively exploited vulnerability (an
 * advisory marked exploited), the tenants it concerned when opened (affected devices, the first
 * evidence, the opener's grant), its three deadlines, the first evidence of exploitation, what was
 * submitted and when, the reminders raised and the full audit trail. Immutable; every change makes a
 * new case with one more audit entry.
 *
 * <p>Time: {@code awareAt} (when the manufacturer became aware of the exploitation) starts the
 * 24-hour early warning and the 72-hour notification; {@code fixAvailableAt} (when a corrective or
 * mitigating measure became available) starts the 14-day final report, which has no deadline until
 * then.
 */
public record CraCase(String caseId, String advisoryId, String model, String affectedVersions, String fixedVersion,
                      List<String> cveIds, String severity, Instant awareAt, Instant openedAt, String openedBy,
                      List<String> tenants,
                      FirstEvidence firstEvidence, Instant fixAvailableAt, Map<String, Submission> submissions,
                      Map<String, Instant> reminders, List<AuditEntry> audit) {

    public static final String EARLY_WARNING = "early-warning";
    public static final String NOTIFICATION = "notification";
    public static final String FINAL_REPORT = "final-report";
    public static final List<String> STAGES = List.of(EARLY_WARNING, NOTIFICATION, FINAL_REPORT);
    public static final Duration EARLY_WARNING_WITHIN = Duration.ofHours(24);
    public static final Duration NOTIFICATION_WITHIN = Duration.ofHours(72);
    public static final Duration FINAL_REPORT_AFTER_FIX = Duration.ofDays(14);

    /** Where the exploitation was first seen: an alert (with its tenant and device) or the person who marked it. */
    public record FirstEvidence(String kind, String alertId, String ruleId, String tenant, String deviceId, Instant at,
                                String detail) {
    }

    /** A stage submitted to the authority (CSIRT / ENISA platform), with the caller's reference. */
    public record Submission(Instant at, String by, String reference) {
    }

    /** One change of the case: who, when, what. */
    public record AuditEntry(Instant at, String actor, String action, String detail) {
    }

    public CraCase {
        cveIds = List.copyOf(cveIds);
        tenants = List.copyOf(tenants);
        submissions = Map.copyOf(submissions);
        reminders = Map.copyOf(reminders);
        audit = List.copyOf(audit);
    }

    /** The deadline of {@code stage}, or null (the final report before a fix is available). */
    public Instant deadline(String stage) {
        return switch (stage) {
            case EARLY_WARNING -> awareAt.plus(EARLY_WARNING_WITHIN);
            case NOTIFICATION -> awareAt.plus(NOTIFICATION_WITHIN);
            case FINAL_REPORT -> fixAvailableAt == null ? null : fixAvailableAt.plus(FINAL_REPORT_AFTER_FIX);
            default -> throw new IllegalArgumentException("unknown stage " + stage);
        };
    }

    CraCase with(AuditEntry entry, Instant fix, Map<String, Submission> subs, Map<String, Instant> rem) {
        List<AuditEntry> a = new ArrayList<>(audit);
        a.add(entry);
        return new CraCase(caseId, advisoryId, model, affectedVersions, fixedVersion, cveIds, severity, awareAt, openedAt,
                openedBy, tenants, firstEvidence, fix, subs, rem, a);
    }

    CraCase submitted(String stage, Submission s, AuditEntry entry) {
        Map<String, Submission> subs = new TreeMap<>(submissions);
        subs.put(stage, s);
        return with(entry, fixAvailableAt, subs, reminders);
    }

    CraCase reminded(String stage, Instant at, AuditEntry entry) {
        Map<String, Instant> rem = new TreeMap<>(reminders);
        rem.put(stage, at);
        return with(entry, fixAvailableAt, submissions, rem);
    }

    CraCase fixAvailable(Instant at, AuditEntry entry) {
        return with(entry, at, submissions, reminders);
    }
}
