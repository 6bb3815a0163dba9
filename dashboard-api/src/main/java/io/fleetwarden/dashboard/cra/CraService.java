package io.fleetwarden.dashboard.cra;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.cra.CraCase.AuditEntry;
import io.fleetwarden.dashboard.cra.CraCase.FirstEvidence;
import io.fleetwarden.dashboard.cra.CraCase.Submission;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.dashboard.posture.PostureService;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;

/**
 * EU Cyber Resilience Act Article 14 reporting cases (in force from 11 September 2026): an
 * advisory marked actively exploited opens a case with three deadlines (early warning 24 h and
 * notification 72 h after awareness, final report 14 days after a fix is available), pre-filled
 * from the fleet (affected models, versions, devices per tenant, first evidence of exploitation,
 * mitigation status). Drafts are exported as JSON; reminders are raised before each deadline
 * passes; every change is audited with who and when.
 *
 * <p>Time comes from the injected clock. Tenancy: a tenant sees a case only when it concerned the
 * tenant when opened or affects its devices now, and sees only its own devices, counts and tenant
 * name in it.
 */
public final class CraService {

    /** How long before each deadline its reminder is raised. */
    public static final Map<String, Duration> REMIND_BEFORE = Map.of(CraCase.EARLY_WARNING, Duration.ofHours(6),
            CraCase.NOTIFICATION, Duration.ofHours(12), CraCase.FINAL_REPORT, Duration.ofDays(3));
    static final Pattern CVE = Pattern.compile("CVE-\\d{4}-\\d{4,7}");
    /** How far back an awareness time may be given (older claims are a typo or an attempt to hide a late report). */
    static final Duration MAX_AWARENESS_AGE = Duration.ofDays(365);

    /** An affected device as the case shows it. */
    public record AffectedDevice(String tenant, String deviceId, String version, boolean quarantined) {
    }

    /** One deadline of a case. */
    public record Deadline(String stage, Instant due, Instant remindFrom, Submission submitted, Instant reminderRaisedAt,
                           boolean overdue) {
    }

    /** A case with its live, caller-scoped facts. */
    public record CaseView(CraCase caseRecord, List<Deadline> deadlines, Map<String, Integer> devicesPerTenant,
                           Map<String, Integer> devicesPerVersion, Map<String, Object> mitigation) {
    }

    /** A raised reminder. */
    public record Reminder(String caseId, String advisoryId, String stage, Instant due, Instant raisedAt) {
    }

    /** An open alert whose evidence names a CVE of an advisory not yet marked exploited. */
    public record Proposal(String advisoryId, String cve, String alertId, String ruleId, String tenant, String deviceId,
                           Instant openedAt) {
    }

    private final CraCaseStore store;
    private final CatalogStore catalog;
    private final AlertStore alerts;
    private final PostureService posture;
    private final Clock clock;

    private final CraAlerts deadlineAlerts;

    /** Cases whose reminders are only listed (no alerts on {@code fleet.alerts}). */
    public CraService(CraCaseStore store, CatalogStore catalog, AlertStore alerts, PostureService posture, Clock clock) {
        this(store, catalog, alerts, posture, clock, null);
    }

    /** Cases whose reminders are also raised as alerts by {@code deadlineAlerts} (null: none). */
    public CraService(CraCaseStore store, CatalogStore catalog, AlertStore alerts, PostureService posture, Clock clock,
                      CraAlerts deadlineAlerts) {
        this.store = store;
        this.catalog = catalog;
        this.alerts = alerts;
        this.posture = posture;
        this.clock = clock;
        this.deadlineAlerts = deadlineAlerts;
    }

    /** Publishes the deadline alert revisions the cases call for now (see {@link CraAlerts}). */
    public List<Alert> syncDeadlineAlerts() {
        return deadlineAlerts == null ? List.of() : deadlineAlerts.sync(clock.instant());
    }

    static String caseId(String advisoryId) {
        return "CRA-" + advisoryId;
    }

