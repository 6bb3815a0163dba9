package io.fleetwarden.dashboard.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.dashboard.ApiHarness;
import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.TestInflux;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Posture from real records through Kafka: for every guideline a device whose records make it MET,
 * one whose records make it NOT_MET and one the platform cannot judge (NOT_ASSESSED), each asserting
 * the evidence the API shows and where it came from (topic, partition, offset or alert id).
 */
class PostureEvidenceIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final String HASH = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    static ApiHarness api;
    static KafkaProducer<String, byte[]> producer;
    static String acmeViewer;
    static String acmeAdmin;
    static String globexViewer;
    static TokenStore tokens;

    static void telemetry(Telemetry t) {
        ApiHarness.send(producer, Topics.TELEMETRY, t.getTenant() + "/" + t.getDeviceId(), Codecs.TELEMETRY.encode(t));
    }

    static void event(SecurityEvent e) {
        ApiHarness.send(producer, Topics.SECURITY_EVENTS, Topics.securityEventKey(e), Codecs.SECURITY_EVENT.encode(e));
    }

    static void alert(Alert a) {
        ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
    }

    @BeforeAll
    static void start() throws Exception {
        producer = ApiHarness.producer(KAFKA.bootstrapServers());
        FirmwareCatalogEntry cat = FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion("1.3.0")
                .setReleases(List.of(
                        FirmwareRelease.newBuilder().setVersion("1.2.0").setReleasedAt(NOW.minus(Duration.ofDays(200)))
                                .setImageSha256(HASH).build(),
                        FirmwareRelease.newBuilder().setVersion("1.3.0").setReleasedAt(NOW.minus(Duration.ofDays(40)))
                                .setImageSha256(HASH.replace('2', '7')).build()))
                .setEndOfSupport(NOW.plus(Duration.ofDays(800))).setUpdatedAt(NOW).build();
        ApiHarness.send(producer, Topics.FIRMWARE_CATALOG, "cam-x1", Codecs.FIRMWARE_CATALOG.encode(cat));

        // good: connects over TLS 1.3, comes back after an outage, runs the latest image, updates and renews
        Instant t0 = NOW.minus(Duration.ofHours(3));
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme", "good", t0).build());
        event(Fixtures.securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, "acme", "good",
                t0.plusSeconds(100)).build());
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme", "good",
                t0.plusSeconds(137)).build());
        telemetry(Fixtures.telemetry("acme", "good", "cam-x1", "1.3.0", t0.plusSeconds(200))
                .setFirmwareImageHash(HASH.replace('2', '7')).setUpdate(UpdateStatus.newBuilder()
                        .setState(UpdateState.SUCCEEDED).setTargetVersion("1.3.0").setAttempt(1).setFailureReason(null).build())
                .build());

        // bad: a default-credential attempt under its identity, weak TLS, telnet, a foreign image, 1.2.0 long behind,
        // failing updates, a certificate about to expire, a refused report, an open flapping alert
        Instant t1 = NOW.minus(Duration.ofHours(2));
        event(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme", "bad", t1)
                .setBroker(Fixtures.broker("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA256", NOW.plus(Duration.ofDays(5)))).build());
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "acme", "bad", t1.plusSeconds(5)).setUsername("admin").build());
        event(Fixtures.securityEvent(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_MALFORMED, "acme", "bad",
                t1.plusSeconds(6)).build());
        telemetry(Fixtures.telemetry("acme", "bad", "cam-x1", "1.2.0", t1.plusSeconds(10))
                .setListeningPorts(List.of(80, 23)).setFirmwareImageHash(HASH.replace('2', '9'))
                .setUpdate(UpdateStatus.newBuilder().setState(UpdateState.FAILED).setTargetVersion("1.3.0").setAttempt(2)
                        .setFailureReason("flash write").build())
                .setBroker(Fixtures.broker("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA256", NOW.plus(Duration.ofDays(5)))).build());
        alert(Alert.newBuilder(Fixtures.alert("flap-bad", "acme", "bad", "RES-FLAP-001", Severity.MEDIUM, t1))
                .setGuidelines(List.of(9, 4, 8, 11)).build());

        // quiet: only seen going away
        event(Fixtures.securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, "acme", "quiet",
                NOW.minusSeconds(60)).build());
        // hostile: an unverified default-credential attempt claiming quiet's id does not count for it
        event(Fixtures.securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                null, null, NOW.minusSeconds(30)).setClaimedClientId("quiet").setUsername("admin").build());
        // hostile bytes on both evidence topics: skipped and counted, the views keep working
        ApiHarness.send(producer, Topics.TELEMETRY, "acme/good", "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ApiHarness.send(producer, Topics.SECURITY_EVENTS, "acme/good", new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        // a device that will be decommissioned
        ApiHarness.send(producer, Topics.DEVICE_STATUS, "acme/gone", Codecs.DEVICE_STATUS.encode(
                Fixtures.device("acme", "gone", "hub-1", "2.0.0", t0)));
        telemetry(Fixtures.telemetry("acme", "gone", "hub-1", "2.0.0", t0).setListeningPorts(List.of(2323)).build());
        // globex's device with the same id as acme's good one
        telemetry(Fixtures.telemetry("globex", "good", "cam-x1", "1.2.0", t0).build());

        tokens = ApiHarness.tokenStore();
        acmeViewer = ApiHarness.token(tokens, Role.VIEWER, "acme");
        acmeAdmin = ApiHarness.token(tokens, Role.ADMIN, "acme");
        globexViewer = ApiHarness.token(tokens, Role.VIEWER, "globex");
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/posture/devices/acme/bad", acmeViewer)
                .json().path("guidelines").path(8).path("standing").asText().equals("NOT_MET"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (producer != null) {
            producer.close();
        }
    }

    static JsonNode guidelines(String device) {
        ApiHarness.Response r = api.get("/api/v1/posture/devices/acme/" + device, acmeViewer);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("guidelines");
    }

    static void assertStanding(JsonNode rows, int n, String standing, String factContains, String source) {
        JsonNode g = rows.get(n - 1);
        assertThat(g.get("number").asInt()).isEqualTo(n);
        assertThat(g.get("standing").asText()).as("guideline %d: %s", n, g).isEqualTo(standing);
        if (standing.equals("NOT_ASSESSED")) {
            assertThat(g.get("reason").asText()).as("guideline %d", n).contains(factContains);
            return;
        }
        boolean found = false;
        for (JsonNode e : g.get("evidence")) {
            if (e.get("fact").asText().contains(factContains) && e.get("source").asText().equals(source)) {
                found = true;
                if (source.startsWith("fleet.") && !source.equals(Topics.ALERTS)) {
                    assertThat(e.has("offset")).as("record evidence names its offset: %s", e).isTrue();
                    assertThat(e.has("partition")).isTrue();
                    assertThat(e.has("at")).isTrue();
                }
                if (source.equals(Topics.ALERTS)) {
                    assertThat(e.get("alertId").asText()).isNotBlank();
                }
            }
        }
        assertThat(found).as("guideline %d evidence %s contains '%s' from %s", n, g.get("evidence"), factContains, source)
                .isTrue();
    }

    @Test
    void metWithPositiveEvidence() {
        JsonNode g = guidelines("good");
        assertStanding(g, 1, "MET", "2 connection(s) authenticated by the device's own certificate", Topics.SECURITY_EVENTS);
        assertStanding(g, 2, "MET", "security.txt and the report intake are published", "config");
        assertStanding(g, 3, "MET", "runs firmware 1.3.0", Topics.TELEMETRY);
        assertStanding(g, 5, "MET", "all 3 connections and reports in the window used TLS 1.2+", Topics.TELEMETRY);
        assertStanding(g, 6, "MET", "listening ports [443]", Topics.TELEMETRY);
        assertStanding(g, 7, "MET", "running image hash of 1.3.0 matches the catalogue", Topics.TELEMETRY);
        assertStanding(g, 7, "MET", "catalogue image of 1.3.0", Topics.FIRMWARE_CATALOG);
        assertStanding(g, 9, "MET", "came back from its last outage after 37 s", Topics.SECURITY_EVENTS);
        assertStanding(g, 10, "MET", "1 telemetry reports received", Topics.TELEMETRY);
        assertStanding(g, 12, "MET", "the last update to 1.3.0 succeeded", Topics.TELEMETRY);
        assertStanding(g, 13, "MET", "1 reports passed the broker's schema validation", Topics.TELEMETRY);
    }

    @Test
    void malformedEvidenceRecordsAreSkippedAndCounted() {
        String metrics = api.get("/metrics", null).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^fleetwarden_dashboard_records_skipped (\\S+)").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(2);
        assertThat(guidelines("good").get(9).get("standing").asText()).isEqualTo("MET");
    }

    @Test
    void notMetWithTheFailingEvidence() {
        JsonNode g = guidelines("bad");
        assertStanding(g, 1, "NOT_MET", "1 default-credential attempt(s) under this device's verified identity",
                Topics.SECURITY_EVENTS);
        assertStanding(g, 3, "NOT_MET", "grace period ended", Topics.FIRMWARE_CATALOG);
        assertStanding(g, 4, "NOT_MET", "open alert RES-FLAP-001", Topics.ALERTS);
        assertStanding(g, 5, "NOT_MET", "2 of 2 connections and reports used TLS below 1.2 or a non-AEAD suite",
                Topics.TELEMETRY);
        assertStanding(g, 6, "NOT_MET", "known-insecure ports [23]", Topics.TELEMETRY);
        assertStanding(g, 7, "NOT_MET", "does not match the catalogue", Topics.TELEMETRY);
        assertStanding(g, 8, "NOT_MET", "open alert RES-FLAP-001", Topics.ALERTS);
        assertStanding(g, 9, "NOT_MET", "open alert RES-FLAP-001", Topics.ALERTS);
        assertStanding(g, 11, "NOT_MET", "open alert RES-FLAP-001", Topics.ALERTS);
        assertStanding(g, 12, "NOT_MET", "the last update to 1.3.0 failed", Topics.TELEMETRY);
        assertStanding(g, 12, "NOT_MET", "no renewal has been seen", Topics.TELEMETRY);
        assertStanding(g, 13, "NOT_MET", "refused by the broker's validation (last: payload-malformed)",
                Topics.SECURITY_EVENTS);
    }

    @Test
    void notAssessedWithTheReason() {
        JsonNode q = guidelines("quiet");
        assertStanding(q, 1, "NOT_ASSESSED", "no connection of this device has been seen", null);
        assertStanding(q, 2, "NOT_ASSESSED", "model is unknown", null);
        assertStanding(q, 3, "NOT_ASSESSED", "has not reported its firmware version", null);
        assertStanding(q, 5, "NOT_ASSESSED", "no record carrying the device's TLS parameters", null);
        assertStanding(q, 6, "NOT_ASSESSED", "has not reported its listening ports", null);
        assertStanding(q, 7, "NOT_ASSESSED", "no telemetry", null);
        assertStanding(q, 9, "NOT_ASSESSED", "not back yet", null);
        assertStanding(q, 10, "NOT_ASSESSED", "no telemetry", null);
        assertStanding(q, 12, "NOT_ASSESSED", "no completed update or certificate renewal", null);
        assertStanding(q, 13, "NOT_ASSESSED", "no report of the device has been validated", null);
        JsonNode g = guidelines("good");
        assertStanding(g, 4, "NOT_ASSESSED", "cannot be observed from the network", null);
        assertStanding(g, 8, "NOT_ASSESSED", "cannot be seen in fleet telemetry", null);
        assertStanding(g, 11, "NOT_ASSESSED", "the platform only erases its own records", null);
    }

    @Test
    void tenantsSeeOnlyTheirOwnDevices() {
        assertThat(api.get("/api/v1/posture/devices/acme/good", globexViewer).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/posture/devices/acme/nobody", acmeViewer).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/posture/devices/acme/bad%20x", acmeViewer).status()).isEqualTo(400);
        JsonNode globex = api.get("/api/v1/posture/devices/globex/good", globexViewer).json().get("guidelines");
        assertThat(globex.get(2).get("standing").asText()).isEqualTo("NOT_MET"); // 1.2.0, behind past the grace period
        JsonNode fleet = api.get("/api/v1/posture/fleet", globexViewer).json().get("guidelines");
        assertThat(fleet.get(2).get("notMet").asInt()).isEqualTo(1);
        assertThat(fleet.get(2).get("failingDevices").toString()).doesNotContain("acme");
        JsonNode acme = api.get("/api/v1/posture/fleet?model=cam-x1", acmeViewer).json().get("guidelines");
        assertThat(acme.get(2).get("met").asInt()).isEqualTo(1);
        assertThat(acme.get(2).get("failingDevices").toString()).contains("acme/bad").doesNotContain("globex");
        assertThat(api.get("/api/v1/posture/fleet?tenant=globex", acmeViewer).status()).isEqualTo(403);
    }

    @Test
    void pstiAndIcsStatementsOverHttp() {
        JsonNode psti = api.get("/api/v1/posture/psti?model=cam-x1", acmeViewer).json();
        assertThat(psti.get("requirements").get(0).get("status").asText()).isEqualTo("NOT_MET");
        assertThat(psti.get("requirements").get(0).get("evidence").get(0).get("fact").asText()).contains("acme/bad");
        assertThat(psti.get("requirements").get(1).get("status").asText()).isEqualTo("MET");
        assertThat(psti.get("requirements").get(2).get("status").asText()).isEqualTo("MET");
        assertThat(psti.get("requirements").get(2).get("evidence").get(0).has("offset")).isTrue();
        JsonNode globex = api.get("/api/v1/posture/psti", globexViewer).json();
        assertThat(globex.get("requirements").get(0).get("status").asText()).isEqualTo("NOT_ASSESSED");
        JsonNode ics = api.get("/api/v1/posture/ics?model=cam-x1", acmeViewer).json();
        assertThat(ics.get("provisions").get(0).get("provision").asText()).isEqualTo("5.1-1");
        assertThat(ics.get("provisions").get(0).get("status").asText()).isEqualTo("NOT_SUPPORTED");
        assertThat(ics.get("provisions").get(0).get("failingDevices").toString()).contains("acme/bad");
        assertThat(ics.get("outsideFleetTelemetry").size()).isGreaterThan(40);
        ApiHarness.Response csv = api.get("/api/v1/posture/ics?format=csv&download", acmeViewer);
        assertThat(csv.body()).startsWith("provision,summary,guideline,status");
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains("ics-fleet.csv");
        assertThat(api.get("/api/v1/posture/ics?model=%3Dcmd", acmeViewer).status()).isEqualTo(400);
    }

    @Test
    void postureOverTimeInInfluxAndErasedOnDecommission() throws Exception {
        int first = api.app.snapshotPosture();
        assertThat(first).isGreaterThan(13 * 3);
        int second = api.app.snapshotPosture(); // nothing changed: only the fleet points again
        assertThat(second).isLessThan(first);
        String range = "?from=" + NOW.minus(Duration.ofHours(1)) + "&to=" + Instant.now().plusSeconds(120) + "&step=1m";
        JsonNode fleet = api.get("/api/v1/posture/history" + range, acmeViewer).json().get("series");
        assertThat(fleet.size()).isEqualTo(13); // acme only: one series per guideline
        assertThat(fleet.toString()).doesNotContain("globex");
        JsonNode g6 = null;
        for (JsonNode s : fleet) {
            if (s.get("tags").get("guideline").asText().equals("6")) {
                g6 = s;
            }
        }
        assertThat(g6.get("samples").get(0).get("values").get("not_met").asLong()).isEqualTo(2); // bad and gone
        JsonNode dev = api.get("/api/v1/posture/devices/acme/bad/history" + range, acmeViewer).json().get("series");
        assertThat(dev.toString()).contains("known-insecure ports [23]").contains("\"level\":-1");
        assertThat(api.get("/api/v1/posture/devices/acme/bad/history", globexViewer).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/posture/history?step=1s", acmeViewer).status()).isEqualTo(400);

        assertThat(api.get("/api/v1/posture/devices/acme/gone/history" + range, acmeViewer).json().get("series").size())
                .isEqualTo(13);
        ApiHarness.Response d = api.post("/api/v1/devices/acme/gone/decommission", acmeAdmin, java.util.Map.of("reason", "returned"));
        assertThat(d.status()).as(d.body()).isEqualTo(200);
        assertThat(d.json().get("erasedSeries").toString()).contains("posture_device");
        assertThat(api.get("/api/v1/posture/devices/acme/gone/history" + range, acmeViewer).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/posture/devices/acme/gone/history" + range, acmeViewer).json().get("series")).isEmpty();
        // the evidence summary is forgotten too: only the kept revoke record remains, so every guideline is NOT_ASSESSED
        assertThat(guidelines("gone")).allSatisfy(g -> assertThat(g.get("standing").asText()).isEqualTo("NOT_ASSESSED"));

        // a restarted API replays fleet.telemetry / fleet.security-events, which still hold the device's records:
        // the erasure record keeps them from rebuilding its evidence (port 2323 made guideline 5 NOT_MET before)
        try (ApiHarness restarted = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady()) {
            // ready = every topic replayed (the erasure record may come before or after the device's records)
            ApiHarness.Response gone = restarted.get("/api/v1/posture/devices/acme/gone", acmeViewer);
            assertThat(gone.status()).as(gone.body()).isEqualTo(200);
            assertThat(gone.body()).doesNotContain("2323");
            assertThat(gone.json().get("guidelines"))
                    .allSatisfy(g -> assertThat(g.get("standing").asText()).isEqualTo("NOT_ASSESSED"));
            // other devices' evidence is rebuilt as before
            assertThat(restarted.get("/api/v1/posture/devices/acme/bad", acmeViewer).body()).contains("[23]");
        }
    }
}
