package io.fleetwarden.simulator.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Severity;

/**
 * The firmware catalog and advisories the simulator publishes at start, dated relative to the run
 * start so the same firmware facts hold whenever the simulator runs.
 *
 * <p>The start-up advisories cover only versions no simulated device runs: a genuine fleet raises no
 * advisory alert. The {@code new-advisory} scenario publishes {@link #scenarioAdvisory} later.
 */
public final class FirmwareCatalog {

    private FirmwareCatalog() {
    }

    /** One catalog entry per model. */
    public static List<FirmwareCatalogEntry> entries(Instant runStart) {
        List<FirmwareCatalogEntry> out = new ArrayList<>();
        for (DeviceModel m : DeviceModels.ALL) {
            List<FirmwareRelease> releases = new ArrayList<>();
            for (DeviceModel.Release r : m.releases()) {
                releases.add(new FirmwareRelease(r.version(), runStart.minus(Duration.ofDays(r.ageDays())),
                        FirmwareImages.genuineHash(m.name(), r.version())));
            }
            out.add(FirmwareCatalogEntry.newBuilder()
                    .setModel(m.name())
                    .setVendor(m.vendor())
                    .setLatestVersion(m.latest().version())
                    .setReleases(releases)
                    .setEndOfSupport(runStart.plus(Duration.ofDays(3 * 365)))
                    .setUpdatedAt(runStart)
                    .build());
        }
        return out;
    }

    /** Advisories known at start; none of them affects a version the simulated fleet runs. */
    public static List<Advisory> initialAdvisories(Instant runStart) {
        return List.of(
                advisory("FWSA-SIM-0001", DeviceModels.CAMERA.name(), "[1.0.0,2.0.0)", "2.0.0",
                        List.of("CVE-2025-10001"), Severity.HIGH, "Unauthenticated RTSP stream access",
                        runStart.minus(Duration.ofDays(500))),
                advisory("FWSA-SIM-0002", DeviceModels.PLUG.name(), "[0.9.0,1.0.0)", "1.0.0",
                        List.of("CVE-2025-10002"), Severity.MEDIUM, "Hard-coded debug credentials",
                        runStart.minus(Duration.ofDays(700))));
    }

    /**
     * The advisory the {@code new-advisory} scenario publishes: it makes the thermostat's previous
     * release (deployed on about a quarter of thermostats) vulnerable.
     */
    public static Advisory scenarioAdvisory(Instant publishedAt) {
        DeviceModel m = DeviceModels.THERMOSTAT;
        return advisory("FWSA-SIM-0100", m.name(), "[" + m.previous().version() + "," + m.latest().version() + ")",
                m.latest().version(), List.of("CVE-2026-20100"), Severity.CRITICAL,
                "Remote code execution in the local HTTP API", publishedAt);
    }

    private static Advisory advisory(String id, String model, String range, String fixed, List<String> cves,
                                     Severity severity, String title, Instant published) {
        return Advisory.newBuilder()
                .setAdvisoryId(id)
                .setModel(model)
                .setAffectedVersions(range)
                .setFixedVersion(fixed)
                .setCveIds(cves)
                .setSeverity(severity)
                .setTitle(title)
                .setPublishedAt(published)
                .build();
    }
}
