package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
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
 */
public final class FirmwareRules {

    private final DetectionConfig cfg;
    /**
     * Hashes of the reference objects (catalog entries, advisory lists) by identity: the per-device operator
     * passes the same instances until the broadcast state changes, so a report costs two identity lookups,
     * not a hash over the whole catalog entry.
     */
    private final Map<Object, Integer> referenceHashes = new IdentityHashMap<>();
    /** The last advisory collection hashed, and its hash (checked before the map). */
    private Object lastReference;
    private int lastReferenceHash;

    public FirmwareRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    /** Updates the device state from a report, then evaluates. */
    public List<Finding> onTelemetry(FirmwareState s, Telemetry t, FirmwareCatalogEntry catalog, Collection<Advisory> advisories) {
        long ts = t.getDeviceTime().toEpochMilli();
        // The firmware facts the evaluation depends on, before this report.
        String tenant0 = s.tenant;
        String device0 = s.deviceId;
        String model0 = s.model;
        String version0 = s.version;
        String hash0 = s.imageHash;
        long certificate0 = s.certificateNotAfter;
        boolean updateLoop0 = BurstWindow.isOpen(s.updateFailures);
        long failures0 = s.updateFailures == null ? 0 : s.updateFailures.eventsSinceOpen;
        String lastFailure0 = s.lastFailure;
        if (s.deviceId == null) {
            // The device key is tenant/deviceId: a device's later reports carry the same two ids (not compared again).
            s.tenant = t.getTenant();
            s.deviceId = t.getDeviceId();
        }
        s.model = StateStrings.keep(s.model, t.getModel());
        if (ts >= s.lastSeen) {
            s.lastSeen = ts;
            s.version = StateStrings.keep(s.version, t.getFirmwareVersion());
            s.imageHash = StateStrings.keep(s.imageHash, t.getFirmwareImageHash());
            if (t.getBroker() != null && t.getBroker().getCertificateNotAfter() != null) {
                s.certificateNotAfter = t.getBroker().getCertificateNotAfter().toEpochMilli();
            }
        }
        if (t.getUpdate() != null && t.getUpdate().getState() == UpdateState.FAILED) {
            // One failed attempt is counted once, however many reports repeat it.
            String attempt = t.getUpdate().getTargetVersion() + "#" + t.getUpdate().getAttempt();
            if (!attempt.equals(s.lastFailure)) {
                s.lastFailure = attempt;
                s.updateFailures = BurstWindow.orNew(s.updateFailures);
                if (s.updateFailures.record(ts, cfg.updateFailureCount, cfg.updateFailureWindowMs) == Transition.UPDATED) {
                    s.open.remove(RuleCatalogue.UPDATE_FAILURE_LOOP.id()); // re-emit with the higher count
                }
            }
        } else if (t.getUpdate() != null && t.getUpdate().getState() == UpdateState.SUCCEEDED) {
            if (s.updateFailures != null) {
                s.updateFailures.close();
            }
            s.lastFailure = null;
        }
        if (BurstWindow.quietExpired(s.updateFailures, ts, cfg.updateFailureWindowMs)) {
            s.updateFailures.close();
        }
        boolean sameFacts = Objects.equals(tenant0, s.tenant) && Objects.equals(device0, s.deviceId) && Objects.equals(model0, s.model)
                && Objects.equals(version0, s.version) && Objects.equals(hash0, s.imageHash) && certificate0 == s.certificateNotAfter
                && updateLoop0 == BurstWindow.isOpen(s.updateFailures)
                && failures0 == (s.updateFailures == null ? 0 : s.updateFailures.eventsSinceOpen)
                && Objects.equals(lastFailure0, s.lastFailure);
        List<Finding> out;
        if (sameFacts && referenceFingerprint(catalog, advisories) == s.referenceFingerprint && ts >= s.evaluatedAt && ts < s.validUntil) {
            // Nothing the rules read changed and no time threshold was crossed: the evaluation would find exactly
            // what is open (no findings). Most reports take this path; evaluating builds every open finding.
            out = List.of();
        } else {
            out = evaluate(s, catalog, advisories, ts);
        }
        // The highest version is learnt after evaluation so that the downgrade is seen first.
        if (s.version != null && !s.version.equals(s.highestVersion) && isVersion(s.version)
                && (s.highestVersion == null || FirmwareVersion.parse(s.version).isNewerThan(FirmwareVersion.parse(s.highestVersion)))) {
            s.highestVersion = s.version;
            s.validUntil = Long.MIN_VALUE; // the downgrade rule reads it: evaluate the next report
        }
        return out;
    }

    /** Fingerprint of the reference data an evaluation reads; cached by object identity (see {@link #referenceHashes}). */
    int referenceFingerprint(FirmwareCatalogEntry catalog, Collection<Advisory> advisories) {
        return 31 * referenceHash(catalog) + referenceHash(advisories);
    }

