package io.fleetwarden.jobs.alerts;

import java.util.ArrayList;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeMap;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.rules.Rule;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.Severity;

/**
 * Turns findings into alert revisions, one open alert per subject and rule: the first OPEN creates
 * the alert (revision 1, deterministic id), later OPENs with different evidence add revisions, an
 * unchanged OPEN is swallowed, CLEAR resolves it ({@code resolution = condition-cleared}), FOLD
 * attaches it to an incident (remembered for a while if the alert is not open yet).
 */
public final class AlertLifecycle {

    /** How long a fold waits for the subject's alert to open. */
    private final long pendingParentMs;

    /** How long (event time) a resolved alert of a folded rule is kept for a fold that is still on its way. */
    private final long keepResolvedMs;

    public AlertLifecycle(long pendingParentMs) {
        this(pendingParentMs, 0);
    }

    public AlertLifecycle(long pendingParentMs, long keepResolvedMs) {
        this.pendingParentMs = pendingParentMs;
        this.keepResolvedMs = keepResolvedMs;
    }

    /** Rules whose alerts incidents fold (cohort members' offline alerts). */
    public static boolean folded(String ruleId) {
        return RuleCatalogue.DEVICE_OFFLINE.id().equals(ruleId);
    }

    /** The next revision caused by {@code f}, or empty when nothing changed. {@code s} is updated. */
    public Optional<Alert> apply(AlertState s, Finding f) {
        Rule rule = RuleCatalogue.require(f.ruleId);
        switch (f.action) {
            case OPEN -> {
                Severity severity = f.severity != null ? f.severity : rule.severity();
                if (!s.open) {
                    s.open = true;
                    s.alertId = AlertIds.of(f.alertKey(), f.timestamp);
                    s.revision = 1;
                    s.openedAt = f.timestamp;
                    s.updatedAt = f.timestamp;
                    s.severity = severity;
                    s.summary = f.summary;
                    s.evidence = new TreeMap<>(f.evidence);
                    s.parentAlertId = null;
                    s.keepResolvedUntil = 0;
                    s.resolution = null;
                    if (s.pendingParent != null && f.timestamp - s.pendingParentAt <= pendingParentMs) {
                        s.parentAlertId = s.pendingParent;
                    }
                    s.pendingParent = null;
                    return Optional.of(build(s, rule, f, AlertStatus.OPEN, null));
                }
                if (s.evidence.equals(f.evidence) && s.severity == severity) {
                    return Optional.empty();
                }
                s.revision++;
                s.updatedAt = Math.max(s.updatedAt, f.timestamp);
                // A detector that learns its condition held earlier (events read out of order, e.g. a campaign's
                // attempts from addresses on several partitions) dates the revision there: the alert was open since.
                s.openedAt = Math.min(s.openedAt, f.timestamp);
                s.severity = severity;
                s.summary = f.summary;
                s.evidence = new TreeMap<>(f.evidence);
                return Optional.of(build(s, rule, f, AlertStatus.OPEN, null));
            }
            case CLEAR -> {
                if (!s.open) {
                    return Optional.empty();
                }
                s.open = false;
                s.revision++;
                s.updatedAt = Math.max(s.updatedAt, f.timestamp);
                TreeMap<String, String> ev = new TreeMap<>(s.evidence);
                f.evidence.forEach((k, v) -> ev.put("resolved." + k, v));
                s.evidence = ev;
                s.resolution = "condition-cleared: " + f.summary;
                Alert a = build(s, rule, f, AlertStatus.RESOLVED, s.resolution);
                if (keepResolvedMs > 0 && folded(rule.id())) {
                    s.keepResolvedUntil = s.updatedAt + keepResolvedMs;
                } else {
                    forgetResolved(s);
                }
                return Optional.of(a);
            }
            case FOLD -> {
                if (!s.open && s.alertId != null && f.timestamp <= s.updatedAt) {
                    // The incident claims a time when this (since resolved) alert was open: its fold arrived after the
                    // member came back (different paths to this stage). Attach the resolved alert in a new revision.
                    if (f.parentAlertId == null || f.parentAlertId.equals(s.parentAlertId)) {
                        return Optional.empty();
                    }
                    s.parentAlertId = f.parentAlertId;
                    s.revision++;
                    return Optional.of(build(s, rule, f, AlertStatus.RESOLVED, s.resolution));
                }
                if (!s.open) {
                    s.pendingParent = f.parentAlertId;
                    s.pendingParentAt = f.timestamp;
                    return Optional.empty();
                }
                if (f.parentAlertId == null || f.parentAlertId.equals(s.parentAlertId)) {
                    return Optional.empty();
                }
                s.parentAlertId = f.parentAlertId;
                s.revision++;
                s.updatedAt = Math.max(s.updatedAt, f.timestamp);
                return Optional.of(build(s, rule, f, AlertStatus.OPEN, null));
            }
            default -> throw new IllegalArgumentException("unknown action " + f.action);
        }
    }

    /** Drops a pending parent that waited too long and a kept resolved alert whose time is up. */
    public void expire(AlertState s, long now) {
        if (s.pendingParent != null && now - s.pendingParentAt > pendingParentMs) {
            s.pendingParent = null;
        }
        if (!s.open && s.alertId != null && now >= s.keepResolvedUntil) {
            forgetResolved(s);
        }
    }

    private static void forgetResolved(AlertState s) {
        s.evidence = new TreeMap<>();
        s.alertId = null;
        s.parentAlertId = null;
        s.resolution = null;
        s.keepResolvedUntil = 0;
    }

    private static Alert build(AlertState s, Rule rule, Finding f, AlertStatus status, String resolution) {
        return Alert.newBuilder()
                .setAlertId(s.alertId)
                .setRevision(s.revision)
                .setRuleId(rule.id())
                .setRuleName(rule.name())
                .setSeverity(s.severity)
                .setTenant(f.tenant)
                .setDeviceId(f.deviceId)
                .setCohortDimension(f.cohortDimension)
                .setCohortValue(f.cohortValue)
                .setStatus(status)
                .setSummary(s.summary == null ? rule.name() : s.summary)
                .setEvidence(new TreeMap<>(s.evidence))
                .setGuidelines(new ArrayList<>(rule.guidelines()))
                .setMitreTechnique(rule.mitreTechnique())
                .setParentAlertId(s.parentAlertId)
                .setResolution(resolution)
                .setOpenedAt(Instant.ofEpochMilli(s.openedAt))
                .setUpdatedAt(Instant.ofEpochMilli(s.updatedAt))
                .setResolvedAt(status == AlertStatus.RESOLVED ? Instant.ofEpochMilli(s.updatedAt) : null)
                .build();
    }
}
