package io.fleetwarden.dashboard.posture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Topics;

/**
 * The UK PSTI statement (Product Security and Telecommunications Infrastructure (Security
 * Requirements for Relevant Connectable Products) Regulations 2023, in force 29 April 2024) of a
 * fleet or one model, built from the same evidence as the posture report:
 * <ol>
 *   <li>no universal default passwords: every connection certificate-authenticated, no password
 *       login possible, default-credential attempts counted (none can succeed);</li>
 *   <li>a published way to report vulnerabilities, with reports acknowledged within the stated time,
 *       measured from the intake;</li>
 *   <li>the minimum security-update period published in the catalogue, devices past it listed.</li>
 * </ol>
 * Tenancy: device facts are limited to the caller's tenants; attempts without a verified identity
 * (no tenant) are shown only in a platform-wide statement.
 */
public final class PstiStatement {

    /** One requirement's status and evidence. */
    public record Requirement(String id, String title, String status, String reason, List<Evidence> evidence,
                              Map<String, Object> facts) {
    }

    /** The whole statement. */
    public record Statement(String model, List<String> tenants, Instant generatedAt, List<Requirement> requirements) {
    }

    private final PostureService posture;
    private final CatalogStore catalog;
    private final ReportStore reports;
    private final boolean published;
    private final Duration acknowledgeWithin;

    public PstiStatement(PostureService posture, CatalogStore catalog, ReportStore reports, boolean published,
                         Duration acknowledgeWithin) {
        this.posture = posture;
        this.catalog = catalog;
        this.reports = reports;
        this.published = published;
        this.acknowledgeWithin = acknowledgeWithin;
    }

    /** The statement of {@code tenants} (empty = platform-wide) for {@code model} (null = every model). */
    public Statement statement(Set<String> tenants, String model) {
        Instant now = posture.clock().instant();
        List<String[]> scope = new ArrayList<>();
        Set<String> models = new TreeSet<>();
        for (String key : posture.deviceKeys(tenants)) {
            String[] tk = DeviceKeys.parse(key);
            String m = posture.modelOf(tk[0], tk[1]);
            if (model != null && !model.equals(m)) {
                continue;
            }
            scope.add(tk);
            if (m != null) {
                models.add(m);
            }
        }
        if (model != null) {
            models.add(model);
        }
        List<Requirement> out = new ArrayList<>();
        out.add(passwords(tenants, model, scope));
        out.add(disclosure(models, model, now));
        out.add(supportPeriod(models, scope, now));
        return new Statement(model, List.copyOf(new TreeSet<>(tenants)), now, out);
    }

    private Requirement passwords(Set<String> tenants, String model, List<String[]> scope) {
        long devices = 0;
        long connects = 0;
        List<Evidence> against = new ArrayList<>();
        Evidence lastConnect = null;
        for (String[] tk : scope) {
            DeviceEvidence e = posture.evidenceStore().device(tk[0], tk[1]).orElse(null);
            if (e == null) {
                continue;
            }
            if (e.connects > 0) {
                devices++;
                connects += e.connects;
                if (lastConnect == null || e.lastConnect.at().isAfter(lastConnect.at())) {
                    lastConnect = Evidence.of("certificate-authenticated connection of " + tk[0] + "/" + tk[1], e.lastConnect);
                }
            }
            if (e.defaultCredentialAttempts > 0) {
                against.add(Evidence.of(tk[0] + "/" + tk[1] + ": " + e.defaultCredentialAttempts
                        + " default-credential attempt(s) under its verified identity (refused)", e.lastDefaultCredential));
            }
        }
        Map<String, Object> facts = new TreeMap<>();
        facts.put("devicesConnected", devices);
        facts.put("certificateAuthenticatedConnections", connects);
        facts.put("defaultCredentialAttemptsSucceeded", 0);
        List<Evidence> ev = new ArrayList<>();
        if (tenants.isEmpty()) {
            long refused = 0;
            for (Map.Entry<String, EvidenceStore.UnverifiedAttempts> u
                    : posture.evidenceStore().unverifiedDefaultCredentialAttempts().entrySet()) {
                if (model == null || model.equals(u.getKey())) {
                    refused += u.getValue().count();
                    ev.add(Evidence.of(u.getValue().count() + " default-credential attempt(s) without a valid certificate"
                            + " claiming model " + u.getKey() + ", all refused", u.getValue().last()));
                }
            }
            facts.put("unverifiedDefaultCredentialAttemptsRefused", refused);
        }
        String title = "No universal default passwords";
        if (!against.isEmpty()) {
            facts.put("devicesWithDefaultCredentialAttempts", against.size());
            against.addAll(ev);
            return new Requirement("PSTI-1", title, PostureService.NOT_MET, null, against, facts);
        }
        if (lastConnect == null) {
            return new Requirement("PSTI-1", title, PostureService.NOT_ASSESSED, "no device connection seen", ev, facts);
        }
        ev.add(0, lastConnect);
        ev.add(1, Evidence.config("the broker accepts no password login: devices authenticate only with their own"
                + " X.509 certificate, so no default password can succeed", "broker-extension"));
        return new Requirement("PSTI-1", title, PostureService.MET, null, ev, facts);
    }

