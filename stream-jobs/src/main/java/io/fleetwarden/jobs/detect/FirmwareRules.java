package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.firmware.FirmwareCurrency;
import io.fleetwarden.model.firmware.FirmwareVersion;
import io.fleetwarden.model.firmware.VersionRange;

/**
 * Firmware and certificate rules for one device: FW-VER-001, FW-ADV-001, FW-EOS-001, FW-DOWN-001,
 * FW-UPD-001, FW-CERT-001 and CMP-FW-001 (image hash).
 *
 * <p>The rules are evaluated as a whole ({@link #evaluate}): what should be open now, given the device
 * state, the model's catalog entry and the advisories, is compared with what is open, and the
 * difference becomes OPEN/CLEAR findings. So the same method serves a new telemetry report and a new
 * advisory or catalog entry applied to every device at once. {@code now} is event time.
 *
 * <p><b>Skipping evaluations</b> (most reports change nothing the rules read): what the rules read of the
 * device is one value, {@link Facts}, and {@link #wanted} receives nothing else of the state; time conditions
 * are asked through {@link Now#reached}, which records the next threshold. A report whose facts equal the
 * previous ones, with the same reference data ({@link DeviceContext#referenceVersion()}) and a time before the
 * next recorded threshold, would be evaluated to exactly what is open, so it is not evaluated. A new condition
 * that reads a new fact adds it to {@link Facts} (it cannot read it otherwise) and is covered.
 * Open findings are remembered as a keyed digest of their evidence ({@link KeyedDigest}), not its hashCode.
 */
