package io.fleetwarden.dashboard.alert;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.fleetwarden.dashboard.audit.AuditEntry;
import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.audit.AuditStore;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.TriageAction;
import io.fleetwarden.model.TriageResolution;
import io.fleetwarden.model.TriageState;
import io.fleetwarden.model.codec.Codecs;

/**
 * Alert queries and triage. Triage actions publish the full triage state to the compacted
 * {@code fleet.alert-triage} topic (the current state) and append an entry to the alert's
 * hash-chained audit trail on the append-only {@code fleet.audit} topic (the history), both before
 * they are applied, so an acknowledged action survives an API restart and no later record can
 * overwrite the history.
 */
public final class AlertService {

    /** A page of alerts with the total number that matched. */
    public record Page(List<AlertView> items, int total, int offset, int limit) {
    }

    private final AlertStore store;
    private final RecordPublisher publisher;
    private final Clock clock;
    private final AuditLog audit;
    private final AuditStore auditStore;

    public AlertService(AlertStore store, RecordPublisher publisher, Clock clock, AuditLog audit, AuditStore auditStore) {
        this.audit = audit;
        this.auditStore = auditStore;
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
    }

    /**
     * The status the API shows. An analyst's resolve wins until a reopen; a job resolution wins
     * unless an analyst reopened the alert after the job resolved it.
     */
    public static String effectiveStatus(Alert a, AlertTriage t) {
        TriageState state = t == null ? TriageState.NEW : t.getState();
        if (state == TriageState.RESOLVED) {
            return "RESOLVED";
        }
        if (a.getStatus() == AlertStatus.RESOLVED) {
            Instant reopenedAt = lastReopen(t);
            Instant resolvedAt = a.getResolvedAt() != null ? a.getResolvedAt() : a.getUpdatedAt();
            if (reopenedAt == null || reopenedAt.isBefore(resolvedAt)) {
                return "RESOLVED";
            }
        }
        return state == TriageState.ACKNOWLEDGED ? "ACKNOWLEDGED" : "OPEN";
    }

    private static Instant lastReopen(AlertTriage t) {
        if (t == null) {
            return null;
        }
        Instant last = null;
        for (TriageAction h : t.getHistory()) {
            if ("reopen".equals(h.getAction())) {
                last = h.getAt();
            }
        }
        return last;
    }

    /**
     * Filters the raw alerts, keeps only the newest {@code offset + limit} matches in a bounded heap
     * (no sort of every match) and builds views only for the requested page: with 100,000 alerts,
     * sorting and building a view per match dominated the cost of the list.
     */
    public Page list(AlertQuery q) {
        int keep = (int) Math.min((long) q.offset() + q.limit(), Integer.MAX_VALUE);
        // a min-heap in page order: its head is the match that would be dropped first
        java.util.PriorityQueue<Alert> heap = new java.util.PriorityQueue<>(Math.min(keep, 1024) + 1,
                NEWEST_FIRST.reversed());
        int total = 0;
        String status = upper(q.status());
        String severity = upper(q.severity());
        for (Alert a : store.alerts()) {
            if (!q.tenants().isEmpty() && !q.tenants().contains(a.getTenant())) {
                continue;
            }
            if (severity != null && !a.getSeverity().name().equals(severity)) {
                continue;
            }
            if (q.ruleId() != null && !q.ruleId().equals(a.getRuleId())) {
                continue;
            }
            if (q.deviceId() != null && !q.deviceId().equals(a.getDeviceId())) {
                continue;
            }
            if (q.parentAlertId() != null && !q.parentAlertId().equals(a.getParentAlertId())) {
                continue;
            }
            if (q.cohort() != null && !cohortMatches(a, q.cohort())) {
                continue;
            }
            if (q.from() != null && a.getOpenedAt().isBefore(q.from())) {
                continue;
            }
            if (q.to() != null && !a.getOpenedAt().isBefore(q.to())) {
                continue;
            }
            if (status != null && !effectiveStatus(a, store.triage(a.getAlertId()).orElse(null)).equals(status)) {
                continue;
            }
            total++;
            if (heap.size() < keep) {
                heap.add(a);
            } else if (NEWEST_FIRST.compare(a, heap.peek()) < 0) {
                heap.poll();
                heap.add(a);
            }
        }
        List<Alert> top = new ArrayList<>(heap);
        top.sort(NEWEST_FIRST);
        int from = Math.min(q.offset(), top.size());
        List<AlertView> items = new ArrayList<>(top.size() - from);
        for (Alert a : top.subList(from, top.size())) {
            items.add(view(a, store.triage(a.getAlertId()).orElse(null), false));
        }
        return new Page(items, total, q.offset(), q.limit());
    }