    /** Marks an advisory actively exploited and opens its case; 409 when the case exists. */
    public CraCase markExploited(Principal p, String advisoryId, Instant awareAt, String alertId, String note) {
        Advisory a = catalog.advisory(advisoryId).filter(x -> !x.getWithdrawn())
                .orElseThrow(() -> ApiException.notFound("advisory " + advisoryId + " not found"));
        Instant now = clock.instant();
        Instant aware = awareAt == null ? now : awareAt;
        if (aware.isAfter(now.plusSeconds(60))) {
            throw ApiException.badRequest("awareAt must not be in the future");
        }
        if (aware.isBefore(now.minus(MAX_AWARENESS_AGE))) {
            throw ApiException.badRequest("awareAt must be within the last 365 days");
        }
        FirstEvidence first;
        if (alertId != null) {
            Alert al = alerts.alert(alertId).filter(x -> p.canSee(x.getTenant()))
                    .orElseThrow(() -> ApiException.notFound("alert " + alertId + " not found"));
            first = new FirstEvidence("alert", al.getAlertId(), al.getRuleId(), al.getTenant(), al.getDeviceId(),
                    al.getOpenedAt(), al.getSummary());
        } else {
            first = earliestMatchingAlert(a);
            if (first == null) {
                first = new FirstEvidence("marked", null, null, null, null, aware,
                        "marked actively exploited by " + p.name() + (note == null ? "" : ": " + note));
            }
        }
        java.util.TreeSet<String> tenants = new java.util.TreeSet<>(p.tenants());
        if (first.tenant() != null) {
            tenants.add(first.tenant());
        }
        Principal everyone = new Principal("platform", p.role(), Set.of(), true);
        CraCase probe = new CraCase(caseId(advisoryId), advisoryId, a.getModel(), a.getAffectedVersions(),
                a.getFixedVersion(), a.getCveIds(), a.getSeverity().name(), aware, now, p.name(), List.of(), first, null,
                Map.of(), Map.of(), List.of());
        for (AffectedDevice d : affected(everyone, probe)) {
            tenants.add(d.tenant());
        }
        CraCase c = new CraCase(caseId(advisoryId), advisoryId, a.getModel(), a.getAffectedVersions(), a.getFixedVersion(),
                a.getCveIds(), a.getSeverity().name(), aware, now, p.name(), List.copyOf(tenants), first, null, Map.of(), Map.of(),
                List.of(new AuditEntry(now, p.name(), "opened", "advisory " + advisoryId + " marked actively exploited"
                        + "; aware at " + aware + (note == null ? "" : "; " + note))));
        if (!store.putNew(c)) {
            throw ApiException.conflict("advisory " + advisoryId + " already has case " + c.caseId());
        }
        return c;
    }

    private FirstEvidence earliestMatchingAlert(Advisory a) {
        Alert best = null;
        for (Alert al : alerts.alerts()) {
            if (!"FW-ADV-001".equals(al.getRuleId()) && mentions(al, a) != null
                    && (best == null || al.getOpenedAt().isBefore(best.getOpenedAt()))) {
                best = al;
            }
        }
        return best == null ? null : new FirstEvidence("alert", best.getAlertId(), best.getRuleId(), best.getTenant(),
                best.getDeviceId(), best.getOpenedAt(), best.getSummary());
    }

    /** The CVE of {@code a} that alert {@code al} names in its summary or evidence, or null. */
    private static String mentions(Alert al, Advisory a) {
        List<String> texts = new ArrayList<>(al.getEvidence().values());
        texts.add(al.getSummary());
        for (String t : texts) {
            if (t == null) {
                continue;
            }
            Matcher m = CVE.matcher(t);
            while (m.find()) {
                if (a.getCveIds().contains(m.group())) {
                    return m.group();
                }
            }
        }
        return null;
    }

    /** Records that a corrective or mitigating measure is available: the final report's 14 days start. */
    public CraCase fixAvailable(Principal p, String caseId, Instant at, String note) {
        synchronized (store) {
            CraCase c = visibleCase(p, caseId);
            Instant now = clock.instant();
            Instant when = at == null ? now : at;
            if (when.isAfter(now.plusSeconds(60)) || when.isBefore(c.awareAt().minus(MAX_AWARENESS_AGE))) {
                throw ApiException.badRequest("availableAt must not be in the future or long before the case");
            }
            CraCase n = c.fixAvailable(when, new AuditEntry(now, p.name(), "fix-available",
                    "corrective measure available at " + when + (note == null ? "" : "; " + note)));
            store.put(n);
            return n;
        }
    }

    /** Records that {@code stage} was submitted (with the authority's reference). */
    public CraCase submit(Principal p, String caseId, String stage, String reference) {
        if (!CraCase.STAGES.contains(stage)) {
            throw ApiException.badRequest("stage must be one of " + CraCase.STAGES);
        }
        synchronized (store) {
            CraCase c = visibleCase(p, caseId);
            if (c.submissions().containsKey(stage)) {
                throw ApiException.conflict(stage + " was already submitted");
            }
            if (stage.equals(CraCase.FINAL_REPORT) && c.fixAvailableAt() == null) {
                throw ApiException.conflict("the final report follows an available fix; record the fix first");
            }
            Instant now = clock.instant();
            CraCase n = c.submitted(stage, new Submission(now, p.name(), reference), new AuditEntry(now, p.name(),
                    "submitted", stage + " submitted, reference " + reference));
            store.put(n);
            syncDeadlineAlerts(); // the stage's alert resolves now, not at the next check
            return n;
        }
    }