public final class FirmwareRules implements DeviceRule<FirmwareState> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;

    public FirmwareRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "firmware";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.BEHIND_LATEST.id(), RuleCatalogue.ADVISORY_AFFECTED.id(), RuleCatalogue.END_OF_SUPPORT.id(),
                RuleCatalogue.DOWNGRADE.id(), RuleCatalogue.UPDATE_FAILURE_LOOP.id(), RuleCatalogue.CERTIFICATE_EXPIRY.id(),
                RuleCatalogue.IMAGE_HASH_MISMATCH.id());
    }

    @Override
    public Class<FirmwareState> stateClass() {
        return FirmwareState.class;
    }

    @Override
    public FirmwareState newState() {
        return new FirmwareState();
    }

    @Override
    public void onReport(FirmwareState s, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
        List<Finding> findings = onTelemetry(s, report, ctx);
        for (int i = 0, n = findings.size(); i < n; i++) {
            out.finding(findings.get(i));
        }
    }

    /**
     * FW-UPD-001 from update-result events: FAILED and ROLLED_BACK count in their own window (a failure a device reports
     * in telemetry too is not counted twice: the loop is open when either window is); SUCCEEDED closes both. The
     * device's tenant and id come from the event until its first report.
     */
    @Override
    public void onLifecycleEvent(FirmwareState s, DeviceLifecycle e, DeviceContext ctx, DeviceOutput out) {
        if (!e.updateFailed() && !e.updateSucceeded()) {
            return;
        }
        if (s.deviceId == null) {
            s.tenant = e.tenant();
            s.deviceId = e.deviceId();
        }
        if (e.updateFailed()) {
            s.eventFailures = BurstWindow.orNew(s.eventFailures);
            if (s.eventFailures.record(e.time(), cfg.updateFailureCount, cfg.updateFailureWindowMs) == Transition.UPDATED) {
                s.open.remove(RuleCatalogue.UPDATE_FAILURE_LOOP.id()); // re-emit with the higher count
            }
        } else {
            if (s.updateFailures != null) {
                s.updateFailures.close();
            }
            s.eventFailures = null;
            s.lastFailure = null;
        }
        List<Finding> findings = evaluate(s, ctx, Math.max(e.time(), s.lastSeen));
        for (int i = 0, n = findings.size(); i < n; i++) {
            out.finding(findings.get(i));
        }
    }

    @Override
    public void onReferenceChange(FirmwareState s, DeviceContext ctx, String model, long now, DeviceOutput out) {
        if (s.deviceId == null || (model != null && !model.equals(s.model))) {
            return; // another model's devices read nothing that changed (they re-evaluate at their next report)
        }
        List<Finding> findings = evaluate(s, ctx, Math.max(now, s.lastSeen));
        for (int i = 0, n = findings.size(); i < n; i++) {
            out.finding(findings.get(i));
        }
    }

    /**
     * Everything of the device state the rules read ({@link #wanted} gets only this). Equal facts, equal reference
     * data and a time before the next threshold give an equal evaluation.
     */
    record Facts(String tenant, String deviceId, String model, String version, String highestVersion, String imageHash,
                 long certificateNotAfter, boolean updateLoop, long failedAttempts, String lastFailure) {

        static Facts of(FirmwareState s) {
            boolean loop = BurstWindow.isOpen(s.updateFailures) || BurstWindow.isOpen(s.eventFailures);
            long failed = Math.max(s.updateFailures == null ? 0 : s.updateFailures.eventsSinceOpen,
                    s.eventFailures == null ? 0 : s.eventFailures.eventsSinceOpen);
            return new Facts(s.tenant, s.deviceId, s.model, s.version, s.highestVersion, s.imageHash, s.certificateNotAfter, loop,
                    failed, s.lastFailure);
        }

        /**
         * Component by component, as a record's equals is defined; written out because the generated one (a method-handle
         * chain) was not inlined on the per-report path, which kept both Facts of every report on the heap.
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Facts f && certificateNotAfter == f.certificateNotAfter && updateLoop == f.updateLoop
                    && failedAttempts == f.failedAttempts && java.util.Objects.equals(tenant, f.tenant)
                    && java.util.Objects.equals(deviceId, f.deviceId) && java.util.Objects.equals(model, f.model)
                    && java.util.Objects.equals(version, f.version) && java.util.Objects.equals(highestVersion, f.highestVersion)
                    && java.util.Objects.equals(imageHash, f.imageHash) && java.util.Objects.equals(lastFailure, f.lastFailure);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(tenant, deviceId, model, version, highestVersion, imageHash, certificateNotAfter, updateLoop,
                    failedAttempts, lastFailure);
        }
    }

    /**
     * The evaluation time. Time conditions go through {@link #reached}, which remembers the earliest threshold
     * still ahead: until then no condition can flip (they are all "now has reached a threshold").
     */
    static final class Now {
        final long at;
        long next = Long.MAX_VALUE;

        Now(long at) {
            this.at = at;
        }

        /** Whether {@code now >= threshold}; a threshold still ahead is remembered. */
        boolean reached(long threshold) {
            if (at >= threshold) {
                return true;
            }
            next = Math.min(next, threshold);
            return false;
        }
    }

    /** Updates the device state from a report, then evaluates (or skips an evaluation that cannot change anything). */
    public List<Finding> onTelemetry(FirmwareState s, DeviceReport t, DeviceContext ctx) {
        long ts = t.deviceTime();
        Facts before = Facts.of(s);
        if (s.deviceId == null) {
            // The device key is tenant/deviceId: a device's later reports carry the same two ids (not compared again).
            s.tenant = t.tenant();
            s.deviceId = t.deviceId();
        }
        s.model = StateStrings.keep(s.model, t.model());
        if (ts >= s.lastSeen) {
            s.lastSeen = ts;
            s.version = StateStrings.keep(s.version, t.firmwareVersion());
            s.imageHash = StateStrings.keep(s.imageHash, t.firmwareImageHash());
            if (t.certificateNotAfter() != Long.MIN_VALUE) {
                s.certificateNotAfter = t.certificateNotAfter();
            }
        }
        DeviceReport.Update update = t.update();
        if (update != null && update.state() == UpdateState.FAILED) {
            // One failed attempt is counted once, however many reports repeat it.
            String attempt = update.targetVersion() + "#" + update.attempt();
            if (!attempt.equals(s.lastFailure)) {
                s.lastFailure = attempt;
                s.updateFailures = BurstWindow.orNew(s.updateFailures);
                if (s.updateFailures.record(ts, cfg.updateFailureCount, cfg.updateFailureWindowMs) == Transition.UPDATED) {
                    s.open.remove(RuleCatalogue.UPDATE_FAILURE_LOOP.id()); // re-emit with the higher count
                }
            }
        } else if (update != null && update.state() == UpdateState.SUCCEEDED) {
            if (s.updateFailures != null) {
                s.updateFailures.close();
            }
            s.lastFailure = null;
        }
        if (BurstWindow.quietExpired(s.updateFailures, ts, cfg.updateFailureWindowMs)) {
            s.updateFailures.close();
        }
        if (BurstWindow.quietExpired(s.eventFailures, ts, cfg.updateFailureWindowMs)) {
            s.eventFailures = null;
        }
        List<Finding> out;
        if (before.equals(Facts.of(s)) && ctx.referenceVersion() == s.referenceVersion && ts >= s.evaluatedAt && ts < s.validUntil) {
            // Nothing the rules read changed and no time threshold was crossed: the evaluation would find exactly
            // what is open (no findings). Most reports take this path; evaluating builds every open finding.
            out = List.of();
        } else {
            out = evaluate(s, ctx, ts);
        }
        // The highest version is learnt after evaluation so that the downgrade is seen first.
        if (s.version != null && !s.version.equals(s.highestVersion) && isVersion(s.version)
                && (s.highestVersion == null || FirmwareVersion.parse(s.version).isNewerThan(FirmwareVersion.parse(s.highestVersion)))) {
            s.highestVersion = s.version;
            s.validUntil = Long.MIN_VALUE; // a fact changed after the evaluation: evaluate the next report
        }
        return out;
    }

    /** Compares what should be open now with what is open and returns the difference. */
    public List<Finding> evaluate(FirmwareState s, DeviceContext ctx, long now) {
        Facts facts = Facts.of(s);
        Now clock = new Now(now);
        Map<String, Finding> wanted = wanted(facts, facts.model == null ? null : ctx.catalog(facts.model), ctx.advisories(), clock);
        s.evaluatedAt = now;
        s.validUntil = clock.next;
        s.referenceVersion = ctx.referenceVersion();
        KeyedDigest digest = ctx.digest();
        List<Finding> out = new ArrayList<>();
        for (Finding f : wanted.values()) {
            long fp = digest.of(f.evidence);
            Long previous = s.open.put(f.ruleId, fp);
            if (previous == null || previous != fp) {
                out.add(f);
            }
        }
        for (String rule : new ArrayList<>(s.open.keySet())) {
            if (!wanted.containsKey(rule)) {
                s.open.remove(rule);
                out.add(Finding.device(rule, Action.CLEAR, s.tenant, s.deviceId, now, "condition cleared")
                        .with("version", s.version));
            }
        }
        return out;
    }

    private Map<String, Finding> wanted(Facts s, FirmwareCatalogEntry catalog, List<Advisory> advisories, Now now) {
        Map<String, Finding> w = new LinkedHashMap<>();
        if (s.deviceId == null) {
            return w;
        }
        boolean valid = isVersion(s.version);
        FirmwareVersion v = valid ? FirmwareVersion.parse(s.version) : null;

        if (catalog != null && valid) {
            String latest = catalog.getLatestVersion();
            // One definition of "behind" with the posture report (FirmwareCurrency); the threshold goes
            // through now.reached so the memo knows when the verdict changes.
            Long behindFrom = FirmwareCurrency.behindFrom(s.version, catalog, cfg.firmwareGraceMs);
            if (behindFrom != null && now.reached(behindFrom)) {
                w.put(RuleCatalogue.BEHIND_LATEST.id(), open(s, RuleCatalogue.BEHIND_LATEST.id(), now,
                        "runs " + s.version + ", latest " + latest)
                        .with("version", s.version).with("latestVersion", latest).with("behindSince", behindFrom)
                        .with("graceDays", cfg.firmwareGraceMs / 86_400_000L));
            }
            if (catalog.getEndOfSupport() != null && now.reached(catalog.getEndOfSupport().toEpochMilli())) {
                w.put(RuleCatalogue.END_OF_SUPPORT.id(), open(s, RuleCatalogue.END_OF_SUPPORT.id(), now,
                        "model " + s.model + " out of support")
                        .with("model", s.model).with("endOfSupport", catalog.getEndOfSupport().toEpochMilli()));
            }
            if (s.imageHash != null) {
                for (FirmwareRelease r : catalog.getReleases()) {
                    if (r.getVersion().equals(s.version) && !r.getImageSha256().equalsIgnoreCase(s.imageHash)) {
                        w.put(RuleCatalogue.IMAGE_HASH_MISMATCH.id(), open(s, RuleCatalogue.IMAGE_HASH_MISMATCH.id(), now,
                                "image hash of " + s.version + " does not match the catalog")
                                .with("version", s.version).with("reportedSha256", s.imageHash)
                                .with("catalogSha256", r.getImageSha256()));
                    }
                }
            }
        }
        if (valid && advisories != null) {
            TreeSet<String> ids = new TreeSet<>();
            TreeSet<String> cves = new TreeSet<>();
            Severity worst = null;
            String fixed = null;
            for (Advisory a : advisories) {
                if (a.getWithdrawn() || !a.getModel().equals(s.model)) {
                    continue;
                }
                if (affects(a, v)) {
                    ids.add(a.getAdvisoryId());
                    cves.addAll(a.getCveIds());
                    if (worst == null || a.getSeverity().ordinal() > worst.ordinal()) {
                        worst = a.getSeverity();
                    }
                    fixed = a.getFixedVersion() == null ? fixed : a.getFixedVersion();
                }
            }
            if (!ids.isEmpty()) {
                Finding f = open(s, RuleCatalogue.ADVISORY_AFFECTED.id(), now, s.version + " affected by " + ids)
                        .with("version", s.version).with("advisories", String.join(",", ids))
                        .with("cves", String.join(",", cves)).with("advisorySeverity", worst);
                if (fixed != null) {
                    f.with("fixedVersion", fixed);
                }
                f.severity = worst;
                w.put(f.ruleId, f);
            }
        }
        if (valid && isVersion(s.highestVersion) && v.isOlderThan(FirmwareVersion.parse(s.highestVersion))) {
            w.put(RuleCatalogue.DOWNGRADE.id(), open(s, RuleCatalogue.DOWNGRADE.id(), now,
                    "downgraded from " + s.highestVersion + " to " + s.version)
                    .with("version", s.version).with("previousVersion", s.highestVersion));
        }
        if (s.updateLoop) {
            w.put(RuleCatalogue.UPDATE_FAILURE_LOOP.id(), open(s, RuleCatalogue.UPDATE_FAILURE_LOOP.id(), now,
                    s.failedAttempts + " failed update attempts")
                    .with("failedAttempts", s.failedAttempts).with("lastAttempt", s.lastFailure));
        }
        // "notAfter - now < warn" holds from notAfter - warn + 1 on.
        if (s.certificateNotAfter != Long.MIN_VALUE && now.reached(s.certificateNotAfter - cfg.certificateWarnMs + 1)) {
            w.put(RuleCatalogue.CERTIFICATE_EXPIRY.id(), open(s, RuleCatalogue.CERTIFICATE_EXPIRY.id(), now,
                    "certificate expires in " + Math.max(0, (s.certificateNotAfter - now.at) / 86_400_000L) + " days")
                    .with("notAfter", s.certificateNotAfter));
        }
        return w;
    }

    private static boolean affects(Advisory a, FirmwareVersion v) {
        try {
            return VersionRange.parse(a.getAffectedVersions()).contains(v);
        } catch (IllegalArgumentException e) {
            return false; // an unreadable range is refused where advisories are ingested and counted there
        }
    }

    private static Finding open(Facts s, String rule, Now now, String summary) {
        return Finding.device(rule, Action.OPEN, s.tenant, s.deviceId, now.at, summary);
    }

    static boolean isVersion(String v) {
        return v != null && FirmwareVersion.isValid(v);
    }
}
