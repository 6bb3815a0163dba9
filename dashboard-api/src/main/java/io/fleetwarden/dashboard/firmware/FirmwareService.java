package io.fleetwarden.dashboard.firmware;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.posture.PostureService;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.firmware.FirmwareVersion;
import io.fleetwarden.model.firmware.VersionRange;

/**
 * Firmware catalog and advisories: validated, then published to their compacted topics, which
 * the firmware job reads. Catalog and advisories are platform-wide (models are shared by tenants);
 * the list of devices an advisory affects is scoped to the caller's tenants.
 */
public final class FirmwareService {

    /** Input of an advisory. */
    public record AdvisoryInput(String advisoryId, String model, String affectedVersions, String fixedVersion,
                                List<String> cveIds, String severity, String title, String description) {
    }

    /** Input of one release in a catalog entry. */
    public record ReleaseInput(String version, Instant releasedAt, String imageSha256) {
    }

    /** Input of a catalog entry. */
    public record CatalogInput(String model, String vendor, String latestVersion, List<ReleaseInput> releases,
                               Instant endOfSupport) {
    }

    private final CatalogStore store;
    private final DeviceStore devices;
    private final RecordPublisher publisher;
    private final Clock clock;

    public FirmwareService(CatalogStore store, DeviceStore devices, RecordPublisher publisher, Clock clock) {
        this.store = store;
        this.devices = devices;
        this.publisher = publisher;
        this.clock = clock;
    }