    private static final Comparator<Alert> NEWEST_FIRST = Comparator.comparing(Alert::getOpenedAt).reversed()
            .thenComparing(Alert::getAlertId);

    private static boolean cohortMatches(Alert a, String cohort) {
        int eq = cohort.indexOf('=');
        if (eq > 0) {
            return cohort.substring(0, eq).equals(a.getCohortDimension())
                    && cohort.substring(eq + 1).equals(a.getCohortValue());
        }
        return cohort.equals(a.getCohortValue());
    }

    /** One alert with evidence and history, or 404 (also for other tenants' alerts). */
    public AlertView get(Principal p, String alertId) {
        Alert a = visible(p, alertId);
        return withHistory(a, store.triage(alertId).orElse(null));
    }

    /** The detail view: the history comes from the audit chain, with erased details marked. */
    private AlertView withHistory(Alert a, AlertTriage t) {
        AlertView v = view(a, t, true);
        List<AuditEntry> chain = auditStore.chain(AuditLog.alertChain(a.getAlertId()));
        if (chain.isEmpty()) {
            return v; // triage written before the audit trail existed: the triage record's history
        }
        List<AlertView.HistoryEntry> history = new ArrayList<>();
        for (AuditEntry e : chain) {
            String detail = e.detailDigest() == null ? null
                    : auditStore.detail(e.id()).map(d -> d.text()).orElse(null);
            history.add(new AlertView.HistoryEntry(e.action(), e.actor(), e.at(), detail, e.seq(), e.hash(),
                    e.detailDigest() != null && detail == null));
        }
        return new AlertView(v.alertId(), v.revision(), v.ruleId(), v.ruleName(), v.severity(), v.tenant(), v.deviceId(),
                v.cohortDimension(), v.cohortValue(), v.status(), v.jobStatus(), v.triageState(), v.assignee(),
                v.resolution(), v.summary(), v.evidence(), v.guidelines(), v.mitreTechnique(), v.parentAlertId(),
                v.jobResolution(), v.openedAt(), v.updatedAt(), v.resolvedAt(), history);
    }

    private Alert visible(Principal p, String alertId) {
        Alert a = store.alert(alertId).orElseThrow(() -> ApiException.notFound("alert " + alertId + " not found"));
        p.requireTenant(a.getTenant(), "alert " + alertId);
        return a;
    }

    public AlertView acknowledge(Principal p, String alertId) {
        return act(p, alertId, "acknowledge", null, (b, a) -> {
            if (b.getState() == TriageState.RESOLVED) {
                throw ApiException.conflict("alert is resolved; reopen it first");
            }
            b.setState(TriageState.ACKNOWLEDGED);
        });
    }

    public AlertView assign(Principal p, String alertId, String assignee) {
        return act(p, alertId, "assign", assignee, (b, a) -> {
            b.setAssignee(assignee);
        });
    }

    public AlertView comment(Principal p, String alertId, String text) {
        return act(p, alertId, "comment", text, (b, a) -> { });
    }

    public AlertView resolve(Principal p, String alertId, String resolution) {
        TriageResolution r = parseResolution(resolution);
        return act(p, alertId, "resolve", r.name(), (b, a) -> {
            if (b.getState() == TriageState.RESOLVED) {
                throw ApiException.conflict("alert is already resolved");
            }
            b.setState(TriageState.RESOLVED);
            b.setResolution(r);
        });
    }

