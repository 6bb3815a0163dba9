package io.fleetwarden.dashboard.posture;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.dashboard.posture.Evidence.RecordRef;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Guideline;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.firmware.FirmwareCurrency;
import io.fleetwarden.model.firmware.FirmwareVersion;
import io.fleetwarden.model.firmware.VersionRange;

/**
 * Standing of a device and of a fleet against the 13 Code of Practice guidelines, derived from
 * evidence with provenance (see the table in the module README).
 *
 * <p>Per device and guideline: NOT_MET when an unresolved alert or the stream jobs' device status
 * names the guideline, or the guideline's own evidence fails; MET only with positive evidence;
 * otherwise NOT_ASSESSED with the reason. {@link GuidelineStanding} refuses a MET or NOT_MET without
 * evidence that names its origin, and a device with no record at all is NOT_ASSESSED everywhere.
 * Time comes from the injected clock.
 */
public final class PostureService {

    public static final String MET = "MET";
    public static final String NOT_MET = "NOT_MET";
    public static final String NOT_ASSESSED = "NOT_ASSESSED";

    /** Default time within which a vulnerability report must be acknowledged (triaged), from its intake. */
    public static final Duration DEFAULT_ACKNOWLEDGE_WITHIN = Duration.ofDays(7);
    /** Certificate renewal is due this long before expiry (FW-CERT-001's warning window). */
    public static final Duration CERTIFICATE_RENEWAL_DUE = Duration.ofDays(30);
    /** Listening ports of services that expose a device to known mass attacks (telnet, TR-069, adb, UPnP, SMB ...). */
    static final Set<Integer> INSECURE_PORTS = Set.of(21, 23, 69, 135, 139, 445, 512, 513, 514, 1900, 2323, 5555, 7547);

    /**
     * One guideline's standing for one device. MET and NOT_MET carry at least one piece of evidence
     * and every piece names its origin; NOT_ASSESSED carries the reason.
     */
    public record GuidelineStanding(int number, String title, String etsiProvision, String standing, String reason,
                                    List<Evidence> evidence) {
        public GuidelineStanding {
            evidence = List.copyOf(evidence);
            switch (standing) {
                case MET, NOT_MET -> {
                    if (evidence.isEmpty() || !evidence.stream().allMatch(Evidence::hasProvenance)) {
                        throw new IllegalStateException("guideline " + number + " " + standing
                                + " needs evidence with provenance");
                    }
                }
                case NOT_ASSESSED -> {
                    if (reason == null || reason.isBlank()) {
                        throw new IllegalStateException("guideline " + number + " NOT_ASSESSED needs a reason");
                    }
                }
                default -> throw new IllegalArgumentException("unknown standing " + standing);
            }
        }
    }

    /** Counts of one guideline across a fleet, in total and per model. */
    public record FleetGuideline(int number, String title, int met, int notMet, int notAssessed,
                                 List<String> failingDevices, Map<String, int[]> byModel) {
    }

    /** A guideline's standing before it is attached to the guideline. */
    private record Finding(String standing, String reason, List<Evidence> evidence) {
        static Finding met(Evidence... e) {
            return new Finding(MET, null, List.of(e));
        }

        static Finding met(List<Evidence> e) {
            return new Finding(MET, null, e);
        }

        static Finding notMet(List<Evidence> e) {
            return new Finding(NOT_MET, null, e);
        }

        static Finding notAssessed(String reason, Evidence... e) {
            return new Finding(NOT_ASSESSED, reason, List.of(e));
        }
    }

    /** Everything one device's assessment reads. */
    private record Facts(String tenant, String deviceId, DeviceStatus status, DeviceEvidence e, String model,
                         String version, Evidence versionEvidence, FirmwareCatalogEntry catalog, Instant now) {
    }

