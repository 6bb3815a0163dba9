package io.fleetwarden.dashboard.cra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.dashboard.posture.EvidenceStore;
import io.fleetwarden.dashboard.posture.PostureService;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;

class CraServiceTest {

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    final MovableClock clock = new MovableClock(T0);
    final DeviceStore devices = new DeviceStore();
    final AlertStore alerts = new AlertStore();
    final CatalogStore catalog = new CatalogStore();
    final PostureService posture = new PostureService(devices, alerts, catalog, new EvidenceStore(), new ReportStore(null),
            true, PostureService.DEFAULT_ACKNOWLEDGE_WITHIN, Duration.ofDays(30), clock);
    final Principal platform = new Principal("psirt-lead", Role.ADMIN, Set.of(), true);
    final Principal acme = new Principal("acme-viewer", Role.VIEWER, Set.of("acme"), false);
    final Principal initech = new Principal("initech-viewer", Role.VIEWER, Set.of("initech"), false);

    CraService service(CraCaseStore store) {
        return new CraService(store, catalog, alerts, posture, clock);
    }

    void fleet() {
        devices.applyStatus("acme/cam-1", Fixtures.device("acme", "cam-1", "cam-x1", "1.1.0", T0));
        devices.applyStatus("acme/cam-2", Fixtures.device("acme", "cam-2", "cam-x1", "1.2.0", T0)); // fixed version
        devices.applyStatus("acme/plug-1", Fixtures.device("acme", "plug-1", "plug-2", "1.1.0", T0)); // other model
        devices.applyStatus("globex/cam-1", Fixtures.device("globex", "cam-1", "cam-x1", "1.0.5", T0));
        catalog.applyAdvisory("FWSA-2026-0042", Advisory.newBuilder().setAdvisoryId("FWSA-2026-0042").setModel("cam-x1")
                .setAffectedVersions("[1.0.0,1.2.0)").setFixedVersion("1.2.0").setCveIds(List.of("CVE-2026-12345"))
                .setSeverity(Severity.CRITICAL).setTitle("RCE in the web UI").setPublishedAt(T0.minus(Duration.ofDays(2)))
                .build());
        Alert a = Alert.newBuilder(Fixtures.alert("ex-1", "globex", "cam-1", "CMP-NET-003", Severity.HIGH,
                T0.minus(Duration.ofHours(3)))).setEvidence(Map.of("signature", "exploit attempt CVE-2026-12345")).build();
        alerts.applyAlert(a);
    }