    private int referenceHash(Object o) {
        if (o == null) {
            return 0;
        }
        if (o == lastReference) {
            return lastReferenceHash; // the advisory list: the same instance for every report until the broadcast changes
        }
        Integer h = referenceHashes.get(o);
        if (h == null) {
            if (referenceHashes.size() >= 1024) {
                referenceHashes.clear(); // bounded: catalog entries are per model, advisory lists per broadcast change
            }
            h = o.hashCode();
            referenceHashes.put(o, h);
        }
        if (o instanceof Collection) {
            lastReference = o;
            lastReferenceHash = h;
        }
        return h;
    }

    /**
     * The first event time after {@code now} at which a time-dependent condition of {@link #wanted} can flip
     * (all are "now >= threshold"): the latest release's grace period ending, end of support, the certificate
     * warning starting. Candidates are taken whether or not their other conditions hold (safe: at worst an
     * extra evaluation).
     */
    private long nextTimeThreshold(FirmwareState s, FirmwareCatalogEntry catalog, long now) {
        long next = Long.MAX_VALUE;
        if (catalog != null) {
            Long released = releasedAt(catalog, catalog.getLatestVersion());
            if (released != null && released + cfg.firmwareGraceMs > now) {
                next = Math.min(next, released + cfg.firmwareGraceMs);
            }
            if (catalog.getEndOfSupport() != null && catalog.getEndOfSupport().toEpochMilli() > now) {
                next = Math.min(next, catalog.getEndOfSupport().toEpochMilli());
            }
        }
        if (s.certificateNotAfter != Long.MIN_VALUE) {
            // "notAfter - now < warn" holds from notAfter - warn + 1 on.
            long warnFrom = s.certificateNotAfter - cfg.certificateWarnMs + 1;
            if (warnFrom > now) {
                next = Math.min(next, warnFrom);
            }
        }
        return next;
    }

    /** Compares what should be open now with what is open and returns the difference. */
    public List<Finding> evaluate(FirmwareState s, FirmwareCatalogEntry catalog, Collection<Advisory> advisories, long now) {
        Map<String, Finding> wanted = wanted(s, catalog, advisories, now);
        s.evaluatedAt = now;
        s.validUntil = nextTimeThreshold(s, catalog, now);
        s.referenceFingerprint = referenceFingerprint(catalog, advisories);
        List<Finding> out = new ArrayList<>();
        for (Finding f : wanted.values()) {
            int fp = f.evidence.hashCode();
            Integer previous = s.open.put(f.ruleId, fp);
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

    private Map<String, Finding> wanted(FirmwareState s, FirmwareCatalogEntry catalog, Collection<Advisory> advisories, long now) {
        Map<String, Finding> w = new LinkedHashMap<>();
        if (s.deviceId == null) {
            return w;
        }
        boolean valid = isVersion(s.version);
        FirmwareVersion v = valid ? FirmwareVersion.parse(s.version) : null;

        if (catalog != null && valid) {
            String latest = catalog.getLatestVersion();
            if (isVersion(latest) && FirmwareVersion.parse(latest).isNewerThan(v)) {
                Long released = releasedAt(catalog, latest);
                if (released != null && now - released >= cfg.firmwareGraceMs) {
                    w.put(RuleCatalogue.BEHIND_LATEST.id(), open(s, RuleCatalogue.BEHIND_LATEST.id(), now,
                            "runs " + s.version + ", latest " + latest)
                            .with("version", s.version).with("latestVersion", latest).with("latestReleasedAt", released)
                            .with("graceDays", cfg.firmwareGraceMs / 86_400_000L));
                }
            }
            if (catalog.getEndOfSupport() != null && now >= catalog.getEndOfSupport().toEpochMilli()) {
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
        if (BurstWindow.isOpen(s.updateFailures)) {
            w.put(RuleCatalogue.UPDATE_FAILURE_LOOP.id(), open(s, RuleCatalogue.UPDATE_FAILURE_LOOP.id(), now,
                    s.updateFailures.eventsSinceOpen + " failed update attempts")
                    .with("failedAttempts", s.updateFailures.eventsSinceOpen).with("lastAttempt", s.lastFailure));
        }
        if (s.certificateNotAfter != Long.MIN_VALUE && s.certificateNotAfter - now < cfg.certificateWarnMs) {
            w.put(RuleCatalogue.CERTIFICATE_EXPIRY.id(), open(s, RuleCatalogue.CERTIFICATE_EXPIRY.id(), now,
                    "certificate expires in " + Math.max(0, (s.certificateNotAfter - now) / 86_400_000L) + " days")
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

    private static Long releasedAt(FirmwareCatalogEntry catalog, String version) {
        for (FirmwareRelease r : catalog.getReleases()) {
            if (r.getVersion().equals(version)) {
                return r.getReleasedAt().toEpochMilli();
            }
        }
        return null;
    }

    private static Finding open(FirmwareState s, String rule, long now, String summary) {
        return Finding.device(rule, Action.OPEN, s.tenant, s.deviceId, now, summary);
    }

    static boolean isVersion(String v) {
        return v != null && FirmwareVersion.isValid(v);
    }
}