    private final DeviceStore devices;
    private final AlertStore alerts;
    private final CatalogStore catalog;
    private final EvidenceStore evidence;
    private final ReportStore reports;
    private final boolean disclosurePolicyPublished;
    private final Duration acknowledgeWithin;
    private final Duration firmwareGrace;
    private final Clock clock;

    public PostureService(DeviceStore devices, AlertStore alerts, CatalogStore catalog, EvidenceStore evidence,
                          ReportStore reports, boolean disclosurePolicyPublished, Duration acknowledgeWithin,
                          Duration firmwareGrace, Clock clock) {
        this.devices = devices;
        this.alerts = alerts;
        this.catalog = catalog;
        this.evidence = evidence;
        this.reports = reports;
        this.disclosurePolicyPublished = disclosurePolicyPublished;
        this.acknowledgeWithin = acknowledgeWithin;
        this.firmwareGrace = firmwareGrace;
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    public EvidenceStore evidenceStore() {
        return evidence;
    }

    /** The 13 standings of one device. */
    public List<GuidelineStanding> deviceStanding(String tenant, String deviceId) {
        String key = DeviceKeys.of(tenant, deviceId);
        DeviceStatus s = devices.status(key).orElse(null);
        DeviceEvidence e = evidence.device(tenant, deviceId).orElse(null);
        Instant now = clock.instant();
        Map<Integer, List<Evidence>> failing = new TreeMap<>();
        for (Alert a : alerts.alertsOfDevice(tenant, deviceId)) {
            if ("RESOLVED".equals(AlertService.effectiveStatus(a, alerts.triage(a.getAlertId()).orElse(null)))) {
                continue;
            }
            for (int g : a.getGuidelines()) {
                failing.computeIfAbsent(g, k -> new ArrayList<>()).add(Evidence.alert(
                        "open alert " + a.getRuleId() + ": " + a.getSummary(), a.getAlertId(), a.getOpenedAt()));
            }
        }
        Evidence statusEvidence = s == null ? null : recordEvidence("device status from the stream jobs",
                Topics.DEVICE_STATUS, key, s.getUpdatedAt());
        if (s != null) {
            for (int g : s.getFailingGuidelines()) {
                failing.computeIfAbsent(g, k -> new ArrayList<>()).add(recordEvidence(
                        "the stream jobs report guideline " + g + " failing", Topics.DEVICE_STATUS, key, s.getUpdatedAt()));
            }
        }
        boolean anyRecord = s != null || (e != null && e.any()) || !failing.isEmpty();
        List<GuidelineStanding> out = new ArrayList<>();
        if (!anyRecord) {
            for (Guideline g : Guideline.values()) {
                out.add(new GuidelineStanding(g.number(), g.title(), g.etsiProvision(), NOT_ASSESSED,
                        "no record of this device has been seen", List.of()));
            }
            return out;
        }
        String model = e != null && e.model != null ? e.model : s == null ? null : s.getModel();
        String version;
        Evidence versionEvidence;
        if (e != null && e.firmwareVersion != null) {
            version = e.firmwareVersion;
            versionEvidence = Evidence.of("runs firmware " + version + " (latest telemetry)", e.lastTelemetry);
        } else if (s != null && s.getFirmwareVersion() != null) {
            version = s.getFirmwareVersion();
            versionEvidence = recordEvidence("runs firmware " + version + " (device status)", Topics.DEVICE_STATUS, key,
                    s.getUpdatedAt());
        } else {
            version = null;
            versionEvidence = statusEvidence;
        }
        FirmwareCatalogEntry entry = model == null ? null : catalog.entry(model).orElse(null);
        Facts f = new Facts(tenant, deviceId, s, e, model, version, versionEvidence, entry, now);
        for (Guideline g : Guideline.values()) {
            Finding own = assess(g, f);
            List<Evidence> against = failing.get(g.number());
            if (against != null) {
                List<Evidence> ev = new ArrayList<>(against);
                if (own.standing().equals(NOT_MET)) {
                    ev.addAll(own.evidence());
                }
                own = Finding.notMet(ev);
            }
            out.add(new GuidelineStanding(g.number(), g.title(), g.etsiProvision(), own.standing(), own.reason(),
                    own.evidence()));
        }
        return out;
    }

    private Evidence recordEvidence(String fact, String topic, String key, Instant at) {
        RecordRef ref = evidence.keyed(topic, key).orElse(null);
        return ref == null ? Evidence.keyed(fact, topic, key, at) : Evidence.of(fact, ref);
    }

    private Finding assess(Guideline g, Facts f) {
        return switch (g) {
            case NO_DEFAULT_PASSWORDS -> g1(f.e());
            case VULNERABILITY_DISCLOSURE -> g2(f);
            case KEEP_SOFTWARE_UPDATED -> g3(f);
            case SECURE_CREDENTIALS -> Finding.notAssessed(
                    "how the device stores its private key and other secrets cannot be observed from the network");
            case COMMUNICATE_SECURELY -> g5(f.e());
            case MINIMISE_ATTACK_SURFACE -> g6(f.e());
            case SOFTWARE_INTEGRITY -> g7(f);
            case PERSONAL_DATA_PROTECTED -> Finding.notAssessed(
                    "what personal data the device and its services hold cannot be seen in fleet telemetry"
                            + " (transport protection is guideline 5)");
            case RESILIENT_TO_OUTAGES -> g9(f.e());
            case MONITOR_TELEMETRY -> g10(f.e());
            case EASY_DATA_DELETION -> Finding.notAssessed("a consumer's deletion of personal data happens on the device"
                    + " or in the provider's app; the platform only erases its own records of a device (decommission)");
            case EASY_INSTALLATION -> g12(f);
            case VALIDATE_INPUT -> g13(f.e());
        };
    }

    private static Finding g1(DeviceEvidence e) {
        if (e == null || (e.connects == 0 && e.defaultCredentialAttempts == 0)) {
            return Finding.notAssessed("no connection of this device has been seen");
        }
        if (e.defaultCredentialAttempts > 0) {
            return Finding.notMet(List.of(Evidence.of(e.defaultCredentialAttempts
                    + " default-credential attempt(s) under this device's verified identity (refused)", e.lastDefaultCredential)));
        }
        String extra = e.connectsWithUsername > 0 ? " (" + e.connectsWithUsername + " also offered a user name, not used)" : "";
        return Finding.met(Evidence.of(e.connects + " connection(s) authenticated by the device's own certificate"
                + extra + "; no password login is accepted and no default-credential attempt was made under this identity",
                e.lastConnect));
    }

    private Finding g2(Facts f) {
        if (f.model() == null) {
            return Finding.notAssessed("the device's model is unknown, so no vulnerability report can be matched to it");
        }
        if (!disclosurePolicyPublished) {
            return Finding.notMet(List.of(Evidence.config(
                    "no security.txt contact is configured: no published way to report vulnerabilities",
                    "securitytxt.contact")));
        }
        List<Evidence> late = new ArrayList<>();
        List<Evidence> onTime = new ArrayList<>();
        for (ReportStore.Report r : reports.list()) {
            if (!f.model().equals(r.model())) {
                continue;
            }
            Instant due = r.receivedAt().plus(acknowledgeWithin);
            if (r.triagedAt() == null) {
                if (f.now().isAfter(due)) {
                    late.add(Evidence.report("report received " + r.receivedAt() + " is not acknowledged; due " + due,
                            r.id(), r.receivedAt()));
                }
            } else if (r.triagedAt().isAfter(due)) {
                late.add(Evidence.report("report received " + r.receivedAt() + " was acknowledged late, at "
                        + r.triagedAt() + " (due " + due + ")", r.id(), r.triagedAt()));
            } else {
                onTime.add(Evidence.report("report acknowledged after "
                        + Duration.between(r.receivedAt(), r.triagedAt()).toHours() + " h (within " + acknowledgeWithin.toDays()
                        + " days)", r.id(), r.triagedAt()));
            }
        }
        if (!late.isEmpty()) {
            return Finding.notMet(late);
        }
        List<Evidence> ev = new ArrayList<>();
        ev.add(Evidence.config("security.txt and the report intake are published; reports are acknowledged within "
                + acknowledgeWithin.toDays() + " days of intake", "securitytxt.contact"));
        ev.addAll(onTime);
        return Finding.met(ev);
    }

    private Finding g3(Facts f) {
        if (f.version() == null) {
            return Finding.notAssessed("the device has not reported its firmware version");
        }
        if (f.catalog() == null) {
            return Finding.notAssessed("no firmware catalogue entry for model " + f.model(), f.versionEvidence());
        }
        Evidence cat = recordEvidence("catalogue entry of " + f.model() + ": latest " + f.catalog().getLatestVersion(),
                Topics.FIRMWARE_CATALOG, f.model(), f.catalog().getUpdatedAt());
        FirmwareCurrency.Assessment a = FirmwareCurrency.assess(f.version(), f.catalog(), f.now(), firmwareGrace);
        if (a.state() == FirmwareCurrency.State.UNKNOWN) {
            return Finding.notAssessed("the reported firmware version or the catalogue's latest is not a version",
                    f.versionEvidence());
        }
        List<Evidence> against = new ArrayList<>();
        if (a.behind()) {
            against.add(f.versionEvidence());
            against.add(recordEvidence("latest " + a.latest() + " was released " + a.latestReleasedAt()
                    + "; the " + firmwareGrace.toDays() + "-day grace period ended " + a.graceEnds(),
                    Topics.FIRMWARE_CATALOG, f.model(), f.catalog().getUpdatedAt()));
        }
        for (Advisory adv : catalog.advisories()) {
            if (!adv.getWithdrawn() && adv.getModel().equals(f.model()) && affects(adv, f.version())) {
                against.add(recordEvidence("firmware " + f.version() + " is inside the affected range "
                        + adv.getAffectedVersions() + " of advisory " + adv.getAdvisoryId(), Topics.ADVISORIES,
                        adv.getAdvisoryId(), adv.getPublishedAt()));
            }
        }
        Instant eos = f.catalog().getEndOfSupport();
        if (eos != null && !f.now().isBefore(eos)) {
            against.add(recordEvidence("model " + f.model() + " is past its end of support (" + eos + ")",
                    Topics.FIRMWARE_CATALOG, f.model(), f.catalog().getUpdatedAt()));
        }
        if (!against.isEmpty()) {
            return Finding.notMet(against);
        }
        if (a.state() == FirmwareCurrency.State.NEWER_UNDATED) {
            return Finding.notAssessed("the catalogue has no release date for " + a.latest()
                    + ", so the grace period cannot be measured", f.versionEvidence(), cat);
        }
        String currency = a.state() == FirmwareCurrency.State.CURRENT ? "runs the catalogue's latest release " + a.latest()
                : "latest " + a.latest() + " was released " + a.latestReleasedAt() + "; inside the grace period until "
                + a.graceEnds();
        return Finding.met(List.of(f.versionEvidence(),
                recordEvidence(currency + "; no advisory covers " + f.version() + "; "
                        + (eos == null ? "no end of support published" : "supported until " + eos),
                        Topics.FIRMWARE_CATALOG, f.model(), f.catalog().getUpdatedAt())));
    }

    private static Finding g5(DeviceEvidence e) {
        if (e == null || e.tlsGood + e.tlsBad == 0) {
            return Finding.notAssessed("no record carrying the device's TLS parameters has been seen");
        }
        long all = e.tlsGood + e.tlsBad;
        if (e.tlsBad > 0) {
            return Finding.notMet(List.of(Evidence.of(e.tlsBad + " of " + all
                    + " connections and reports used TLS below 1.2 or a non-AEAD suite (last: " + e.badProtocol + " "
                    + e.badCipher + ")", e.lastTlsBad)));
        }
        return Finding.met(Evidence.of("all " + all + " connections and reports in the window used TLS 1.2+ with an AEAD"
                + " cipher suite", e.lastTlsGood));
    }

    private static Finding g6(DeviceEvidence e) {
        if (e == null || e.lastTelemetry == null) {
            return Finding.notAssessed("the device has not reported its listening ports");
        }
        TreeSet<Integer> bad = new TreeSet<>(e.listeningPorts);
        bad.retainAll(INSECURE_PORTS);
        if (!bad.isEmpty()) {
            return Finding.notMet(List.of(Evidence.of("listens on known-insecure ports " + bad + " (all: "
                    + e.listeningPorts + ")", e.lastTelemetry)));
        }
        return Finding.met(Evidence.of("listening ports " + e.listeningPorts
                + ": none of the known-insecure services (telnet, TR-069, adb, SMB, UPnP ...)", e.lastTelemetry));
    }

    private Finding g7(Facts f) {
        DeviceEvidence e = f.e();
        if (e == null || e.lastTelemetry == null) {
            return Finding.notAssessed("no telemetry from the device");
        }
        if (e.imageHash == null) {
            return Finding.notAssessed("the device does not report the hash of its running image",
                    Evidence.of("latest report carries no image hash", e.lastTelemetry));
        }
        if (f.catalog() == null || f.version() == null) {
            return Finding.notAssessed("no firmware catalogue entry for model " + f.model());
        }
        FirmwareRelease release = null;
        for (FirmwareRelease r : f.catalog().getReleases()) {
            if (r.getVersion().equals(f.version())) {
                release = r;
            }
        }
        if (release == null) {
            return Finding.notAssessed("the catalogue lists no image for version " + f.version());
        }
        Evidence cat = recordEvidence("catalogue image of " + f.version() + ": sha256 " + release.getImageSha256(),
                Topics.FIRMWARE_CATALOG, f.model(), f.catalog().getUpdatedAt());
        if (release.getImageSha256().equalsIgnoreCase(e.imageHash)) {
            return Finding.met(Evidence.of("running image hash of " + f.version() + " matches the catalogue", e.imageHashRef),
                    cat);
        }
        return Finding.notMet(List.of(Evidence.of("running image hash " + e.imageHash + " of " + f.version()
                + " does not match the catalogue", e.imageHashRef), cat));
    }

    private static Finding g9(DeviceEvidence e) {
        if (e == null || (e.connects == 0 && e.disconnects == 0)) {
            return Finding.notAssessed("no connection of this device has been seen");
        }
        if (e.lastDisconnect != null && (e.lastConnect == null || e.lastConnect.at().isBefore(e.lastDisconnect.at()))) {
            return Finding.notAssessed("disconnected (" + e.lastDisconnectReason + ") and not back yet; the offline rule"
                    + " decides when that is a failure", Evidence.of("disconnected: " + e.lastDisconnectReason, e.lastDisconnect));
        }
        if (e.recovery == null) {
            return Finding.notAssessed("no outage seen in the window, so recovery is not shown yet");
        }
        long secs = Duration.between(e.recoveredFrom.at(), e.recovery.at()).toSeconds();
        return Finding.met(Evidence.of("went offline", e.recoveredFrom),
                Evidence.of("came back from its last outage after " + secs + " s; no open resilience alert"
                        + " (flapping, reconnect storm, offline)", e.recovery));
    }

    private static Finding g10(DeviceEvidence e) {
        if (e == null || e.telemetry == 0) {
            return Finding.notAssessed("no telemetry from the device has been received");
        }
        return Finding.met(Evidence.of("first telemetry report in the window", e.firstTelemetry),
                Evidence.of(e.telemetry + " telemetry reports received and examined by the detection rules",
                        e.lastTelemetry));
    }

    private static Finding g12(Facts f) {
        DeviceEvidence e = f.e();
        if (e == null) {
            return Finding.notAssessed("no update or certificate of the device has been seen");
        }
        List<Evidence> against = new ArrayList<>();
        List<Evidence> good = new ArrayList<>();
        if ("FAILED".equals(e.lastUpdateState)) {
            against.add(Evidence.of("the last update to " + e.lastUpdateTarget + " failed (" + e.updatesFailed
                    + " failed attempt(s) in the window)", e.lastUpdate));
        } else if ("SUCCEEDED".equals(e.lastUpdateState)) {
            good.add(Evidence.of("the last update to " + e.lastUpdateTarget + " succeeded", e.lastUpdate));
        }
        if (e.certificateNotAfter != null) {
            if (e.certificateNotAfter.minus(CERTIFICATE_RENEWAL_DUE).isBefore(f.now())) {
                against.add(Evidence.of("certificate expires " + e.certificateNotAfter + ", less than "
                        + CERTIFICATE_RENEWAL_DUE.toDays() + " days away, and no renewal has been seen", e.certificateRef));
            } else if (e.renewal != null && e.renewedAhead) {
                good.add(Evidence.of("certificate renewed ahead of expiry: the one valid until " + e.renewedFrom
                        + " was replaced by one valid until " + e.certificateNotAfter, e.renewal));
            }
        }
        if (!against.isEmpty()) {
            return Finding.notMet(against);
        }
        if (good.isEmpty()) {
            return Finding.notAssessed("no completed update or certificate renewal of the device has been seen");
        }
        return Finding.met(good);
    }

    private static Finding g13(DeviceEvidence e) {
        if (e == null || (e.telemetry == 0 && e.validationFailures == 0)) {
            return Finding.notAssessed("no report of the device has been validated yet");
        }
        if (e.validationFailures > 0) {
            return Finding.notMet(List.of(Evidence.of(e.validationFailures + " report(s) refused by the broker's validation"
                    + " (last: " + e.lastValidationReason + ")", e.lastValidationFailure)));
        }
        return Finding.met(Evidence.of(e.telemetry + " reports passed the broker's schema validation; none refused",
                e.lastTelemetry));
    }

    /** Whether an advisory's range contains {@code version}; an unparsable range affects nothing. */
    public static boolean affects(Advisory a, String version) {
        try {
            return FirmwareVersion.isValid(version) && VersionRange.parse(a.getAffectedVersions()).contains(version);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Every device key of {@code tenants} (empty = all) with a status or posture evidence, sorted. */
    public Set<String> deviceKeys(Set<String> tenants) {
        Set<String> keys = new TreeSet<>(devices.keys());
        keys.addAll(evidence.keys());
        keys.removeIf(k -> !tenants.isEmpty() && !tenants.contains(DeviceKeys.parse(k)[0]));
        return keys;
    }

    /** The model of a device (telemetry first, then device status), or null. */
    public String modelOf(String tenant, String deviceId) {
        DeviceEvidence e = evidence.device(tenant, deviceId).orElse(null);
        if (e != null && e.model != null) {
            return e.model;
        }
        return devices.status(DeviceKeys.of(tenant, deviceId)).map(DeviceStatus::getModel).orElse(null);
    }

    /** The running firmware version of a device (latest telemetry, then device status), or null. */
    public String versionOf(String tenant, String deviceId) {
        DeviceEvidence e = evidence.device(tenant, deviceId).orElse(null);
        if (e != null && e.firmwareVersion != null) {
            return e.firmwareVersion;
        }
        return devices.status(DeviceKeys.of(tenant, deviceId)).map(DeviceStatus::getFirmwareVersion).orElse(null);
    }

    /** Whether the device is held in quarantine by the platform's latest control record. */
    public boolean quarantined(String tenant, String deviceId) {
        return devices.control(DeviceKeys.of(tenant, deviceId)).map(c -> c.getQuarantined()).orElse(false);
    }

    /** Fleet standing of {@code tenants} (empty = all), optionally only one {@code model} (null = all). */
    public List<FleetGuideline> fleetStanding(Set<String> tenants, String model) {
        int[][] counts = new int[14][3];
        List<Set<String>> failingDevices = new ArrayList<>();
        List<Map<String, int[]>> byModel = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            failingDevices.add(new TreeSet<>());
            byModel.add(new TreeMap<>());
        }
        for (String key : deviceKeys(tenants)) {
            String[] tk = DeviceKeys.parse(key);
            String m = modelOf(tk[0], tk[1]);
            if (model != null && !model.equals(m)) {
                continue;
            }
            String mk = m == null ? "(unknown)" : m;
            for (GuidelineStanding g : deviceStanding(tk[0], tk[1])) {
                int idx = switch (g.standing()) {
                    case MET -> 0;
                    case NOT_MET -> 1;
                    default -> 2;
                };
                counts[g.number()][idx]++;
                byModel.get(g.number()).computeIfAbsent(mk, k -> new int[3])[idx]++;
                if (idx == 1) {
                    failingDevices.get(g.number()).add(key);
                }
            }
        }
        List<FleetGuideline> out = new ArrayList<>();
        for (Guideline g : Guideline.values()) {
            int n = g.number();
            out.add(new FleetGuideline(n, g.title(), counts[n][0], counts[n][1], counts[n][2],
                    List.copyOf(failingDevices.get(n)), byModel.get(n)));
        }
        return out;
    }

    /** Fleet standing of {@code tenants} (empty = all). */
    public List<FleetGuideline> fleetStanding(Set<String> tenants) {
        return fleetStanding(tenants, null);
    }

    /** CSV of a device report: one line per guideline and piece of evidence. RFC 4180 quoting. */
    public static String deviceCsv(String tenant, String deviceId, List<GuidelineStanding> rows) {
        StringBuilder b = new StringBuilder(
                "tenant,device,guideline,title,etsi_provision,standing,reason,evidence,source,key,partition,offset,alert_id,at\r\n");
        for (GuidelineStanding r : rows) {
            List<Evidence> ev = r.evidence().isEmpty() ? java.util.Collections.singletonList(null) : r.evidence();
            for (Evidence e : ev) {
                b.append(csv(tenant)).append(',').append(csv(deviceId)).append(',').append(r.number()).append(',')
                        .append(csv(r.title())).append(',').append(csv(r.etsiProvision())).append(',')
                        .append(r.standing()).append(',').append(csv(r.reason())).append(',');
                if (e == null) {
                    b.append(",,,,,,");
                } else {
                    b.append(csv(e.fact())).append(',').append(csv(e.source())).append(',').append(csv(e.key())).append(',')
                            .append(e.partition() == null ? "" : e.partition()).append(',')
                            .append(e.offset() == null ? "" : e.offset()).append(',').append(csv(e.alertId())).append(',')
                            .append(e.at() == null ? "" : e.at());
                }
                b.append("\r\n");
            }
        }
        return b.toString();
    }

    /** CSV of a fleet report: one line per guideline. */
    public static String fleetCsv(List<FleetGuideline> rows) {
        StringBuilder b = new StringBuilder("guideline,title,met,not_met,not_assessed,failing_devices\r\n");
        for (FleetGuideline r : rows) {
            b.append(r.number()).append(',').append(csv(r.title())).append(',').append(r.met()).append(',')
                    .append(r.notMet()).append(',').append(r.notAssessed()).append(',')
                    .append(csv(String.join(" ", r.failingDevices()))).append("\r\n");
        }
        return b.toString();
    }

    /** Quotes a CSV field and defuses spreadsheet formulas (CSV injection). */
    static String csv(String s) {
        if (s == null) {
            return "";
        }
        String v = s;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        return "\"" + v.replace("\"", "\"\"") + "\"";
    }

}
