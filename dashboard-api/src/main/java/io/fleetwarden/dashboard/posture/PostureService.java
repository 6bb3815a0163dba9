package io.fleetwarden.dashboard.posture;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Guideline;
import io.fleetwarden.model.firmware.FirmwareVersion;
import io.fleetwarden.model.firmware.VersionRange;

/**
 * Standing of a device and of a fleet against the 13 Code of Practice guidelines.
 *
 * <p>Per device and guideline: NOT_MET when the stream jobs list the guideline as failing or an
 * unresolved alert names it; otherwise MET when the platform has a way to observe the guideline
 * for this device (a monitoring rule and telemetry from the device, the firmware catalog, the
 * platform's own controls) and NOT_ASSESSED when it has none (e.g. secure credential storage
 * on the device, guideline 4, cannot be seen from the network). Every standing carries the
 * evidence it rests on.
 */
public final class PostureService {

    /** MET, NOT_MET or NOT_ASSESSED, with the reasons. */
    public record GuidelineStanding(int number, String title, String etsiProvision, String standing,
                                    List<String> evidence) {
    }

    /** Counts of one guideline across a fleet. */
    public record FleetGuideline(int number, String title, int met, int notMet, int notAssessed,
                                 List<String> failingDevices) {
    }

    /** What the platform watches for each guideline it can assess from device telemetry. */
    private static final Map<Guideline, String> MONITORED = new EnumMap<>(Map.of(
            Guideline.NO_DEFAULT_PASSWORDS, "default-credential attempts are detected at CONNECT",
            Guideline.COMMUNICATE_SECURELY, "device connects only over mutual TLS (1.2/1.3, AEAD suites)",
            Guideline.MINIMISE_ATTACK_SURFACE, "listening ports and destinations reported in telemetry are monitored",
            Guideline.SOFTWARE_INTEGRITY, "running firmware image hash is checked against the catalog",
            Guideline.RESILIENT_TO_OUTAGES, "offline, flapping and reconnect-storm rules watch the device",
            Guideline.MONITOR_TELEMETRY, "device telemetry is received and monitored",
            Guideline.VALIDATE_INPUT, "every payload is validated by the broker; malformed bursts raise alerts"));

    private final DeviceStore devices;
    private final AlertStore alerts;
    private final CatalogStore catalog;
    private final boolean disclosurePolicyPublished;

    public PostureService(DeviceStore devices, AlertStore alerts, CatalogStore catalog, boolean disclosurePolicyPublished) {
        this.devices = devices;
        this.alerts = alerts;
        this.catalog = catalog;
        this.disclosurePolicyPublished = disclosurePolicyPublished;
    }

    public List<GuidelineStanding> deviceStanding(String tenant, String deviceId) {
        String key = DeviceKeys.of(tenant, deviceId);
        DeviceStatus s = devices.status(key).orElse(null);
        DeviceControl c = devices.control(key).orElse(null);
        Map<Integer, List<String>> failing = new LinkedHashMap<>();
        if (s != null) {
            for (int g : s.getFailingGuidelines()) {
                failing.computeIfAbsent(g, k -> new ArrayList<>()).add("stream jobs report guideline " + g + " failing");
            }
        }
        for (Alert a : alerts.alertsOfDevice(tenant, deviceId)) {
            if ("RESOLVED".equals(AlertService.effectiveStatus(a, alerts.triage(a.getAlertId()).orElse(null)))) {
                continue;
            }
            for (int g : a.getGuidelines()) {
                failing.computeIfAbsent(g, k -> new ArrayList<>())
                        .add("open alert " + a.getAlertId() + " (" + a.getRuleId() + ": " + a.getSummary() + ")");
            }
        }
        boolean seen = s != null && s.getLastSeen() != null;
        List<GuidelineStanding> out = new ArrayList<>();
        for (Guideline g : Guideline.values()) {
            List<String> evidence = new ArrayList<>();
            String standing;
            if (failing.containsKey(g.number())) {
                standing = "NOT_MET";
                evidence.addAll(failing.get(g.number()));
            } else if (g == Guideline.VULNERABILITY_DISCLOSURE) {
                standing = disclosurePolicyPublished ? "MET" : "NOT_MET";
                evidence.add(disclosurePolicyPublished ? "security.txt and report intake are published"
                        : "no security.txt contact configured");
            } else if (g == Guideline.KEEP_SOFTWARE_UPDATED) {
                standing = firmwareStanding(s, evidence);
            } else if (g == Guideline.EASY_DATA_DELETION) {
                standing = "MET";
                evidence.add("decommission erases the device's series and keyed records");
            } else if (MONITORED.containsKey(g) && seen) {
                standing = "MET";
                evidence.add(MONITORED.get(g) + "; no open alert for this guideline");
                evidence.add("last seen " + s.getLastSeen());
            } else {
                standing = "NOT_ASSESSED";
                evidence.add(MONITORED.containsKey(g) ? "no telemetry from the device yet"
                        : "not observable from the platform");
            }
            if (c != null && c.getQuarantined() && "NOT_MET".equals(standing)) {
                evidence.add("device is quarantined by " + c.getIssuedBy());
            }
            out.add(new GuidelineStanding(g.number(), g.title(), g.etsiProvision(), standing, evidence));
        }
        return out;
    }

