package io.fleetwarden.dashboard.posture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.fleetwarden.dashboard.posture.PostureService.GuidelineStanding;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.Guideline;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

class PostureServiceTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final String HASH = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    final DeviceStore devices = new DeviceStore();
    final AlertStore alerts = new AlertStore();
    final CatalogStore catalog = new CatalogStore();
    final EvidenceStore evidence = new EvidenceStore();
    final ReportStore reports = new ReportStore(null);
    final PostureService service = service(true);
    final AtomicLong offset = new AtomicLong();

    PostureService service(boolean published) {
        return new PostureService(devices, alerts, catalog, evidence, reports, published,
                PostureService.DEFAULT_ACKNOWLEDGE_WITHIN, Duration.ofDays(30), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    RecordRef ref(String topic, Instant at) {
        return new RecordRef(topic, "acme/cam-1", 0, offset.incrementAndGet(), at);
    }

    void telemetry(Telemetry t) {
        evidence.applyTelemetry(t, ref(Topics.TELEMETRY, t.getReceivedAt()));
    }

    void event(SecurityEvent e) {
        evidence.applySecurityEvent(e, ref(Topics.SECURITY_EVENTS, e.getTimestamp()));
    }

    Telemetry.Builder report(Instant at) {
        return Fixtures.telemetry("acme", "cam-1", "cam-x1", "1.2.0", at).setFirmwareImageHash(HASH);
    }

    void catalogue(String latest, Instant releasedAt, Instant endOfSupport) {
        catalog.applyCatalog("cam-x1", FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion(latest)
                .setReleases(List.of(FirmwareRelease.newBuilder().setVersion("1.2.0").setReleasedAt(NOW.minus(Duration.ofDays(90)))
                                .setImageSha256(HASH).build(),
                        FirmwareRelease.newBuilder().setVersion(latest).setReleasedAt(releasedAt).setImageSha256(HASH).build()))
                .setEndOfSupport(endOfSupport).setUpdatedAt(NOW).build());
    }

    GuidelineStanding g(int n) {
        return service.deviceStanding("acme", "cam-1").get(n - 1);
    }

    @Test
    void aDeviceWithNoRecordsIsNotAssessedEverywhere() {
        catalogue("1.2.0", NOW.minus(Duration.ofDays(90)), null);
        for (PostureService s : List.of(service(true), service(false))) {
            List<GuidelineStanding> rows = s.deviceStanding("acme", "never-seen");
            assertThat(rows).hasSize(13).allSatisfy(r -> {
                assertThat(r.standing()).isEqualTo("NOT_ASSESSED");
                assertThat(r.reason()).isNotBlank();
            });
        }
        // records of other devices and unverified attempts give this device nothing
        telemetry(report(NOW.minusSeconds(60)).build());
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                null, null, NOW).setClaimedClientId("never-seen").build());
        assertThat(service.deviceStanding("acme", "never-seen")).allSatisfy(r -> assertThat(r.standing()).isEqualTo("NOT_ASSESSED"));
        assertThat(service.deviceStanding("globex", "cam-1")).allSatisfy(r -> assertThat(r.standing()).isEqualTo("NOT_ASSESSED"));
    }

    @Test
    void noStandingCanBeReachedWithoutEvidenceWithProvenance() {
        for (Guideline gl : Guideline.values()) {
            for (String st : List.of("MET", "NOT_MET")) {
                assertThatThrownBy(() -> new GuidelineStanding(gl.number(), gl.title(), gl.etsiProvision(), st, null, List.of()))
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> new GuidelineStanding(gl.number(), gl.title(), gl.etsiProvision(), st, null,
                        List.of(new Evidence("a fact from nowhere", "fleet.telemetry", null, null, null, null, NOW))))
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThatThrownBy(() -> new GuidelineStanding(gl.number(), gl.title(), gl.etsiProvision(), "NOT_ASSESSED", " ",
                    List.of())).isInstanceOf(IllegalStateException.class);
        }
        // a fully evidenced device: every MET / NOT_MET piece names a record, alert, report or configuration key
        healthyDevice();
        assertThat(service.deviceStanding("acme", "cam-1")).allSatisfy(r -> {
            if (!r.standing().equals("NOT_ASSESSED")) {
                assertThat(r.evidence()).isNotEmpty().allMatch(Evidence::hasProvenance);
            }
        });
    }

    void healthyDevice() {
        catalogue("1.2.0", NOW.minus(Duration.ofDays(90)), NOW.plus(Duration.ofDays(900)));
        Instant t0 = NOW.minus(Duration.ofHours(2));
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme", "cam-1", t0).build());
        event(Fixtures.securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, "acme", "cam-1",
                t0.plusSeconds(600)).build());
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme", "cam-1",
                t0.plusSeconds(642)).build());
        telemetry(report(t0.plusSeconds(700)).setUpdate(UpdateStatus.newBuilder().setState(UpdateState.SUCCEEDED)
                .setTargetVersion("1.2.0").setAttempt(1).setFailureReason(null).build()).build());
        telemetry(report(t0.plusSeconds(710)).build());
    }

    @Test
    void healthyDeviceIsMetWhereTheEvidenceIsPositive() {
        healthyDevice();
        List<GuidelineStanding> rows = service.deviceStanding("acme", "cam-1");
        for (int n : new int[] {1, 2, 3, 5, 6, 7, 9, 10, 12, 13}) {
            assertThat(rows.get(n - 1).standing()).as("guideline %d: %s", n, rows.get(n - 1)).isEqualTo("MET");
        }
        for (int n : new int[] {4, 8, 11}) {
            assertThat(rows.get(n - 1).standing()).as("guideline %d", n).isEqualTo("NOT_ASSESSED");
        }
        assertThat(rows.get(0).evidence().get(0).fact()).contains("2 connection(s) authenticated by the device's own certificate");
        assertThat(rows.get(4).evidence().get(0).fact()).contains("all 4 connections and reports").contains("TLS 1.2+");
        assertThat(rows.get(4).evidence().get(0).source()).isEqualTo(Topics.TELEMETRY);
        assertThat(rows.get(6).evidence().get(0).fact()).contains("matches the catalogue");
        assertThat(rows.get(8).evidence().get(1).fact()).contains("came back from its last outage after 42 s");
        assertThat(rows.get(11).evidence().get(0).fact()).contains("update to 1.2.0 succeeded");
        assertThat(rows.get(9).evidence().get(1).offset()).isEqualTo(5L);
    }

    @Test
    void failingEvidenceMakesEachGuidelineNotMet() {
        healthyDevice();
        Instant t = NOW.minusSeconds(30);
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "acme", "cam-1", t).setUsername("admin").build());
        event(Fixtures.securityEvent(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED,
                "acme", "cam-1", t).setBroker(Fixtures.broker("TLSv1.1", "TLS_RSA_WITH_AES_128_CBC_SHA", NOW)).build());
        event(Fixtures.securityEvent(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION,
                "acme", "cam-1", t).build());
        telemetry(report(t).setListeningPorts(List.of(443, 23)).setFirmwareImageHash(HASH.replace('2', '3'))
                .setUpdate(UpdateStatus.newBuilder().setState(UpdateState.FAILED).setTargetVersion("1.3.0").setAttempt(1)
                        .setFailureReason("flash").build())
                .setBroker(Fixtures.broker("TLSv1.3", "TLS_AES_128_GCM_SHA256", NOW.plus(Duration.ofDays(3)))).build());
        catalogue("1.3.0", NOW.minus(Duration.ofDays(31)), null);
        List<GuidelineStanding> rows = service.deviceStanding("acme", "cam-1");
        for (int n : new int[] {1, 3, 5, 6, 7, 12, 13}) {
            assertThat(rows.get(n - 1).standing()).as("guideline %d: %s", n, rows.get(n - 1)).isEqualTo("NOT_MET");
        }
        assertThat(rows.get(0).evidence().get(0).fact()).contains("1 default-credential attempt");
        assertThat(rows.get(2).evidence().toString()).contains("grace period ended");
        assertThat(rows.get(4).evidence().get(0).fact()).contains("TLSv1.1 TLS_RSA_WITH_AES_128_CBC_SHA");
        assertThat(rows.get(5).evidence().get(0).fact()).contains("[23]");
        assertThat(rows.get(6).evidence().get(0).fact()).contains("does not match");
        assertThat(rows.get(11).evidence().toString()).contains("update to 1.3.0 failed").contains("no renewal");
        assertThat(rows.get(12).evidence().get(0).fact()).contains("payload-schema-violation");
    }

    @Test
    void guideline3SharesTheGracePeriodWithFwVer001() {
        healthyDevice();
        catalogue("1.3.0", NOW.minus(Duration.ofDays(30)).plusMillis(1), null);
        assertThat(g(3).standing()).isEqualTo("MET");
        assertThat(g(3).evidence().toString()).contains("inside the grace period");
        catalogue("1.3.0", NOW.minus(Duration.ofDays(30)), null);
        assertThat(g(3).standing()).isEqualTo("NOT_MET");
        catalogue("1.2.0", NOW.minus(Duration.ofDays(90)), NOW);
        assertThat(g(3).standing()).isEqualTo("NOT_MET");
        assertThat(g(3).evidence().toString()).contains("past its end of support");
        catalogue("1.2.0", NOW.minus(Duration.ofDays(90)), null);
        catalog.applyAdvisory("FWSA-1", Advisory.newBuilder().setAdvisoryId("FWSA-1").setModel("cam-x1")
                .setAffectedVersions("[1.0.0,1.2.1)").setSeverity(Severity.HIGH).setTitle("t").setPublishedAt(NOW).build());
        assertThat(g(3).standing()).isEqualTo("NOT_MET");
        assertThat(g(3).evidence().toString()).contains("FWSA-1");
    }

    @Test
    void notAssessedCarriesTheReason() {
        // a device seen only through a disconnect: no telemetry, no TLS, no outage recovery
        event(Fixtures.securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, "acme", "cam-1",
                NOW.minusSeconds(5)).build());
        List<GuidelineStanding> rows = service.deviceStanding("acme", "cam-1");
        assertThat(rows.get(2).reason()).contains("firmware version");
        assertThat(rows.get(6).reason()).contains("no telemetry");
        assertThat(rows.get(8).reason()).contains("not back yet");
        assertThat(rows.get(8).evidence()).hasSize(1);
        assertThat(rows.get(9).reason()).contains("no telemetry");
        assertThat(rows).allSatisfy(r -> assertThat(r.standing()).isEqualTo("NOT_ASSESSED"));
    }

    @Test
    void openAlertsAndUnpublishedPolicyAreFailingEvidence() {
        healthyDevice();
        alerts.applyAlert(Fixtures.alert("a1", "acme", "cam-1", "CMP-AUTH-001", Severity.HIGH, NOW)); // guidelines 1, 5
        List<GuidelineStanding> rows = service.deviceStanding("acme", "cam-1");
        assertThat(rows.get(0).standing()).isEqualTo("NOT_MET");
        assertThat(rows.get(0).evidence().get(0).alertId()).isEqualTo("a1");
        alerts.applyAlert(Fixtures.resolvedByJob(Fixtures.alert("a1", "acme", "cam-1", "CMP-AUTH-001", Severity.HIGH, NOW), NOW));
        assertThat(g(1).standing()).isEqualTo("MET");
        GuidelineStanding g2 = service(false).deviceStanding("acme", "cam-1").get(1);
        assertThat(g2.standing()).isEqualTo("NOT_MET");
        assertThat(g2.evidence().get(0).key()).isEqualTo("securitytxt.contact");
    }

    @Test
    void lateAcknowledgementOfAReportFailsGuideline2() {
        healthyDevice();
        reports.put(new ReportStore.Report("r1", NOW.minus(Duration.ofDays(8)), "t", "d", "cam-x1", null, null, "NEW", null,
                null, null, null));
        assertThat(g(2).standing()).isEqualTo("NOT_MET");
        assertThat(g(2).evidence().get(0).key()).isEqualTo("r1");
        reports.put(new ReportStore.Report("r1", NOW.minus(Duration.ofDays(8)), "t", "d", "cam-x1", null, null, "CONFIRMED",
                "analyst", NOW.minus(Duration.ofDays(7)), null, null));
        assertThat(g(2).standing()).isEqualTo("MET");
        assertThat(g(2).evidence().get(1).fact()).contains("acknowledged after 24 h");
    }

    @Test
    void certificateRenewedAheadOfExpiryCountsForGuideline12() {
        Instant t = NOW.minus(Duration.ofDays(1));
        telemetry(report(t).setBroker(Fixtures.broker("TLSv1.3", "TLS_AES_128_GCM_SHA256", NOW.plus(Duration.ofDays(10)))).build());
        assertThat(g(12).standing()).isEqualTo("NOT_MET");
        telemetry(report(t.plusSeconds(60)).setBroker(Fixtures.broker("TLSv1.3", "TLS_AES_128_GCM_SHA256",
                NOW.plus(Duration.ofDays(375)))).build());
        assertThat(g(12).standing()).isEqualTo("MET");
        assertThat(g(12).evidence().get(0).fact()).contains("renewed ahead of expiry");
    }

    @Test
    void fleetCountsPerModelAndTenantScope() {
        healthyDevice();
        devices.applyStatus("globex/c", Fixtures.device("globex", "c", "cam-x1", "1.1.0", NOW));
        List<PostureService.FleetGuideline> acme = service.fleetStanding(Set.of("acme"));
        assertThat(acme.get(2).met()).isEqualTo(1);
        assertThat(acme.get(2).byModel().get("cam-x1")[0]).isEqualTo(1);
        List<PostureService.FleetGuideline> all = service.fleetStanding(Set.of());
        assertThat(all.get(2).notMet() + all.get(2).met()).isEqualTo(2);
        assertThat(service.fleetStanding(Set.of("acme"), "other-model").get(2).met()).isZero();
        assertThat(PostureService.fleetCsv(acme).split("\r\n")).hasSize(14);
    }

    @Test
    void hostileRecordsStayBounded() {
        Telemetry.Builder b = report(NOW);
        List<Integer> ports = new java.util.ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ports.add(i);
        }
        telemetry(b.setListeningPorts(ports).build());
        assertThat(evidence.device("acme", "cam-1").orElseThrow().listeningPorts).hasSize(DeviceEvidence.MAX_PORTS);
        for (int i = 0; i < 5_000; i++) {
            event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                    null, null, NOW).setModel("m" + i).build());
        }
        assertThat(evidence.unverifiedDefaultCredentialAttempts()).hasSizeLessThanOrEqualTo(EvidenceStore.MAX_MODELS + 1);
    }

    @Test
    void csvQuotesAndDefusesFormulas() {
        assertThat(PostureService.csv("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(PostureService.csv("a,b")).isEqualTo("\"a,b\"");
        assertThat(PostureService.csv(null)).isEmpty();
        healthyDevice();
        String csv = PostureService.deviceCsv("acme", "cam-1", service.deviceStanding("acme", "cam-1"));
        assertThat(csv).startsWith("tenant,device,guideline").contains("\"fleet.security-events\"");
    }
}
