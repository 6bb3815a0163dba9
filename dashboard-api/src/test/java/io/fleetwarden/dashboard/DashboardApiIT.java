package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.TriageState;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The dashboard API against a real Kafka broker and a real InfluxDB: alerts materialised from
 * {@code fleet.alerts}, triage that survives a restart, tenant isolation, device responses on
 * {@code fleet.device-controls}, fleet health from InfluxDB, decommission, disclosure, problem
 * details, security headers and the OpenAPI document.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class DashboardApiIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static TokenStore tokens;
    static ApiHarness api;
    static KafkaProducer<String, byte[]> producer;
    static String acmeAnalyst;
    static String acmeViewer;
    static String globexAnalyst;
    static String acmeAdmin;
    static String platformAdmin;
    static String platformAnalyst;

    @BeforeAll
    static void start() throws Exception {
        producer = ApiHarness.producer(KAFKA.bootstrapServers());
        for (int i = 0; i < 30; i++) {
            String tenant = i % 3 == 0 ? "globex" : "acme";
            Severity sev = i % 5 == 0 ? Severity.CRITICAL : Severity.MEDIUM;
            Alert a = Fixtures.alert("a-" + i, tenant, "cam-" + (i % 4), i % 2 == 0 ? "FW-COMP-001" : "FW-RES-002", sev,
                    NOW.minus(30 - i, ChronoUnit.MINUTES));
            ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
        }
        for (String t : List.of("acme", "globex")) {
            for (int d = 0; d < 4; d++) {
                ApiHarness.send(producer, Topics.DEVICE_STATUS, t + "/cam-" + d, Codecs.DEVICE_STATUS.encode(
                        Fixtures.device(t, "cam-" + d, "cam-x1", d == 0 ? "1.0.0" : "1.2.0", NOW)));
            }
        }
        StringBuilder lines = new StringBuilder();
        for (int m = 0; m < 60; m++) {
            long t = NOW.minus(60 - m, ChronoUnit.MINUTES).toEpochMilli();
            lines.append(StreamJobsPoints.cohort("acme", "model", "cam-x1", 3 + m % 2, t));
            lines.append(StreamJobsPoints.cohort("globex", "model", "cam-x1", 100, t));
            lines.append(StreamJobsPoints.connectivity("acme", 1, 0, t));
            lines.append(StreamJobsPoints.connectivity("globex", 9, 9, t));
            lines.append(StreamJobsPoints.alerts("acme", "HIGH", 2, m % 2, t));
            lines.append(StreamJobsPoints.alerts("globex", "HIGH", 50, 5, t));
            lines.append(StreamJobsPoints.firmware("acme", "cam-x1", "1.2.0", 3, t));
            lines.append(StreamJobsPoints.firmware("acme", "cam-x1", "1.0.0", 1, t));
            if (m < 30) { // upgraded away half an hour ago: stream-jobs stops writing a version at 0 devices
                lines.append(StreamJobsPoints.firmware("acme", "cam-x1", "0.9.0", 2, t));
            }
            lines.append(StreamJobsPoints.firmware("globex", "cam-x1", "1.2.0", 40, t));
            lines.append(StreamJobsPoints.deviceHealth("acme", "cam-1", "cam-x1", "eu-west", "1.2.0", 20 + m % 7, 40,
                    100, 200, 3, false, t));
            lines.append(StreamJobsPoints.deviceHealth("acme", "cam-2", "cam-x1", "eu-west", "1.2.0", 5, 40, 1, 2, 1,
                    false, t));
        }
        // alert revisions as stream-jobs writes them: cam-1 and cam-2 share the series (device is a field)
        lines.append(StreamJobsPoints.deviceAlert("acme", "CMP-NET-001", "CRITICAL", "OPEN", "a-x1", 1, "cam-1",
                "telnet listening", NOW.minusSeconds(600).toEpochMilli()));
        lines.append(StreamJobsPoints.deviceAlert("acme", "CMP-NET-001", "CRITICAL", "OPEN", "a-x2", 1, "cam-2",
                "telnet listening", NOW.minusSeconds(500).toEpochMilli()));
        INFLUX.write(lines.toString());
        tokens = ApiHarness.tokenStore();
        acmeAnalyst = ApiHarness.token(tokens, Role.ANALYST, "acme");
        acmeViewer = ApiHarness.token(tokens, Role.VIEWER, "acme");
        globexAnalyst = ApiHarness.token(tokens, Role.ANALYST, "globex");
        acmeAdmin = ApiHarness.token(tokens, Role.ADMIN, "acme");
        platformAdmin = ApiHarness.platformAdmin(tokens);
        platformAnalyst = tokens.create("soc", Role.ANALYST, java.util.Set.of(), true, "test").secret();
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
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

    @Test
    void a01_alertsAreMaterialisedFilteredAndPagedWithinTheCallersTenants() {
        JsonNode page = api.get("/api/v1/alerts?limit=5", acmeViewer).json();
        assertThat(page.get("total").asInt()).isEqualTo(20);
        assertThat(page.get("items")).hasSize(5);
        page.get("items").forEach(a -> assertThat(a.get("tenant").asText()).isEqualTo("acme"));
        // newest first
        assertThat(page.get("items").get(0).get("alertId").asText()).isEqualTo("a-29");

        JsonNode second = api.get("/api/v1/alerts?limit=5&offset=5", acmeViewer).json();
        assertThat(second.get("items").get(0).get("alertId").asText()).isEqualTo("a-22");

        JsonNode critical = api.get("/api/v1/alerts?severity=critical&rule=FW-COMP-001", acmeViewer).json();
        critical.get("items").forEach(a -> {
            assertThat(a.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(a.get("ruleId").asText()).isEqualTo("FW-COMP-001");
        });
        assertThat(critical.get("total").asInt()).isEqualTo(2); // a-10, a-20

        JsonNode byDevice = api.get("/api/v1/alerts?device=cam-1&from=" + NOW.minus(20, ChronoUnit.MINUTES), acmeViewer).json();
        byDevice.get("items").forEach(a -> assertThat(a.get("deviceId").asText()).isEqualTo("cam-1"));
        assertThat(byDevice.get("total").asInt()).isPositive();

        ApiHarness.Response bad = api.get("/api/v1/alerts?severity=urgent", acmeViewer);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("problem+json"));
        assertThat(bad.json().get("detail").asText()).contains("severity");
    }

    @Test
    void a01b_theRuleCatalogueIsServedFromTheEventModelCatalogue() {
        JsonNode body = api.get("/api/v1/rules", acmeViewer).json();
        assertThat(body.get("rules")).hasSize(io.fleetwarden.model.rules.RuleCatalog.standard().rules().size());
        JsonNode ident = null;
        for (JsonNode r : body.get("rules")) {
            if (r.get("id").asText().equals("CMP-IDENT-001")) {
                ident = r;
            }
        }
        assertThat(ident).isNotNull();
        assertThat(ident.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(ident.get("mitreTechnique").asText()).isEqualTo("T1552.004");
        assertThat(ident.get("thresholds").get(0).get("key").asText()).isEqualTo("identity.count");
        assertThat(ident.get("thresholds").get(0).get("default").asText()).isEqualTo("2");
        assertThat(body.get("settings")).isNotEmpty();
        assertThat(api.get("/api/v1/rules", null).status()).as("not public").isEqualTo(401);
    }

    @Test
    void a02_triageIsRecordedWithWhoAndWhenAndSurvivesARestart() throws Exception {
        assertThat(api.post("/api/v1/alerts/a-1/acknowledge", acmeAnalyst, null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/alerts/a-1/assign", acmeAnalyst, Map.of("assignee", "sam")).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/alerts/a-1/comments", acmeAnalyst, Map.of("text", "looks like brute force")).status())
                .isEqualTo(200);
        JsonNode resolved = api.post("/api/v1/alerts/a-1/resolve", acmeAnalyst, Map.of("resolution", "true-positive")).json();
        assertThat(resolved.get("status").asText()).isEqualTo("RESOLVED");
        assertThat(resolved.get("resolution").asText()).isEqualTo("TRUE_POSITIVE");
        assertThat(api.post("/api/v1/alerts/a-1/resolve", acmeAnalyst, Map.of("resolution", "duplicate")).status())
                .isEqualTo(409);
        assertThat(api.post("/api/v1/alerts/a-1/resolve", acmeAnalyst, Map.of("resolution", "maybe")).status())
                .isEqualTo(400);

        // the triage record is on the compacted topic with the full history
        List<ConsumerRecord<String, byte[]>> records = KAFKA.consume(Topics.ALERT_TRIAGE, 4, Duration.ofSeconds(20),
                new StringDeserializer(), new ByteArrayDeserializer());
        AlertTriage last = Codecs.ALERT_TRIAGE.decode(records.get(records.size() - 1).value());
        assertThat(last.getVersion()).isEqualTo(4);
        assertThat(last.getState()).isEqualTo(TriageState.RESOLVED);
        assertThat(last.getHistory()).extracting(h -> h.getAction()).containsExactly("acknowledge", "assign", "comment",
                "resolve");

        // a second API instance (a restart) rebuilds the same triage from Kafka
        try (ApiHarness restarted = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady()) {
            JsonNode a = restarted.get("/api/v1/alerts/a-1", acmeViewer).json();
            assertThat(a.get("status").asText()).isEqualTo("RESOLVED");
            assertThat(a.get("assignee").asText()).isEqualTo("sam");
            assertThat(a.get("history")).hasSize(4);
            assertThat(a.get("history").get(0).get("actor").asText()).isEqualTo("token:analyst-acme");
            assertThat(a.get("history").get(0).get("at").asText()).isNotBlank();
            assertThat(a.get("history").get(2).get("detail").asText()).isEqualTo("looks like brute force");
            // reopen on the restarted instance is visible on the first one
            assertThat(restarted.post("/api/v1/alerts/a-1/reopen", acmeAnalyst, Map.of("reason", "recurred")).status())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/api/v1/alerts/a-1", acmeViewer).json().get("status").asText()).isEqualTo("OPEN"));
    }

    @Test
    void a03_anAlertTheJobResolvesShowsAsResolved() {
        Alert a = Fixtures.alert("a-100", "acme", "cam-3", "FW-RES-002", Severity.HIGH, NOW.minusSeconds(5));
        ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/a-100", acmeViewer).status() == 200);
        assertThat(api.get("/api/v1/alerts/a-100", acmeViewer).json().get("status").asText()).isEqualTo("OPEN");
        ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(Fixtures.resolvedByJob(a, NOW)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode v = api.get("/api/v1/alerts/a-100", acmeViewer).json();
            assertThat(v.get("status").asText()).isEqualTo("RESOLVED");
            assertThat(v.get("jobStatus").asText()).isEqualTo("RESOLVED");
            assertThat(v.get("jobResolution").asText()).isEqualTo("condition-cleared");
        });
        assertThat(api.get("/api/v1/alerts?status=resolved&device=cam-3", acmeViewer).json().get("items").toString())
                .contains("a-100");
    }

    @Test
    void a04_oneTenantsAnalystCannotReadOrChangeAnothersAlertsOrDevices() {
        // a-0 belongs to globex
        assertThat(api.get("/api/v1/alerts/a-0", acmeAnalyst).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/alerts/a-0/acknowledge", acmeAnalyst, null).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/alerts/a-0/comments", acmeAnalyst, Map.of("text", "x")).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/alerts/a-0", globexAnalyst).json().get("triageState").asText()).isEqualTo("NEW");
        assertThat(api.get("/api/v1/alerts?tenant=globex", acmeAnalyst).status()).isEqualTo(403);
        Set<String> seen = new HashSet<>();
        api.get("/api/v1/alerts?limit=500", acmeAnalyst).json().get("items").forEach(a -> seen.add(a.get("tenant").asText()));
        assertThat(seen).containsExactly("acme");

        assertThat(api.get("/api/v1/devices/globex/cam-1", acmeAnalyst).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/devices/globex/cam-1/quarantine", acmeAnalyst, Map.of("reason", "x")).status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/posture/devices/globex/cam-1", acmeAnalyst).status()).isEqualTo(404);
        api.get("/api/v1/devices?limit=500", acmeAnalyst).json().get("items")
                .forEach(d -> assertThat(d.get("tenant").asText()).isEqualTo("acme"));
        // fleet health only sums the caller's tenant (globex reports 100 online)
        JsonNode health = api.get("/api/v1/fleet/health?from=" + NOW.minus(2, ChronoUnit.HOURS) + "&to=" + NOW
                + "&step=1h", acmeAnalyst).json();
        assertThat(health.get("cohorts").size()).isPositive();
        health.get("cohorts").forEach(s -> {
            assertThat(s.get("tags").get("tenant").asText()).isEqualTo("acme");
            s.get("points").forEach(p -> assertThat(p.get("values").get("online").asDouble()).isBetween(3.0, 4.0));
        });
    }

    @Test
    void a05_deviceDetailShowsStateAlertsPostureAndHealthSeries() {
        JsonNode d = api.get("/api/v1/devices/acme/cam-1?window=2h", acmeViewer).json();
        assertThat(d.get("model").asText()).isEqualTo("cam-x1");
        assertThat(d.get("firmwareVersion").asText()).isEqualTo("1.2.0");
        assertThat(d.get("connected").asBoolean()).isTrue();
        assertThat(d.get("openAlerts").size()).isPositive();
        assertThat(d.get("posture")).hasSize(13);
        JsonNode series = d.get("health").get("series");
        assertThat(series).hasSize(1);
        assertThat(series.get(0).get("points").size()).isGreaterThan(10);
        JsonNode first = series.get(0).get("points").get(0).get("values");
        assertThat(first.get("cpu_percent").asDouble()).isBetween(20.0, 27.0);
        assertThat(first.get("memory_percent").asDouble()).isEqualTo(40.0);
        assertThat(first.get("bytes_out_per_s").asDouble()).isEqualTo(200.0);
        assertThat(first.get("connections").asDouble()).isEqualTo(3.0);

        JsonNode list = api.get("/api/v1/devices?q=cam-2", acmeViewer).json();
        assertThat(list.get("total").asInt()).isEqualTo(1);
    }

    @Test
    void a06_quarantineReleaseRevokePublishTheFullControlState() throws Exception {
        JsonNode q = api.post("/api/v1/devices/acme/cam-2/quarantine", acmeAnalyst, Map.of("reason", "suspicious")).json();
        assertThat(q.get("quarantined").asBoolean()).isTrue();
        assertThat(api.post("/api/v1/devices/acme/cam-2/revoke", acmeAnalyst, Map.of("reason", "x")).status())
                .isEqualTo(403);
        JsonNode r = api.post("/api/v1/devices/acme/cam-2/revoke", acmeAdmin,
                Map.of("reason", "cloned certificate", "serials", List.of("0a1b"))).json();
        assertThat(r.get("revoked").asBoolean()).isTrue();
        assertThat(r.get("quarantined").asBoolean()).isTrue();
        assertThat(api.post("/api/v1/devices/acme/cam-2/release", acmeAnalyst, Map.of("reason", "x")).status())
                .isEqualTo(409);

        List<DeviceControl> controls = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> rec : KAFKA.consume(Topics.DEVICE_CONTROLS, 2, Duration.ofSeconds(20),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            if (rec.key().equals("acme/cam-2")) {
                controls.add(Codecs.DEVICE_CONTROL.decode(rec.value()));
            }
        }
        assertThat(controls).hasSizeGreaterThanOrEqualTo(2);
        DeviceControl last = controls.get(controls.size() - 1);
        assertThat(last.getRevoked()).isTrue();
        assertThat(last.getQuarantined()).isTrue();
        assertThat(last.getRevokedCertificateSerials()).containsExactly("0a1b");
        assertThat(last.getIssuedBy()).isEqualTo("token:admin-acme");

        JsonNode d = api.get("/api/v1/devices/acme/cam-2", acmeViewer).json();
        assertThat(d.get("control").get("revoked").asBoolean()).isTrue();
    }

    @Test
    void a07_aCriticalRuleInThePolicyQuarantinesTheDeviceAutomatically() {
        Alert a = Fixtures.alert("a-200", "acme", "cam-3", "FW-COMP-009", Severity.CRITICAL, Instant.now());
        ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode c = api.get("/api/v1/devices/acme/cam-3", acmeViewer).json().get("control");
            assertThat(c.get("quarantined").asBoolean()).isTrue();
            assertThat(c.get("issuedBy").asText()).isEqualTo("policy:auto-quarantine");
        });
        // a rule outside the policy does not
        Alert b = Fixtures.alert("a-201", "acme", "cam-0", "FW-COMP-001", Severity.CRITICAL, Instant.now());
        ApiHarness.send(producer, Topics.ALERTS, b.getAlertId(), Codecs.ALERT.encode(b));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/a-201", acmeViewer).status() == 200);
        assertThat(api.get("/api/v1/devices/acme/cam-0", acmeViewer).json().get("control").get("quarantined").asBoolean())
                .isFalse();
    }

    @Test
    void a08_fleetHealthComesFromInfluxWithRangeAndResolution() {
        JsonNode h = api.get("/api/v1/fleet/health?from=" + NOW.minus(61, ChronoUnit.MINUTES) + "&to=" + NOW
                + "&step=10m", acmeViewer).json();
        assertThat(h.get("step").asText()).isEqualTo("PT10M");
        assertThat(h.get("cohorts")).hasSize(1);
        JsonNode cohort = h.get("cohorts").get(0);
        assertThat(cohort.get("tags").get("tenant").asText()).isEqualTo("acme");
        assertThat(cohort.get("tags").get("dimension").asText()).isEqualTo("model");
        assertThat(cohort.get("tags").get("cohort").asText()).isEqualTo("cam-x1");
        assertThat(cohort.get("points").size()).isBetween(6, 8);
        cohort.get("points").forEach(p -> assertThat(p.get("values").get("online").asDouble()).isBetween(3.0, 4.0));
        // 10-minute buckets of per-minute counts are summed: 1 connect a minute -> 10 per full bucket
        assertThat(h.get("connectivity")).hasSize(1);
        JsonNode churn = h.get("connectivity").get(0);
        assertThat(churn.get("points").get(2).get("values").get("connects").asDouble()).isEqualTo(10.0);
        assertThat(churn.get("points").get(2).get("values").get("disconnects").asDouble()).isEqualTo(0.0);
        assertThat(h.get("alertCounts")).hasSize(1);
        JsonNode alerts = h.get("alertCounts").get(0);
        assertThat(alerts.get("tags").get("severity").asText()).isEqualTo("HIGH");
        assertThat(alerts.get("points").get(2).get("values").get("open").asDouble()).isEqualTo(2.0);
        assertThat(alerts.get("points").get(2).get("values").get("opened").asDouble()).isEqualTo(5.0);
        assertThat(h.get("firmwareDistribution").get("cam-x1").get("1.2.0").asInt()).isEqualTo(3);
        assertThat(h.get("firmwareDistribution").get("cam-x1").get("1.0.0").asInt()).isEqualTo(1);
        assertThat(h.get("firmwareDistribution").get("cam-x1").has("0.9.0")).isFalse();
        assertThat(h.get("firmwareDistributionLive").get("cam-x1").get("1.2.0").asInt()).isEqualTo(3);
        // the region dimension has no points; an unknown dimension is refused
        assertThat(api.get("/api/v1/fleet/health?dimension=region&from=" + NOW.minus(61, ChronoUnit.MINUTES) + "&to=" + NOW,
                acmeViewer).json().get("cohorts")).isEmpty();
        assertThat(api.get("/api/v1/fleet/health?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", acmeViewer).status())
                .isEqualTo(400);
        assertThat(api.get("/api/v1/fleet/health?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=1s", acmeViewer)
                .status()).isEqualTo(400);
        // hostile steps: negative, zero, overflowing, malformed (one duration syntax, event-model Durations)
        for (String step : List.of("-5m", "PT-1H", "0s", "99999999999999999999d", "5x", "P1Y")) {
            assertThat(api.get("/api/v1/fleet/health?step=" + step, acmeViewer).status()).as("step=" + step).isEqualTo(400);
        }
        assertThat(api.get("/api/v1/fleet/health?step=PT30M", acmeViewer).status()).isEqualTo(200);
    }

    @Test
    void a09_firmwareCatalogAdvisoriesAndAffectedDevices() {
        ApiHarness.Response put = api.send("PUT", "/api/v1/firmware/catalog/cam-x1", platformAdmin, Map.of("model", "cam-x1",
                "vendor", "Acme", "latestVersion", "1.2.0", "releases", List.of(Map.of("version", "1.2.0",
                        "releasedAt", "2026-01-01T00:00:00Z", "imageSha256", "ab".repeat(32)))), Map.of());
        assertThat(put.status()).isEqualTo(200);
        ApiHarness.Response adv = api.post("/api/v1/advisories", platformAdmin, Map.of("advisoryId", "FWSA-2026-0001",
                "model", "cam-x1", "affectedVersions", "[1.0.0,1.1.0)", "fixedVersion", "1.1.0",
                "cveIds", List.of("CVE-2026-12345"), "severity", "high", "title", "Telnet left enabled"));
        assertThat(adv.status()).isEqualTo(201);
        assertThat(api.post("/api/v1/advisories", acmeAnalyst, Map.of()).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/advisories", acmeAdmin, Map.of("advisoryId", "nope")).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/advisories", platformAdmin, Map.of("advisoryId", "nope")).status()).isEqualTo(400);
        JsonNode affected = api.get("/api/v1/advisories/FWSA-2026-0001/devices", acmeViewer).json();
        assertThat(affected.get("items")).hasSize(1);
        assertThat(affected.get("items").get(0).get("deviceId").asText()).isEqualTo("cam-0");
        // globex's own cam-0 is affected too, but acme does not see it
        assertThat(api.get("/api/v1/advisories/FWSA-2026-0001/devices", globexAnalyst).json().get("items").get(0)
                .get("tenant").asText()).isEqualTo("globex");
        List<ConsumerRecord<String, byte[]>> recs = KAFKA.consume(Topics.ADVISORIES, 1, Duration.ofSeconds(20),
                new StringDeserializer(), new ByteArrayDeserializer());
        assertThat(recs.get(0).key()).isEqualTo("FWSA-2026-0001");

        // posture: cam-0 runs an affected version -> guideline 3 not met
        JsonNode posture = api.get("/api/v1/posture/devices/acme/cam-0", acmeViewer).json();
        JsonNode g3 = posture.get("guidelines").get(2);
        assertThat(g3.get("number").asInt()).isEqualTo(3);
        assertThat(g3.get("standing").asText()).isEqualTo("NOT_MET");
        assertThat(g3.get("evidence").toString()).contains("FWSA-2026-0001");
        String csv = api.get("/api/v1/posture/fleet?format=csv", acmeViewer).body();
        assertThat(csv).startsWith("guideline,title,met,not_met,not_assessed,failing_devices");
        assertThat(csv.split("\r\n")).hasSize(14);
    }

    @Test
    void a10_decommissionRevokesErasesSeriesAndTombstones() throws Exception {
        // stream-jobs adds a sub-millisecond salt to alert point times: the redaction must hit that exact point
        INFLUX.client().write(org.influxdb.dto.BatchPoints.database(TestInflux.DATABASE).point(
                org.influxdb.dto.Point.measurement("alerts").time(NOW.minusSeconds(400).toEpochMilli() * 1_000_000L + 123_457,
                        java.util.concurrent.TimeUnit.NANOSECONDS).tag("tenant", "acme").tag("rule", "CMP-NET-001")
                        .tag("severity", "CRITICAL").tag("status", "RESOLVED").tag("subject", "device")
                        .addField("alert_id", "a-x1").addField("revision", 2.0).addField("summary", "telnet on cam-1")
                        .addField("device", "cam-1").build()).build());
        JsonNode r = api.post("/api/v1/devices/acme/cam-1/decommission", acmeAdmin, Map.of("reason", "returned")).json();
        assertThat(r.get("revoked").asBoolean()).isTrue();
        assertThat(r.get("erasedSeries").toString()).contains("device=cam-1");
        assertThat(r.get("tombstones").toString()).contains("fleet.device-status:acme/cam-1");
        assertThat(r.get("alertsRemoved").asInt()).isPositive();
        assertThat(r.get("erasedSeries")).hasSize(1);
        // alerts points carry the device as a field: not erasable per device, reported truthfully
        assertThat(r.get("retained")).hasSize(1);
        assertThat(r.get("retained").get(0).get("measurement").asText()).isEqualTo("alerts");
        assertThat(r.get("retained").get(0).get("points").asLong()).isEqualTo(2);
        assertThat(r.get("retained").get(0).get("reason").asText()).contains("field").contains("overwritten");
        // overwritten in place: no point of cam-1 left, no new point written, cam-2's untouched
        assertThat(influxCount("SELECT count(alert_id) FROM alerts WHERE device = 'cam-1'")).isZero();
        assertThat(influxCount("SELECT count(alert_id) FROM alerts WHERE summary =~ /cam-1/")).isZero();
        assertThat(influxCount("SELECT count(alert_id) FROM alerts WHERE device = 'redacted:decommissioned'")).isEqualTo(2);
        assertThat(influxCount("SELECT count(alert_id) FROM alerts")).isEqualTo(3);
        assertThat(influxCount("SELECT count(alert_id) FROM alerts WHERE device = 'cam-2'")).isEqualTo(1);
        var q = INFLUX.client().query(new org.influxdb.dto.Query(
                "SELECT count(cpu_percent) FROM device_health WHERE device = 'cam-1'", TestInflux.DATABASE));
        assertThat(q.getResults().get(0).getSeries()).isNull();
        var other = INFLUX.client().query(new org.influxdb.dto.Query(
                "SELECT count(cpu_percent) FROM device_health WHERE device = 'cam-2'", TestInflux.DATABASE));
        assertThat(other.getResults().get(0).getSeries()).isNotNull();
        assertThat(api.get("/api/v1/alerts?device=cam-1", acmeViewer).json().get("total").asInt()).isZero();
        JsonNode d = api.get("/api/v1/devices/acme/cam-1", acmeViewer).json();
        assertThat(d.get("model").isNull()).isTrue();
        assertThat(d.get("control").get("revoked").asBoolean()).isTrue();
    }

    static long influxCount(String q) {
        var result = INFLUX.client().query(new org.influxdb.dto.Query(q, TestInflux.DATABASE));
        var series = result.getResults().get(0).getSeries();
        return series == null ? 0 : ((Number) series.get(0).getValues().get(0).get(1)).longValue();
    }

    @Test
    void a11_disclosureSecurityTxtIntakeLimitsAndTriageIntoAnAdvisory() {
        ApiHarness.Response txt = api.get("/.well-known/security.txt", null);
        assertThat(txt.status()).isEqualTo(200);
        assertThat(txt.body()).contains("Contact: mailto:security@example.org").contains("Expires: 2030-01-01T00:00:00Z")
                .contains("Policy: https://example.org/disclosure");

        Map<String, String> report = Map.of("title", "Telnet open", "description",
                "Port 23 answers with a root shell on firmware 1.0.0", "model", "cam-x1");
        ApiHarness.Response ok = api.post("/api/v1/disclosure/reports", null, report);
        assertThat(ok.status()).isEqualTo(202);
        String id = ok.json().get("reportId").asText();
        assertThat(api.post("/api/v1/disclosure/reports", null, Map.of("title", "x", "description", "y".repeat(3000)))
                .status()).isEqualTo(413);
        assertThat(api.post("/api/v1/disclosure/reports", null, Map.of("title", "x", "evil", "y")).status()).isEqualTo(400);
        // the limit is 3 per minute per address; the third refused above already counted
        assertThat(api.post("/api/v1/disclosure/reports", null, report).status()).isEqualTo(429);

        assertThat(api.get("/api/v1/disclosure/reports", acmeViewer).status()).isEqualTo(403);
        JsonNode t = api.post("/api/v1/disclosure/reports/" + id + "/triage", platformAnalyst, Map.of("decision", "confirmed",
                "note", "reproduced", "advisory", Map.of("advisoryId", "FWSA-2026-0002", "model", "cam-x1",
                        "affectedVersions", "[1.0.0,1.0.1)", "severity", "critical", "title", "Root shell on telnet")))
                .json();
        assertThat(t.get("advisoryId").asText()).isEqualTo("FWSA-2026-0002");
        assertThat(api.get("/api/v1/advisories/FWSA-2026-0002", acmeViewer).json().get("description").asText())
                .contains("root shell");
    }

    @Test
    void a12_errorsAreProblemDocumentsAndResponsesCarrySecurityHeaders() {
        ApiHarness.Response none = api.get("/api/v1/alerts", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.json().get("type").asText()).isEqualTo("/problems/unauthorized");
        assertThat(api.get("/api/v1/alerts", "fwt_forged").status()).isEqualTo(401);
        assertThat(api.get("/api/v1/alerts", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").status()).isEqualTo(401);

        ApiHarness.Response missing = api.get("/api/v1/nothing-here", acmeViewer);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("status").asInt()).isEqualTo(404);

        ApiHarness.Response badJson = api.post("/api/v1/alerts/a-2/comments", acmeAnalyst, "{not json");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.body()).doesNotContain("Exception").doesNotContain("at io.");

        ApiHarness.Response page = api.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v ->
                assertThat(v).contains("default-src 'self'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");

        // CORS is closed by default: no allow-origin for a foreign origin, preflight or not
        ApiHarness.Response cors = api.send("GET", "/api/v1/alerts", acmeViewer, null, Map.of("Origin", "https://evil.example"));
        assertThat(cors.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        ApiHarness.Response preflight = api.send("OPTIONS", "/api/v1/alerts", null, null, Map.of("Origin",
                "https://evil.example", "Access-Control-Request-Method", "POST"));
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void a13_badRecordsOnTheTopicsAreSkippedAndCountedWithoutBreakingTheViews() {
        ApiHarness.send(producer, Topics.ALERTS, "junk", "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ApiHarness.send(producer, Topics.DEVICE_STATUS, "no-slash-key", Codecs.DEVICE_STATUS.encode(
                Fixtures.device("acme", "cam-9", "cam-x1", "1.0.0", NOW)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.get("/metrics", null).body())
                .containsPattern("fleetwarden_dashboard_records_skipped [2-9]"));
        assertThat(api.get("/api/v1/devices?limit=500", acmeViewer).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/alerts", acmeViewer).status()).isEqualTo(200);
    }

    @Test
    void a13_healthReadinessAndMetrics() {
        assertThat(api.get("/health", null).status()).isEqualTo(200);
        assertThat(api.get("/ready", null).json().get("status").asText()).isEqualTo("READY");
        String metrics = api.get("/metrics", null).body();
        assertThat(metrics).contains("fleetwarden_dashboard_http_requests_total")
                .contains("route=\"/api/v1/alerts\"").contains("fleetwarden_dashboard_alerts ");
        assertThat(io.fleetwarden.testsupport.AlertRules.assertExported(metrics, "fleetwarden_dashboard_"))
                .as("every dashboard metric the alert rules use is exported")
                .contains("fleetwarden_dashboard_records_skipped", "fleetwarden_dashboard_http_requests_total");
    }

    @Test
    void a14_theOpenApiDocumentListsExactlyTheRoutesTheServerServes() {
        JsonNode doc = api.get("/api/v1/openapi.json", null).json();
        assertThat(doc.get("openapi").asText()).startsWith("3.1");
        Set<String> documented = new HashSet<>();
        doc.get("paths").properties().forEach(p -> p.getValue().properties()
                .forEach(m -> documented.add(m.getKey().toUpperCase() + " " + p.getKey())));
        Set<String> served = new HashSet<>();
        api.app.javalin().unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.endpoint.method.isHttpMethod())
                .forEach(e -> served.add(e.endpoint.method.name() + " " + e.endpoint.path));
        assertThat(documented).isEqualTo(served);
        assertThat(documented).hasSizeGreaterThan(30);
    }

    @Test
    void a15_ocsfExportMapsAlertsToDetectionFindings() throws Exception {
        String ndjson = api.get("/api/v1/export/ocsf?limit=3", acmeAnalyst).body();
        String[] lines = ndjson.split("\n");
        assertThat(lines).hasSize(3);
        JsonNode f = ApiHarness.MAPPER.readTree(lines[0]);
        assertThat(f.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(f.get("finding_info").get("uid").asText()).startsWith("a-");
        assertThat(f.get("metadata").get("tenant_uid").asText()).isEqualTo("acme");
        assertThat(api.get("/api/v1/export/ocsf", acmeViewer).status()).isEqualTo(403);
    }
}