    private String firmwareStanding(DeviceStatus s, List<String> evidence) {
        if (s == null || s.getModel() == null || s.getFirmwareVersion() == null) {
            evidence.add("model or firmware version unknown");
            return "NOT_ASSESSED";
        }
        FirmwareCatalogEntry e = catalog.entry(s.getModel()).orElse(null);
        if (e == null || !FirmwareVersion.isValid(s.getFirmwareVersion()) || !FirmwareVersion.isValid(e.getLatestVersion())) {
            evidence.add("no firmware catalog entry for model " + s.getModel());
            return "NOT_ASSESSED";
        }
        String standing = "MET";
        for (Advisory a : catalog.advisories()) {
            if (!a.getWithdrawn() && a.getModel().equals(s.getModel()) && affects(a, s.getFirmwareVersion())) {
                evidence.add("firmware " + s.getFirmwareVersion() + " is affected by advisory " + a.getAdvisoryId());
                standing = "NOT_MET";
            }
        }
        if (FirmwareVersion.parse(s.getFirmwareVersion()).isOlderThan(FirmwareVersion.parse(e.getLatestVersion()))) {
            evidence.add("firmware " + s.getFirmwareVersion() + " is behind latest " + e.getLatestVersion());
            standing = "NOT_MET";
        }
        if (e.getEndOfSupport() != null && e.getEndOfSupport().isBefore(java.time.Instant.now())) {
            evidence.add("model " + s.getModel() + " is past end of support");
            standing = "NOT_MET";
        }
        if ("MET".equals(standing)) {
            evidence.add("firmware " + s.getFirmwareVersion() + " is the latest release and no advisory applies");
        }
        return standing;
    }

    /** Whether an advisory's range contains {@code version}; an unparsable range affects nothing. */
    public static boolean affects(Advisory a, String version) {
        try {
            return FirmwareVersion.isValid(version) && VersionRange.parse(a.getAffectedVersions()).contains(version);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Fleet standing: per guideline, how many devices of {@code tenants} (empty = all) meet it. */
    public List<FleetGuideline> fleetStanding(Set<String> tenants) {
        int[][] counts = new int[14][3];
        List<Set<String>> failingDevices = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            failingDevices.add(new TreeSet<>());
        }
        for (String key : devices.keys()) {
            String[] tk = DeviceKeys.parse(key);
            if (!tenants.isEmpty() && !tenants.contains(tk[0])) {
                continue;
            }
            for (GuidelineStanding g : deviceStanding(tk[0], tk[1])) {
                int idx = switch (g.standing()) {
                    case "MET" -> 0;
                    case "NOT_MET" -> 1;
                    default -> 2;
                };
                counts[g.number()][idx]++;
                if (idx == 1) {
                    failingDevices.get(g.number()).add(key);
                }
            }
        }
        List<FleetGuideline> out = new ArrayList<>();
        for (Guideline g : Guideline.values()) {
            int n = g.number();
            out.add(new FleetGuideline(n, g.title(), counts[n][0], counts[n][1], counts[n][2],
                    List.copyOf(failingDevices.get(n))));
        }
        return out;
    }

    /** CSV of a device report: one line per guideline. RFC 4180 quoting. */
    public static String deviceCsv(String tenant, String deviceId, List<GuidelineStanding> rows) {
        StringBuilder b = new StringBuilder("tenant,device,guideline,title,etsi_provision,standing,evidence\r\n");
        for (GuidelineStanding r : rows) {
            b.append(csv(tenant)).append(',').append(csv(deviceId)).append(',').append(r.number()).append(',')
                    .append(csv(r.title())).append(',').append(csv(r.etsiProvision())).append(',')
                    .append(r.standing()).append(',').append(csv(String.join("; ", r.evidence()))).append("\r\n");
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
