package io.fleetwarden.dashboard.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.device.DeviceStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.firmware.CatalogStore;
import io.fleetwarden.dashboard.posture.Evidence.RecordRef;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;

/** The PSTI statement and the EN 303 645 conformance statement from posture evidence. */
class RegulatoryStatementTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    final DeviceStore devices = new DeviceStore();
    final CatalogStore catalog = new CatalogStore();
    final EvidenceStore evidence = new EvidenceStore();
    final ReportStore reports = new ReportStore(null);
    final AtomicLong offset = new AtomicLong();

    PostureService posture(boolean published) {
        return new PostureService(devices, new AlertStore(), catalog, evidence, reports, published,
                PostureService.DEFAULT_ACKNOWLEDGE_WITHIN, Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    PstiStatement psti(boolean published) {
        return new PstiStatement(posture(published), catalog, reports, published, PostureService.DEFAULT_ACKNOWLEDGE_WITHIN);
    }

    void event(SecurityEvent e) {
        evidence.applySecurityEvent(e, new RecordRef(Topics.SECURITY_EVENTS, "k", 0, offset.incrementAndGet(), e.getTimestamp()));
    }

    void connect(String tenant, String device, String model) {
        devices.applyStatus(tenant + "/" + device, Fixtures.device(tenant, device, model, "1.0.0", NOW));
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, tenant, device,
                NOW.minusSeconds(60)).build());
    }

    void catalogue(String model, Instant eos) {
        catalog.applyCatalog(model, FirmwareCatalogEntry.newBuilder().setModel(model).setLatestVersion("1.0.0")
                .setEndOfSupport(eos).setUpdatedAt(NOW).build());
    }

    @Test
    void pstiMetWithEvidenceAndDevicesPastSupportListed() {
        connect("acme", "a", "cam-x1");
        connect("acme", "b", "plug-2");
        connect("globex", "c", "plug-2");
        event(Fixtures.securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, "acme", "no-model",
                NOW).build()); // a device whose model is unknown is in scope but in no model
        catalogue("cam-x1", NOW.plus(Duration.ofDays(100)));
        catalogue("plug-2", NOW.minusSeconds(1));
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                null, null, NOW).setModel("cam-x1").build());
        PstiStatement.Statement s = psti(true).statement(Set.of("acme"), null);
        assertThat(s.requirements()).extracting(PstiStatement.Requirement::status).containsExactly("MET", "MET", "MET");
        assertThat(s.requirements().get(0).facts()).containsEntry("certificateAuthenticatedConnections", 2L)
                .doesNotContainKey("unverifiedDefaultCredentialAttemptsRefused"); // tenants do not see the front door
        assertThat(s.requirements().get(2).facts().get("devicesPastSupport")).isEqualTo(List.of("acme/b"));
        PstiStatement.Statement platform = psti(true).statement(Set.of(), "cam-x1");
        assertThat(platform.requirements().get(0).facts()).containsEntry("unverifiedDefaultCredentialAttemptsRefused", 1L);
        assertThat(platform.requirements().get(2).facts().get("devicesPastSupport")).isEqualTo(List.of());
    }

    @Test
    void pstiNotMetAndNotAssessed() {
        assertThat(psti(true).statement(Set.of("acme"), null).requirements().get(0).status()).isEqualTo("NOT_ASSESSED");
        connect("acme", "a", "cam-x1");
        catalogue("cam-x1", null);
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "acme", "a", NOW).build());
        reports.put(new ReportStore.Report("r1", NOW.minus(Duration.ofDays(10)), "t", "d", "cam-x1", null, null, "NEW",
                null, null, null, null));
        PstiStatement.Statement s = psti(true).statement(Set.of("acme"), "cam-x1");
        assertThat(s.requirements()).extracting(PstiStatement.Requirement::status)
                .containsExactly("NOT_MET", "NOT_MET", "NOT_MET");
        assertThat(s.requirements().get(0).evidence().get(0).fact()).contains("acme/a");
        assertThat(s.requirements().get(1).evidence().get(0).key()).isEqualTo("r1");
        assertThat(s.requirements().get(2).evidence().get(0).fact()).contains("no end-of-support date");
        assertThat(psti(false).statement(Set.of("acme"), null).requirements().get(1).evidence().get(0).key())
                .isEqualTo("securitytxt.contact");
    }

    @Test
    void icsStatesEachProvisionAndListsTheRest() {
        connect("acme", "a", "cam-x1");
        catalogue("cam-x1", NOW.plus(Duration.ofDays(100)));
        PostureService posture = posture(true);
        PstiStatement psti = new PstiStatement(posture, catalog, reports, true, PostureService.DEFAULT_ACKNOWLEDGE_WITHIN);
        IcsExport.Statement s = new IcsExport(posture, psti).statement(Set.of("acme"), null);
        java.util.Map<String, String> status = new java.util.TreeMap<>();
        s.provisions().forEach(p -> status.put(p.provision(), p.status()));
        assertThat(status).containsEntry("5.1-1", "NOT_APPLICABLE").containsEntry("5.2-1", "SUPPORTED")
                .containsEntry("5.3-13", "SUPPORTED").containsEntry("5.5-1", "SUPPORTED")
                .containsEntry("5.10-1", "NO_EVIDENCE").containsEntry("5.3-2", "NO_EVIDENCE");
        assertThat(s.outsideFleetTelemetry()).contains("5.4-1", "6-5").doesNotContainAnyElementsOf(status.keySet());
        String csv = IcsExport.csv(s);
        assertThat(csv.split("\r\n")).hasSize(1 + s.provisions().size() + s.outsideFleetTelemetry().size());
        assertThat(csv).contains("OUTSIDE_FLEET_TELEMETRY");
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "acme", "a", NOW).build());
        assertThat(new IcsExport(posture, psti).statement(Set.of("acme"), null).provisions().get(0).status())
                .isEqualTo("NOT_SUPPORTED");
    }
}
