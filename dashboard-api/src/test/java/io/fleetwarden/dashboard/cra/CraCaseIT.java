package io.fleetwarden.dashboard.cra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

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
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * CRA Article 14 cases over HTTP with the fleet, advisory and alert read from a real Kafka: an
 * alert naming the advisory's CVE proposes it, marking it exploited opens the case with its
 * deadlines, the early-warning draft lists exactly the affected devices of the caller's tenants,
 * every change is in the audit trail, and tenants see only their own part. A reminder before the
 * 24-hour deadline is an alert (rule CRA-DEADLINE-001) on fleet.alerts that the platform SOC sees in
 * its alert queue and no tenant ever does; the submission resolves it.
 */
class CraCaseIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static ApiHarness api;
    static String admin;
    static String acmeAdmin;
    static String platformAnalyst;
    static String acmeViewer;
    static String initechViewer;
    static String globexViewer;

    @BeforeAll
    static void start() throws Exception {
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            for (String[] d : new String[][] {{"acme", "cam-1", "1.1.0"}, {"acme", "cam-2", "1.2.0"},
                    {"globex", "cam-7", "1.0.0"}, {"initech", "cam-9", "1.2.1"}}) {
                ApiHarness.send(p, Topics.DEVICE_STATUS, d[0] + "/" + d[1], Codecs.DEVICE_STATUS.encode(
                        Fixtures.device(d[0], d[1], "cam-x1", d[2], NOW)));
            }
            ApiHarness.send(p, Topics.ADVISORIES, "FWSA-2026-0077", Codecs.ADVISORY.encode(Advisory.newBuilder()
                    .setAdvisoryId("FWSA-2026-0077").setModel("cam-x1").setAffectedVersions("[1.0.0,1.2.0)")
                    .setFixedVersion("1.2.0").setCveIds(List.of("CVE-2026-40001")).setSeverity(Severity.CRITICAL)
                    .setTitle("Auth bypass").setPublishedAt(NOW.minus(Duration.ofDays(1))).build()));
            // a second advisory of the same model affecting initech's cam-9 only: its case's deadline alerts
            ApiHarness.send(p, Topics.ADVISORIES, "FWSA-2026-0078", Codecs.ADVISORY.encode(Advisory.newBuilder()
                    .setAdvisoryId("FWSA-2026-0078").setModel("cam-x1").setAffectedVersions("[1.2.1,1.3.0)")
                    .setFixedVersion("1.3.0").setCveIds(List.of("CVE-2026-40002")).setSeverity(Severity.HIGH)
                    .setTitle("Command injection").setPublishedAt(NOW.minus(Duration.ofDays(1))).build()));
            Alert a = Alert.newBuilder(Fixtures.alert("x-1", "acme", "cam-1", "CMP-NET-003", Severity.HIGH,
                    NOW.minus(Duration.ofHours(1)))).setEvidence(Map.of("ids", "matched CVE-2026-40001 exploit")).build();
            ApiHarness.send(p, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
        }
        TokenStore tokens = ApiHarness.tokenStore();
        admin = ApiHarness.platformAdmin(tokens);
        acmeAdmin = ApiHarness.token(tokens, Role.ADMIN, "acme");
        platformAnalyst = tokens.create("platform-soc", Role.ANALYST, java.util.Set.of(), true, "test").secret();
        acmeViewer = ApiHarness.token(tokens, Role.VIEWER, "acme");
        initechViewer = ApiHarness.token(tokens, Role.VIEWER, "initech");
        globexViewer = ApiHarness.token(tokens, Role.VIEWER, "globex");
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/cra/proposals", acmeViewer).json().get("items").size() == 1);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void markedExploitedOpensACaseWhoseDraftListsExactlyTheAffectedDevices() {
        JsonNode proposal = api.get("/api/v1/cra/proposals", acmeViewer).json().get("items").get(0);
        assertThat(proposal.get("advisoryId").asText()).isEqualTo("FWSA-2026-0077");
        assertThat(proposal.get("cve").asText()).isEqualTo("CVE-2026-40001");
        assertThat(api.post("/api/v1/advisories/FWSA-2026-0077/exploited", acmeViewer, Map.of()).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/advisories/FWSA-2026-0077/exploited", admin, Map.of("awareAt", "tomorrow")).status())
                .isEqualTo(400);
        assertThat(api.post("/api/v1/advisories/FWSA-2026-0077/exploited", admin, Map.of("extra", "x")).status())
                .isEqualTo(400);

        // a case spans tenants: a tenant admin cannot open one, the platform SOC can
        ApiHarness.Response tenantTry = api.post("/api/v1/advisories/FWSA-2026-0077/exploited", acmeAdmin,
                Map.of("alertId", proposal.get("alertId").asText()));
        assertThat(tenantTry.status()).isEqualTo(403);
        assertThat(tenantTry.body()).contains("platform-wide");
        ApiHarness.Response opened = api.post("/api/v1/advisories/FWSA-2026-0077/exploited", platformAnalyst,
                Map.of("alertId", proposal.get("alertId").asText(), "note", "IDS match"));
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        JsonNode c = opened.json();
        Instant aware = Instant.parse(c.get("caseRecord").get("awareAt").asText());
        assertThat(Instant.parse(c.get("deadlines").get(0).get("due").asText())).isEqualTo(aware.plus(Duration.ofHours(24)));
        assertThat(Instant.parse(c.get("deadlines").get(1).get("due").asText())).isEqualTo(aware.plus(Duration.ofHours(72)));
        assertThat(c.get("deadlines").get(2).get("due").isNull()).isTrue();
        assertThat(c.get("caseRecord").get("firstEvidence").get("alertId").asText()).isEqualTo("x-1");
        assertThat(api.post("/api/v1/advisories/FWSA-2026-0077/exploited", admin, Map.of()).status()).isEqualTo(409);

        JsonNode draft = api.get("/api/v1/cra/cases/CRA-FWSA-2026-0077/drafts/early-warning", admin).json();
        assertThat(draft.get("affectedDevices").toString())
                .contains("\"tenant\":\"acme\",\"deviceId\":\"cam-1\"").contains("\"tenant\":\"globex\",\"deviceId\":\"cam-7\"");
        assertThat(draft.get("affectedDevices")).hasSize(2);
        assertThat(draft.get("devicesPerTenant").toString()).isEqualTo("{\"acme\":1,\"globex\":1}");
        assertThat(draft.get("vulnerability").get("cveIds").get(0).asText()).isEqualTo("CVE-2026-40001");
        JsonNode acmeDraft = api.get("/api/v1/cra/cases/CRA-FWSA-2026-0077/drafts/early-warning?download", acmeViewer).json();
        assertThat(acmeDraft.get("affectedDevices")).hasSize(1);
        assertThat(acmeDraft.get("affectedDevices").get(0).get("deviceId").asText()).isEqualTo("cam-1");

        assertThat(api.get("/api/v1/cra/cases", initechViewer).json().get("items")).isEmpty();
        assertThat(api.get("/api/v1/cra/cases/CRA-FWSA-2026-0077", initechViewer).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/cra/cases/CRA-FWSA-2026-0077/drafts/gossip", admin).status()).isEqualTo(400);
        assertThat(api.post("/api/v1/cra/cases/CRA-FWSA-2026-0077/submissions", acmeAdmin,
                Map.of("stage", "early-warning", "reference", "SRP-1")).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/cra/cases/CRA-FWSA-2026-0077/fix", acmeAdmin, Map.of("note", "1.2.0")).status())
                .isEqualTo(403);

        assertThat(api.post("/api/v1/cra/cases/CRA-FWSA-2026-0077/submissions", admin,
                Map.of("stage", "early-warning", "reference", "SRP-123")).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/cra/cases/CRA-FWSA-2026-0077/fix", admin, Map.of("note", "1.2.0")).status())
                .isEqualTo(200);
        JsonNode after = api.get("/api/v1/cra/cases/CRA-FWSA-2026-0077", acmeViewer).json();
        assertThat(after.get("caseRecord").get("audit")).hasSize(3);
        assertThat(after.get("caseRecord").get("audit").get(0).get("actor").asText()).contains("platform-soc");
        assertThat(after.get("caseRecord").get("audit").get(1).get("detail").asText()).contains("SRP-123");
        assertThat(after.get("deadlines").get(2).get("due").isNull()).isFalse();
        assertThat(api.app.checkCraDeadlines()).isEmpty(); // deadlines are days away
    }

    @Test
    void aReminderBeforeTheEarlyWarningDeadlineIsAnAlertOnlyThePlatformSees() {
        // aware 19 h ago: the early warning is due in 5 h, inside its 6-hour reminder lead
        Instant aware = Instant.now().minus(Duration.ofHours(19)).truncatedTo(ChronoUnit.SECONDS);
        ApiHarness.Response opened = api.post("/api/v1/advisories/FWSA-2026-0078/exploited", platformAnalyst,
                Map.of("awareAt", aware.toString(), "note", "vendor PSIRT"));
        assertThat(opened.status()).as(opened.body()).isEqualTo(201);
        String id = CraAlerts.alertId("CRA-FWSA-2026-0078", CraCase.EARLY_WARNING);
        api.app.checkCraDeadlines();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> alertIds(platformAnalyst).contains(id));
        JsonNode a = api.get("/api/v1/alerts/" + id, platformAnalyst).json();
        assertThat(a.get("ruleId").asText()).isEqualTo("CRA-DEADLINE-001");
        assertThat(a.get("tenant").asText()).isEqualTo("_platform");
        assertThat(a.get("status").asText()).isEqualTo("OPEN");
        assertThat(a.get("summary").asText()).contains("CRA-FWSA-2026-0078").contains("early-warning");
        assertThat(Instant.parse(a.get("openedAt").asText())).isBefore(aware.plus(Duration.ofHours(24)));

        api.app.checkCraDeadlines(); // a second check (as after a restart) does not add a revision
        // no tenant sees it: not acme and globex (no device of this case), not even initech (whose device it is)
        for (String tenantToken : List.of(acmeViewer, globexViewer, initechViewer)) {
            assertThat(alertIds(tenantToken)).doesNotContain(id);
            assertThat(api.get("/api/v1/alerts/" + id, tenantToken).status()).isEqualTo(404);
            assertThat(api.get("/api/v1/alerts?tenant=_platform", tenantToken).status()).isNotEqualTo(200);
        }

        assertThat(api.post("/api/v1/cra/cases/CRA-FWSA-2026-0078/submissions", platformAnalyst,
                Map.of("stage", "early-warning", "reference", "SRP-78")).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> "RESOLVED".equals(api.get("/api/v1/alerts/" + id, platformAnalyst).json().get("status").asText()));
        JsonNode resolved = api.get("/api/v1/alerts/" + id, platformAnalyst).json();
        assertThat(resolved.get("revision").asInt()).isEqualTo(3);
        assertThat(alertIds(platformAnalyst).stream().filter(id::equals)).as("one alert per case and stage").hasSize(1);
    }

    static List<String> alertIds(String token) {
        List<String> ids = new java.util.ArrayList<>();
        api.get("/api/v1/alerts?limit=500", token).json().get("items").forEach(n -> ids.add(n.get("alertId").asText()));
        return ids;
    }
}