    @Test
    void exploitedAdvisoryOpensACaseWithDeadlinesADraftAndRemindersBeforeTheDeadline(@TempDir Path dir) {
        fleet();
        CraCaseStore store = new CraCaseStore(dir.resolve("cases.json"));
        CraService cra = service(store);
        assertThat(cra.proposals(platform)).singleElement().satisfies(p -> {
            assertThat(p.advisoryId()).isEqualTo("FWSA-2026-0042");
            assertThat(p.alertId()).isEqualTo("ex-1");
        });
        assertThat(cra.proposals(acme)).isEmpty(); // globex's alert

        CraCase c = cra.markExploited(platform, "FWSA-2026-0042", null, "ex-1", "seen in the wild");
        assertThat(c.deadline(CraCase.EARLY_WARNING)).isEqualTo(T0.plus(Duration.ofHours(24)));
        assertThat(c.deadline(CraCase.NOTIFICATION)).isEqualTo(T0.plus(Duration.ofHours(72)));
        assertThat(c.deadline(CraCase.FINAL_REPORT)).isNull();
        assertThat(c.firstEvidence().alertId()).isEqualTo("ex-1");
        assertThat(c.audit()).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("psirt-lead");
            assertThat(e.action()).isEqualTo("opened");
        });
        assertThat(cra.proposals(platform)).isEmpty();

        Map<String, Object> draft = cra.draft(platform, c.caseId(), CraCase.EARLY_WARNING);
        assertThat(draft.get("affectedDevices")).isEqualTo(List.of(
                new CraService.AffectedDevice("acme", "cam-1", "1.1.0", false),
                new CraService.AffectedDevice("globex", "cam-1", "1.0.5", false)));
        assertThat(draft.get("devicesPerTenant")).isEqualTo(Map.of("acme", 1, "globex", 1));
        assertThat(draft.get("deadline")).isEqualTo(T0.plus(Duration.ofHours(24)));
        assertThat(draft.toString()).contains("CVE-2026-12345").contains("fix available; 2 device(s) still run");

        // nothing before the reminder window; the early-warning reminder 6 h before its deadline, once
        clock.now = T0.plus(Duration.ofHours(17)).plusSeconds(59 * 60 + 59);
        assertThat(cra.checkDeadlines()).isEmpty();
        clock.now = T0.plus(Duration.ofHours(18));
        assertThat(cra.checkDeadlines()).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(CraCase.EARLY_WARNING);
            assertThat(r.due()).isEqualTo(T0.plus(Duration.ofHours(24)));
            assertThat(r.raisedAt()).isBefore(r.due());
        });
        assertThat(cra.checkDeadlines()).isEmpty();
        assertThat(cra.reminders(platform)).hasSize(1);
        assertThat(cra.view(platform, c.caseId()).deadlines().get(0).overdue()).isFalse();

        // submitted: the reminder is settled; overdue shows for the notification only after 72 h
        cra.submit(platform, c.caseId(), CraCase.EARLY_WARNING, "ENISA-SRP-1");
        assertThat(cra.reminders(platform)).isEmpty();
        assertThatThrownBy(() -> cra.submit(platform, c.caseId(), CraCase.EARLY_WARNING, "again"))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> cra.submit(platform, c.caseId(), CraCase.FINAL_REPORT, "x"))
                .isInstanceOf(ApiException.class);
        clock.now = T0.plus(Duration.ofHours(72));
        assertThat(cra.checkDeadlines()).extracting(CraService.Reminder::stage).containsExactly(CraCase.NOTIFICATION);
        assertThat(cra.view(platform, c.caseId()).deadlines().get(1).overdue()).isTrue();

        // the fix starts the final report's 14 days
        cra.fixAvailable(platform, c.caseId(), T0.plus(Duration.ofHours(48)), "1.2.0 shipped");
        CraCase stored = new CraCaseStore(dir.resolve("cases.json")).get(c.caseId()).orElseThrow(); // survives a restart
        assertThat(stored.deadline(CraCase.FINAL_REPORT)).isEqualTo(T0.plus(Duration.ofHours(48)).plus(Duration.ofDays(14)));
        assertThat(stored.audit()).extracting(CraCase.AuditEntry::action)
                .containsExactly("opened", "reminder", "submitted", "reminder", "fix-available");
    }

    @Test
    void tenantsSeeOnlyTheirDevicesAndCases() {
        fleet();
        CraService cra = service(new CraCaseStore(null));
        CraCase c = cra.markExploited(platform, "FWSA-2026-0042", null, "ex-1", null);
        CraService.CaseView v = cra.view(acme, c.caseId());
        assertThat(v.devicesPerTenant()).isEqualTo(Map.of("acme", 1));
        assertThat(v.caseRecord().firstEvidence().alertId()).isNull(); // globex's alert
        assertThat(v.caseRecord().firstEvidence().deviceId()).isNull();
        assertThat(v.caseRecord().tenants()).containsExactly("acme"); // globex is not named to acme
        assertThat(cra.view(platform, c.caseId()).caseRecord().tenants()).containsExactly("acme", "globex");
        assertThat(cra.draft(acme, c.caseId(), CraCase.EARLY_WARNING).get("affectedDevices"))
                .isEqualTo(List.of(new CraService.AffectedDevice("acme", "cam-1", "1.1.0", false)));
        assertThat(cra.cases(initech)).isEmpty();
        assertThatThrownBy(() -> cra.view(initech, c.caseId())).isInstanceOf(ApiException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void hostileInputIsRefused() {
        fleet();
        CraService cra = service(new CraCaseStore(null));
        Principal acmeAdmin = new Principal("acme-admin", Role.ADMIN, Set.of("acme"), false);
        assertThatThrownBy(() -> cra.markExploited(platform, "FWSA-2026-0042", T0.plus(Duration.ofHours(1)), null, null))
                .hasMessageContaining("future");
        assertThatThrownBy(() -> cra.markExploited(platform, "FWSA-2026-0042", T0.minus(Duration.ofDays(400)), null, null))
                .hasMessageContaining("365");
        assertThatThrownBy(() -> cra.markExploited(acmeAdmin, "FWSA-2026-0042", null, "ex-1", null)) // globex's alert
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> cra.markExploited(platform, "nope", null, null, null)).hasMessageContaining("not found");
        CraCase c = cra.markExploited(acmeAdmin, "FWSA-2026-0042", T0.minus(Duration.ofHours(30)), null, "late");
        assertThat(c.firstEvidence().alertId()).isEqualTo("ex-1"); // the earliest matching alert, found by its CVE
        assertThat(cra.view(acmeAdmin, c.caseId()).deadlines().get(0).overdue()).isTrue();
        assertThatThrownBy(() -> cra.markExploited(platform, "FWSA-2026-0042", null, null, null))
                .hasMessageContaining("already has case");
        assertThatThrownBy(() -> cra.draft(platform, c.caseId(), "gossip")).hasMessageContaining("stage must be");
    }
}