    /**
     * Raises the reminders now due (each stage once, only while it is not submitted), then publishes the
     * deadline alerts they call for (opened, escalated close to the deadline, resolved on submission).
     */
    public List<Reminder> checkDeadlines() {
        Instant now = clock.instant();
        List<Reminder> raised = new ArrayList<>();
        synchronized (store) {
            for (CraCase c : store.list()) {
                CraCase n = c;
                for (String stage : CraCase.STAGES) {
                    Instant due = n.deadline(stage);
                    if (due == null || n.submissions().containsKey(stage) || n.reminders().containsKey(stage)) {
                        continue;
                    }
                    if (!now.isBefore(due.minus(REMIND_BEFORE.get(stage)))) {
                        String when = now.isBefore(due) ? "due in " + Duration.between(now, due).toMinutes() + " min"
                                : "overdue since " + due;
                        n = n.reminded(stage, now, new AuditEntry(now, "platform", "reminder", stage + " " + when));
                        raised.add(new Reminder(c.caseId(), c.advisoryId(), stage, due, now));
                    }
                }
                if (n != c) {
                    store.put(n);
                }
            }
            syncDeadlineAlerts();
        }
        return raised;
    }

    /** Raised reminders of the caller's visible cases whose stage is still not submitted. */
    public List<Reminder> reminders(Principal p) {
        List<Reminder> out = new ArrayList<>();
        for (CraCase c : visibleCases(p)) {
            for (Map.Entry<String, Instant> r : c.reminders().entrySet()) {
                if (!c.submissions().containsKey(r.getKey())) {
                    out.add(new Reminder(c.caseId(), c.advisoryId(), r.getKey(), c.deadline(r.getKey()), r.getValue()));
                }
            }
        }
        return out;
    }

    /** The devices of the caller's tenants that run an affected version of the case's model. */
    List<AffectedDevice> affected(Principal p, CraCase c) {
        Advisory a = catalog.advisory(c.advisoryId()).orElse(null);
        List<AffectedDevice> out = new ArrayList<>();
        if (a == null) {
            return out;
        }
        for (String key : posture.deviceKeys(p.platformWide() ? Set.of() : p.tenants())) {
            String[] tk = DeviceKeys.parse(key);
            if (!c.model().equals(posture.modelOf(tk[0], tk[1]))) {
                continue;
            }
            String v = posture.versionOf(tk[0], tk[1]);
            if (PostureService.affects(a, v)) {
                out.add(new AffectedDevice(tk[0], tk[1], v, posture.quarantined(tk[0], tk[1])));
            }
        }
        return out;
    }

    private List<CraCase> visibleCases(Principal p) {
        List<CraCase> out = new ArrayList<>();
        for (CraCase c : store.list()) {
            if (visible(p, c)) {
                out.add(c);
            }
        }
        return out;
    }

    private boolean visible(Principal p, CraCase c) {
        return p.platformWide() || c.tenants().stream().anyMatch(p::canSee) || !affected(p, c).isEmpty();
    }

    private CraCase visibleCase(Principal p, String caseId) {
        return store.get(caseId).filter(c -> visible(p, c))
                .orElseThrow(() -> ApiException.notFound("case " + caseId + " not found"));
    }

    /** Hides a first evidence from another tenant. */
    private static CraCase scoped(Principal p, CraCase c) {
        if (p.platformWide()) {
            return c;
        }
        FirstEvidence f = c.firstEvidence();
        if (f.tenant() != null && !p.canSee(f.tenant())) {
            f = new FirstEvidence(f.kind(), null, f.ruleId(), null, null, f.at(), "seen on another tenant's device");
        }
        return new CraCase(c.caseId(), c.advisoryId(), c.model(), c.affectedVersions(), c.fixedVersion(), c.cveIds(),
                c.severity(), c.awareAt(), c.openedAt(), c.openedBy(), c.tenants().stream().filter(p::canSee).toList(), f,
                c.fixAvailableAt(), c.submissions(), c.reminders(), c.audit());
    }

    public CaseView view(Principal p, String caseId) {
        return view(p, visibleCase(p, caseId));
    }

    public List<CaseView> cases(Principal p) {
        return visibleCases(p).stream().map(c -> view(p, c)).toList();
    }