    public AlertView reopen(Principal p, String alertId, String reason) {
        return act(p, alertId, "reopen", reason, (b, a) -> {
            if (!"RESOLVED".equals(effectiveStatus(a, store.triage(alertId).orElse(null)))) {
                throw ApiException.conflict("alert is not resolved");
            }
            b.setState(TriageState.NEW);
            b.setResolution(null);
        });
    }

    static TriageResolution parseResolution(String s) {
        if (s != null) {
            String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (TriageResolution r : TriageResolution.values()) {
                if (r.name().equals(n)) {
                    return r;
                }
            }
        }
        throw ApiException.badRequest("resolution must be true-positive, false-positive or duplicate");
    }

    private interface Change {
        void apply(AlertTriage.Builder b, Alert a);
    }

    /**
     * Serialised per service instance: two concurrent actions on one alert must not both build on
     * the same version (the second would drop the first's history entry).
     */
    private synchronized AlertView act(Principal p, String alertId, String action, String detail, Change change) {
        Alert a = visible(p, alertId);
        AlertTriage current = store.triage(alertId).orElse(null);
        Instant now = clock.instant();
        AlertTriage.Builder b = current == null
                ? AlertTriage.newBuilder().setAlertId(alertId).setTenant(a.getTenant()).setVersion(0)
                        .setState(TriageState.NEW).setAssignee(null).setResolution(null).setHistory(new ArrayList<>())
                : AlertTriage.newBuilder(current);
        change.apply(b, a);
        List<TriageAction> history = new ArrayList<>(b.getHistory());
        history.add(TriageAction.newBuilder().setAction(action).setActor(p.name()).setAt(now).setDetail(detail).build());
        AlertTriage next = b.setHistory(history).setVersion(b.getVersion() + 1).setUpdatedAt(now).build();
        publisher.publish(Topics.ALERT_TRIAGE, alertId, Codecs.ALERT_TRIAGE.encode(next));
        store.applyTriage(next);
        audit.append(AuditLog.alertChain(alertId), a.getTenant(), action, p.name(), detail);
        return withHistory(a, next);
    }

    /** The list form of an alert (no evidence, no history). */
    public static AlertView toView(Alert a, AlertTriage t) {
        return view(a, t, false);
    }

    static AlertView view(Alert a, AlertTriage t, boolean withHistory) {
        List<AlertView.HistoryEntry> history = new ArrayList<>();
        if (withHistory && t != null) {
            for (TriageAction h : t.getHistory()) {
                history.add(new AlertView.HistoryEntry(h.getAction(), h.getActor(), h.getAt(),
                        h.getDetail(), 0, null, false));
            }
        }
        return new AlertView(a.getAlertId(), a.getRevision(), a.getRuleId(), a.getRuleName(), a.getSeverity().name(),
                a.getTenant(), a.getDeviceId(), a.getCohortDimension(), a.getCohortValue(), effectiveStatus(a, t),
                a.getStatus().name(), t == null ? TriageState.NEW.name() : t.getState().name(),
                t == null ? null : t.getAssignee(),
                t == null || t.getResolution() == null ? null : t.getResolution().name(), a.getSummary(),
                withHistory ? a.getEvidence() : null, a.getGuidelines(), a.getMitreTechnique(), a.getParentAlertId(),
                a.getResolution(), a.getOpenedAt(), a.getUpdatedAt(), a.getResolvedAt(),
                withHistory ? history : null);
    }

    private static String upper(String s) {
        return s == null || s.isBlank() ? null : s.trim().toUpperCase(Locale.ROOT);
    }

    /** Tenants a principal may list: the requested one (checked) or all of theirs. */
    public static Set<String> scope(Principal p, String requestedTenant) {
        if (requestedTenant != null && !requestedTenant.isBlank()) {
            if (!p.canSee(requestedTenant)) {
                throw ApiException.forbidden("no grant for tenant " + requestedTenant);
            }
            return Set.of(requestedTenant);
        }
        return p.platformWide() ? Set.of() : p.tenants();
    }
}
