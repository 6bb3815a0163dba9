package io.fleetwarden.dashboard.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Severity;

class PostureServiceTest {

    final DeviceStore devices = new DeviceStore();
    final AlertStore alerts = new AlertStore();
    final CatalogStore catalog = new CatalogStore();
    final PostureService service = new PostureService(devices, alerts, catalog, true);
    final Instant now = Instant.now();

    String standing(List<PostureService.GuidelineStanding> rows, int n) {
        return rows.get(n - 1).standing();
    }

    @Test
    void everyGuidelineIsMetNotMetOrNotAssessedWithEvidence() {
        DeviceStatus s = DeviceStatus.newBuilder(Fixtures.device("acme", "cam-1", "cam-x1", "1.0.0", now))
                .setFailingGuidelines(List.of(9)).build();
        devices.applyStatus("acme/cam-1", s);
        alerts.applyAlert(Fixtures.alert("a1", "acme", "cam-1", "FW-COMP-002", Severity.HIGH, now)); // guidelines 1, 5
        catalog.applyCatalog("cam-x1", FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion("1.2.0")
                .setUpdatedAt(now).build());

        List<PostureService.GuidelineStanding> rows = service.deviceStanding("acme", "cam-1");
        assertThat(rows).hasSize(13).allSatisfy(r -> assertThat(r.evidence()).isNotEmpty());
        assertThat(standing(rows, 1)).isEqualTo("NOT_MET");
        assertThat(rows.get(0).evidence().get(0)).contains("a1");
        assertThat(standing(rows, 2)).isEqualTo("MET");
        assertThat(standing(rows, 3)).isEqualTo("NOT_MET");
        assertThat(rows.get(2).evidence().toString()).contains("behind latest 1.2.0");
        assertThat(standing(rows, 4)).isEqualTo("NOT_ASSESSED");
        assertThat(standing(rows, 5)).isEqualTo("NOT_MET");
        assertThat(standing(rows, 6)).isEqualTo("MET");
        assertThat(standing(rows, 9)).isEqualTo("NOT_MET");
        assertThat(standing(rows, 11)).isEqualTo("MET");
        assertThat(standing(rows, 12)).isEqualTo("NOT_ASSESSED");
    }

    @Test
    void advisoriesAndFleetCounts() {
        devices.applyStatus("acme/a", Fixtures.device("acme", "a", "cam-x1", "1.2.0", now));
        devices.applyStatus("acme/b", Fixtures.device("acme", "b", "cam-x1", "1.1.0", now));
        devices.applyStatus("globex/c", Fixtures.device("globex", "c", "cam-x1", "1.1.0", now));
        catalog.applyCatalog("cam-x1", FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion("1.1.0")
                .setUpdatedAt(now).build());
        catalog.applyAdvisory("FWSA-2026-0001", Advisory.newBuilder().setAdvisoryId("FWSA-2026-0001").setModel("cam-x1")
                .setAffectedVersions("[1.1.0,1.2.0)").setSeverity(Severity.HIGH).setTitle("t").setPublishedAt(now).build());
        List<PostureService.FleetGuideline> fleet = service.fleetStanding(Set.of("acme"));
        PostureService.FleetGuideline g3 = fleet.get(2);
        assertThat(g3.met()).isEqualTo(1);
        assertThat(g3.notMet()).isEqualTo(1);
        assertThat(g3.failingDevices()).containsExactly("acme/b");
        assertThat(service.fleetStanding(Set.of()).get(2).notMet()).isEqualTo(2);
        String csv = PostureService.fleetCsv(fleet);
        assertThat(csv.split("\r\n")).hasSize(14);
    }

    @Test
    void csvQuotesAndDefusesFormulas() {
        assertThat(PostureService.csv("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(PostureService.csv("a,b")).isEqualTo("\"a,b\"");
        assertThat(PostureService.csv(null)).isEmpty();
    }
}