    private CaseView view(Principal p, CraCase c) {
        Instant now = clock.instant();
        List<Deadline> deadlines = new ArrayList<>();
        for (String stage : CraCase.STAGES) {
            Instant due = c.deadline(stage);
            Submission s = c.submissions().get(stage);
            deadlines.add(new Deadline(stage, due, due == null ? null : due.minus(REMIND_BEFORE.get(stage)), s,
                    c.reminders().get(stage), due != null && s == null && !now.isBefore(due)));
        }
        List<AffectedDevice> devices = affected(p, c);
        Map<String, Integer> perTenant = new TreeMap<>();
        Map<String, Integer> perVersion = new TreeMap<>();
        for (AffectedDevice d : devices) {
            perTenant.merge(d.tenant(), 1, Integer::sum);
            perVersion.merge(d.version(), 1, Integer::sum);
        }
        return new CaseView(scoped(p, c), deadlines, perTenant, perVersion, mitigation(c, devices));
    }

    private static Map<String, Object> mitigation(CraCase c, List<AffectedDevice> devices) {
        Map<String, Object> m = new LinkedHashMap<>();
        long quarantined = devices.stream().filter(AffectedDevice::quarantined).count();
        m.put("fixedVersion", c.fixedVersion());
        m.put("fixAvailableAt", c.fixAvailableAt());
        m.put("devicesStillAffected", devices.size());
        m.put("devicesQuarantined", quarantined);
        String status;
        if (c.fixedVersion() == null && c.fixAvailableAt() == null) {
            status = quarantined > 0 ? "no fix yet; " + quarantined + " affected device(s) quarantined" : "no fix yet";
        } else if (devices.isEmpty()) {
            status = "fix available; no device runs an affected version";
        } else {
            status = "fix available; " + devices.size() + " device(s) still run an affected version";
        }
        m.put("status", status);
        return m;
    }

    /** The JSON draft of {@code stage}, pre-filled; fields the platform cannot know are null with a note. */
    public Map<String, Object> draft(Principal p, String caseId, String stage) {
        if (!CraCase.STAGES.contains(stage)) {
            throw ApiException.badRequest("stage must be one of " + CraCase.STAGES);
        }
        CraCase c = visibleCase(p, caseId);
        CaseView v = view(p, c);
        Advisory a = catalog.advisory(c.advisoryId()).orElse(null);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("regulation", "EU Cyber Resilience Act (Regulation (EU) 2024/2847) Article 14");
        d.put("stage", stage);
        d.put("caseId", c.caseId());
        d.put("generatedAt", clock.instant());
        d.put("deadline", c.deadline(stage));
        d.put("awareAt", c.awareAt());
        d.put("activelyExploited", true);
        Map<String, Object> vuln = new LinkedHashMap<>();
        vuln.put("advisoryId", c.advisoryId());
        vuln.put("cveIds", c.cveIds());
        vuln.put("severity", c.severity());
        vuln.put("title", a == null ? null : a.getTitle());
        d.put("vulnerability", vuln);
        Map<String, Object> product = new LinkedHashMap<>();
        product.put("model", c.model());
        product.put("affectedVersions", c.affectedVersions());
        product.put("versionsInField", v.devicesPerVersion());
        d.put("product", product);
        d.put("firstEvidenceOfExploitation", v.caseRecord().firstEvidence());
        d.put("devicesPerTenant", v.devicesPerTenant());
        d.put("affectedDevices", affected(p, c));
        d.put("mitigation", v.mitigation());
        d.put("memberStatesConcerned", null);
        if (!stage.equals(CraCase.EARLY_WARNING)) {
            d.put("description", a == null ? null : a.getDescription());
            d.put("natureOfExploit", null);
            d.put("correctiveMeasures", c.fixedVersion() == null ? null : "update to " + c.fixedVersion());
            d.put("sensitivity", null);
        }
        if (stage.equals(CraCase.FINAL_REPORT)) {
            d.put("fixAvailableAt", c.fixAvailableAt());
            d.put("severityAndImpact", null);
            d.put("maliciousActorInformation", null);
            d.put("securityUpdate", c.fixedVersion());
        }
        d.put("toComplete", "null fields are not known to the platform and must be completed by the manufacturer");
        return d;
    }

    /** Open alerts of the caller's tenants that name a CVE of an advisory without a case. */
    public List<Proposal> proposals(Principal p) {
        List<Proposal> out = new ArrayList<>();
        for (Alert al : alerts.alerts()) {
            if (!p.canSee(al.getTenant()) || "FW-ADV-001".equals(al.getRuleId())
                    || "RESOLVED".equals(AlertService.effectiveStatus(al, alerts.triage(al.getAlertId()).orElse(null)))) {
                continue;
            }
            for (Advisory a : catalog.advisories()) {
                if (a.getWithdrawn() || store.get(caseId(a.getAdvisoryId())).isPresent()) {
                    continue;
                }
                String cve = mentions(al, a);
                if (cve != null) {
                    out.add(new Proposal(a.getAdvisoryId(), cve, al.getAlertId(), al.getRuleId(), al.getTenant(),
                            al.getDeviceId(), al.getOpenedAt()));
                }
            }
        }
        return out;
    }
}