    private Requirement disclosure(Set<String> models, String model, Instant now) {
        String title = "Published way to report security issues, with acknowledgement and status-update timescales";
        Map<String, Object> facts = new TreeMap<>();
        facts.put("acknowledgeWithinDays", acknowledgeWithin.toDays());
        if (!published) {
            return new Requirement("PSTI-2", title, PostureService.NOT_MET, null, List.of(Evidence.config(
                    "no security.txt contact is configured: no published way to report vulnerabilities",
                    "securitytxt.contact")), facts);
        }
        List<Evidence> late = new ArrayList<>();
        List<Evidence> ok = new ArrayList<>();
        int count = 0;
        for (ReportStore.Report r : reports.list()) {
            boolean relevant = model != null ? model.equals(r.model())
                    : r.model() == null || models.isEmpty() || models.contains(r.model());
            if (!relevant) {
                continue;
            }
            count++;
            Instant due = r.receivedAt().plus(acknowledgeWithin);
            if (r.triagedAt() == null) {
                if (now.isAfter(due)) {
                    late.add(Evidence.report("received " + r.receivedAt() + ", not acknowledged, due " + due, r.id(),
                            r.receivedAt()));
                } else {
                    ok.add(Evidence.report("received " + r.receivedAt() + ", acknowledgement due " + due, r.id(),
                            r.receivedAt()));
                }
            } else if (r.triagedAt().isAfter(due)) {
                late.add(Evidence.report("received " + r.receivedAt() + ", acknowledged late at " + r.triagedAt(), r.id(),
                        r.triagedAt()));
            } else {
                ok.add(Evidence.report("received " + r.receivedAt() + ", acknowledged after "
                        + Duration.between(r.receivedAt(), r.triagedAt()).toHours() + " h", r.id(), r.triagedAt()));
            }
        }
        facts.put("reports", count);
        facts.put("acknowledgedLate", late.size());
        if (!late.isEmpty()) {
            return new Requirement("PSTI-2", title, PostureService.NOT_MET, null, late, facts);
        }
        List<Evidence> ev = new ArrayList<>();
        ev.add(Evidence.config("security.txt (RFC 9116) and the public report intake are published; reports are"
                + " acknowledged within " + acknowledgeWithin.toDays() + " days of intake", "securitytxt.contact"));
        ev.addAll(ok);
        return new Requirement("PSTI-2", title, PostureService.MET, null, ev, facts);
    }

    private Requirement supportPeriod(Set<String> models, List<String[]> scope, Instant now) {
        String title = "Minimum security-update period published";
        Map<String, Object> facts = new TreeMap<>();
        List<Evidence> missing = new ArrayList<>();
        List<Evidence> ok = new ArrayList<>();
        Map<String, Instant> eos = new TreeMap<>();
        for (String m : models) {
            FirmwareCatalogEntry e = catalog.entry(m).orElse(null);
            if (e == null || e.getEndOfSupport() == null) {
                missing.add(Evidence.keyed("model " + m + (e == null ? " has no catalogue entry" : " has no end-of-support date"
                        + " in the catalogue"), Topics.FIRMWARE_CATALOG, m, e == null ? null : e.getUpdatedAt()));
            } else {
                eos.put(m, e.getEndOfSupport());
                ok.add(keyed("model " + m + ": security updates until " + e.getEndOfSupport(), m, e.getUpdatedAt()));
            }
        }
        List<String> past = new ArrayList<>();
        for (String[] tk : scope) {
            String m = posture.modelOf(tk[0], tk[1]);
            Instant end = m == null ? null : eos.get(m);
            if (end != null && !now.isBefore(end)) {
                past.add(tk[0] + "/" + tk[1]);
            }
        }
        facts.put("endOfSupport", eos);
        facts.put("devicesPastSupport", past);
        if (!missing.isEmpty()) {
            return new Requirement("PSTI-3", title, PostureService.NOT_MET, null, missing, facts);
        }
        if (ok.isEmpty()) {
            return new Requirement("PSTI-3", title, PostureService.NOT_ASSESSED, "no device model known", List.of(), facts);
        }
        return new Requirement("PSTI-3", title, PostureService.MET, null, ok, facts);
    }

    private Evidence keyed(String fact, String model, Instant at) {
        return posture.evidenceStore().keyed(Topics.FIRMWARE_CATALOG, model).map(r -> Evidence.of(fact, r))
                .orElse(Evidence.keyed(fact, Topics.FIRMWARE_CATALOG, model, at));
    }
}