    public List<Map<String, Object>> catalog() {
        List<Map<String, Object>> out = new ArrayList<>();
        store.entries().stream().sorted(Comparator.comparing(FirmwareCatalogEntry::getModel)).forEach(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", e.getModel());
            m.put("vendor", e.getVendor());
            m.put("latestVersion", e.getLatestVersion());
            List<Map<String, Object>> rel = new ArrayList<>();
            for (FirmwareRelease r : e.getReleases()) {
                rel.add(Map.of("version", r.getVersion(), "releasedAt", r.getReleasedAt(),
                        "imageSha256", r.getImageSha256()));
            }
            m.put("releases", rel);
            m.put("endOfSupport", e.getEndOfSupport());
            m.put("updatedAt", e.getUpdatedAt());
            out.add(m);
        });
        return out;
    }

    public Map<String, Object> putCatalog(CatalogInput in) {
        requireModel(in.model());
        requireVersion("latestVersion", in.latestVersion());
        List<FirmwareRelease> releases = new ArrayList<>();
        for (ReleaseInput r : in.releases() == null ? List.<ReleaseInput>of() : in.releases()) {
            requireVersion("releases[].version", r.version());
            if (r.imageSha256() == null || !r.imageSha256().matches("[0-9a-f]{64}")) {
                throw ApiException.badRequest("releases[].imageSha256 must be 64 lowercase hex characters");
            }
            if (r.releasedAt() == null) {
                throw ApiException.badRequest("releases[].releasedAt is required");
            }
            releases.add(new FirmwareRelease(r.version(), r.releasedAt(), r.imageSha256()));
        }
        FirmwareCatalogEntry e = FirmwareCatalogEntry.newBuilder().setModel(in.model()).setVendor(in.vendor())
                .setLatestVersion(in.latestVersion()).setReleases(releases)
                .setEndOfSupport(in.endOfSupport())
                .setUpdatedAt(clock.instant()).build();
        publisher.publish(Topics.FIRMWARE_CATALOG, in.model(), Codecs.FIRMWARE_CATALOG.encode(e));
        store.applyCatalog(in.model(), e);
        return Map.of("model", in.model(), "latestVersion", in.latestVersion());
    }

    public List<Map<String, Object>> advisories() {
        List<Map<String, Object>> out = new ArrayList<>();
        store.advisories().stream().sorted(Comparator.comparing(Advisory::getAdvisoryId)).forEach(a -> out.add(view(a)));
        return out;
    }

    public Map<String, Object> advisory(String id) {
        return view(store.advisory(id).orElseThrow(() -> ApiException.notFound("advisory " + id + " not found")));
    }

    public Map<String, Object> publishAdvisory(AdvisoryInput in) {
        if (in.advisoryId() == null || !in.advisoryId().matches("[A-Z][A-Z0-9]{1,15}-\\d{4}-\\d{4,6}")) {
            throw ApiException.badRequest("advisoryId must look like FWSA-2026-0001");
        }
        requireModel(in.model());
        try {
            VersionRange.parse(in.affectedVersions());
        } catch (RuntimeException e) {
            throw ApiException.badRequest("affectedVersions must be a version range such as [1.0.0,1.4.2)");
        }
        if (in.fixedVersion() != null) {
            requireVersion("fixedVersion", in.fixedVersion());
        }
        List<String> cves = in.cveIds() == null ? List.of() : in.cveIds();
        for (String c : cves) {
            if (c == null || !c.matches("CVE-\\d{4}-\\d{4,7}")) {
                throw ApiException.badRequest("cveIds must look like CVE-2026-12345");
            }
        }
        Severity severity;
        try {
            severity = Severity.valueOf(in.severity() == null ? "" : in.severity().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("severity must be INFO, LOW, MEDIUM, HIGH or CRITICAL");
        }
        if (in.title() == null || in.title().isBlank() || in.title().length() > 300) {
            throw ApiException.badRequest("title is required (at most 300 characters)");
        }
        if (in.description() != null && in.description().length() > 20_000) {
            throw ApiException.badRequest("description must be at most 20000 characters");
        }
        Advisory a = Advisory.newBuilder().setAdvisoryId(in.advisoryId()).setModel(in.model())
                .setAffectedVersions(in.affectedVersions()).setFixedVersion(in.fixedVersion()).setCveIds(cves)
                .setSeverity(severity).setTitle(in.title()).setDescription(in.description())
                .setPublishedAt(clock.instant()).setWithdrawn(false).build();
        publisher.publish(Topics.ADVISORIES, a.getAdvisoryId(), Codecs.ADVISORY.encode(a));
        store.applyAdvisory(a.getAdvisoryId(), a);
        return view(a);
    }

    public Map<String, Object> withdraw(String id) {
        Advisory a = store.advisory(id).orElseThrow(() -> ApiException.notFound("advisory " + id + " not found"));
        Advisory w = Advisory.newBuilder(a).setWithdrawn(true).build();
        publisher.publish(Topics.ADVISORIES, id, Codecs.ADVISORY.encode(w));
        store.applyAdvisory(id, w);
        return view(w);
    }

    /** Devices of {@code tenants} (empty = all) whose model and firmware fall in the advisory. */
    public List<Map<String, Object>> affectedDevices(String id, Set<String> tenants) {
        Advisory a = store.advisory(id).orElseThrow(() -> ApiException.notFound("advisory " + id + " not found"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeviceStatus s : devices.statuses()) {
            if (!tenants.isEmpty() && !tenants.contains(s.getTenant())) {
                continue;
            }
            if (a.getModel().equals(s.getModel()) && s.getFirmwareVersion() != null
                    && PostureService.affects(a, s.getFirmwareVersion())) {
                out.add(Map.of("tenant", s.getTenant(), "deviceId", s.getDeviceId(), "firmwareVersion",
                        s.getFirmwareVersion()));
            }
        }
        out.sort(Comparator.comparing(m -> m.get("tenant") + "/" + m.get("deviceId")));
        return out;
    }

    /** Firmware versions per model across {@code tenants}: model -> version -> device count. */
    public Map<String, Map<String, Integer>> distribution(Set<String> tenants) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        for (DeviceStatus s : devices.statuses()) {
            if (!tenants.isEmpty() && !tenants.contains(s.getTenant())) {
                continue;
            }
            String model = s.getModel() == null ? "unknown" : s.getModel();
            String fw = s.getFirmwareVersion() == null ? "unknown" : s.getFirmwareVersion();
            out.computeIfAbsent(model, k -> new TreeMap<>()).merge(fw, 1, Integer::sum);
        }
        return out;
    }

    private static Map<String, Object> view(Advisory a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("advisoryId", a.getAdvisoryId());
        m.put("model", a.getModel());
        m.put("affectedVersions", a.getAffectedVersions());
        m.put("fixedVersion", a.getFixedVersion());
        m.put("cveIds", a.getCveIds());
        m.put("severity", a.getSeverity().name());
        m.put("title", a.getTitle());
        m.put("description", a.getDescription());
        m.put("publishedAt", a.getPublishedAt());
        m.put("withdrawn", a.getWithdrawn());
        return m;
    }

    private static void requireModel(String model) {
        if (model == null || !model.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw ApiException.badRequest("model must be 1-64 characters of [A-Za-z0-9._-]");
        }
    }

    private static void requireVersion(String field, String v) {
        if (v == null || !FirmwareVersion.isValid(v)) {
            throw ApiException.badRequest(field + " must be a firmware version such as 1.4.2");
        }
    }
}
