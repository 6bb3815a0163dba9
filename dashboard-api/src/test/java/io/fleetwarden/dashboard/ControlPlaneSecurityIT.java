package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.TriageState;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Adversarial tests of the control plane (issue 15, items 2-8), one per item, against the real
 * server, real Kafka and real InfluxDB; the erasure test restarts the API against the same Kafka.
 * Each test fails on the code before this change (named in its javadoc).
 */
class ControlPlaneSecurityIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    static TokenStore tokens;
    static ApiHarness api;
    static KafkaProducer<String, byte[]> producer;
    static String acmeAnalyst;
    static String acmeAdmin;
    static String globexAdmin;
    static String platformAdmin;

    @BeforeAll
    static void start() throws Exception {
        producer = ApiHarness.producer(KAFKA.bootstrapServers());
        tokens = ApiHarness.tokenStore();
        acmeAnalyst = ApiHarness.token(tokens, Role.ANALYST, "acme");
        acmeAdmin = ApiHarness.token(tokens, Role.ADMIN, "acme");
        globexAdmin = ApiHarness.token(tokens, Role.ADMIN, "globex");
        platformAdmin = ApiHarness.platformAdmin(tokens);
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

    static void sendAlert(Alert a) {
        ApiHarness.send(producer, Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a));
    }

    static void sendStatus(String tenant, String device, Instant lastSeen) {
        ApiHarness.send(producer, Topics.DEVICE_STATUS, tenant + "/" + device,
                Codecs.DEVICE_STATUS.encode(Fixtures.device(tenant, device, "cam-x1", "1.0.0", lastSeen)));
    }

    /** Every record of a topic, from the beginning to its current end. */
    static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    /** The latest control record of a key on fleet.device-controls (null = tombstone or none). */
    static DeviceControl latestControl(String key) {
        DeviceControl last = null;
        for (ConsumerRecord<String, byte[]> r : readAll(Topics.DEVICE_CONTROLS)) {
            if (key.equals(r.key())) {
                last = r.value() == null ? null : Codecs.DEVICE_CONTROL.tryDecode(r.value()).value();
            }
        }
        return last;
    }

    /**
     * Item 2. Before: the serial revoke replaced the empty list ("every certificate") with ["0a"],
     * re-admitting the device's other certificates, and there was no un-revoke.
     */
    @Test
    void item2_aRevocationOfEveryCertificateIsNeverNarrowedAndOnlyAnExplicitAuditedUnrevokeLiftsIt() {
        sendStatus("acme", "rv-1", NOW);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/devices/acme/rv-1", acmeAdmin).status() == 200);
        assertThat(api.post("/api/v1/devices/acme/rv-1/revoke", acmeAdmin, Map.of("reason", "stolen")).status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/devices/acme/rv-1/revoke", acmeAdmin,
                Map.of("reason", "also this one", "serials", List.of("0a"))).status()).isEqualTo(200);
        DeviceControl c = latestControl("acme/rv-1");
        assertThat(c.getRevoked()).isTrue();
        assertThat(c.getRevokedCertificateSerials()).as("still every certificate").isEmpty();
        // a quarantine afterwards does not narrow it either
        api.post("/api/v1/devices/acme/rv-1/quarantine", acmeAnalyst, Map.of("reason", "hold"));
        assertThat(latestControl("acme/rv-1").getRevokedCertificateSerials()).isEmpty();
        assertThat(latestControl("acme/rv-1").getRevoked()).isTrue();
        // release is not a way out, nor is an analyst
        assertThat(api.post("/api/v1/devices/acme/rv-1/release", acmeAnalyst, Map.of("reason", "x")).status())
                .isEqualTo(409);
        assertThat(api.post("/api/v1/devices/acme/rv-1/unrevoke", acmeAnalyst, Map.of("reason", "x")).status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/devices/acme/rv-1/unrevoke", globexAdmin, Map.of("reason", "x")).status())
                .isEqualTo(404);
        JsonNode u = api.post("/api/v1/devices/acme/rv-1/unrevoke", acmeAdmin, Map.of("reason", "key rotated")).json();
        assertThat(u.get("revoked").asBoolean()).isFalse();
        assertThat(u.get("quarantined").asBoolean()).as("quarantine kept").isTrue();
        assertThat(latestControl("acme/rv-1").getRevoked()).isFalse();
        assertThat(api.post("/api/v1/devices/acme/rv-1/unrevoke", acmeAdmin, Map.of("reason", "again")).status())
                .isEqualTo(409);
        JsonNode chain = api.get("/api/v1/audit?chain=device:acme/rv-1", acmeAdmin).json();
        List<String> actions = new ArrayList<>();
        chain.get("entries").forEach(e -> actions.add(e.get("action").asText()));
        assertThat(actions).containsExactly("revoke", "revoke", "quarantine", "unrevoke");
        assertThat(chain.get("entries").get(3).get("actor").asText()).isEqualTo("token:admin-acme");
        assertThat(chain.get("entries").get(3).get("detail").asText()).contains("key rotated");
        assertThat(chain.get("verification").get("valid").asBoolean()).isTrue();
    }

    /**
     * Item 3. Before: revoke and quarantine of an identity the platform had not seen answered 404,
     * and there was no way to revoke a certificate by serial or fingerprint alone.
     */
    @Test
    void item3_unseenIdentitiesAndBareCertificatesCanBeRevokedAndQuarantined() {
        assertThat(api.post("/api/v1/devices/acme/pre-prov-1/revoke", acmeAdmin, Map.of("reason", "key leaked"))
                .status()).isEqualTo(200);
        DeviceControl c = latestControl("acme/pre-prov-1");
        assertThat(c.getRevoked()).isTrue();
        assertThat(c.getRevokedCertificateSerials()).isEmpty();
        assertThat(api.post("/api/v1/devices/acme/pre-prov-2/quarantine", acmeAnalyst, Map.of("reason", "suspicious"))
                .status()).isEqualTo(200);
        assertThat(latestControl("acme/pre-prov-2").getQuarantined()).isTrue();
        // another tenant's identity stays invisible; hostile and reserved ids are refused
        assertThat(api.post("/api/v1/devices/acme/pre-prov-3/revoke", globexAdmin, Map.of("reason", "x")).status())
                .isEqualTo(404);
        assertThat(latestControl("acme/pre-prov-3")).isNull();
        assertThat(api.post("/api/v1/devices/acme/-bad/revoke", acmeAdmin, Map.of("reason", "x")).status())
                .isEqualTo(400);
        assertThat(api.post("/api/v1/devices/" + Scopes.FRONT_DOOR + "/x/quarantine", platformAdmin,
                Map.of("reason", "x")).status()).isEqualTo(400);

        // a certificate by serial alone (any CA, any tenant): platform admins only
        assertThat(api.post("/api/v1/certificates/revocations", acmeAdmin, Map.of("serial", "0a", "reason", "x"))
                .status()).isEqualTo(403);
        ApiHarness.Response bySerial = api.post("/api/v1/certificates/revocations", platformAdmin,
                Map.of("serial", "00:AB:CD", "reason", "found on a forum"));
        assertThat(bySerial.status()).as(bySerial.body()).isEqualTo(201);
        assertThat(bySerial.json().get("certificate").asText()).isEqualTo("serial:abcd");
        DeviceControl s = latestControl("_certificate/serial:abcd");
        assertThat(s.getTenant()).isEqualTo(Scopes.CERTIFICATE);
        assertThat(s.getDeviceId()).isEqualTo("serial:abcd");
        assertThat(s.getRevoked()).isTrue();
        assertThat(s.getRevokedCertificateSerials()).containsExactly("abcd");
        String fp = "9f".repeat(32);
        assertThat(api.post("/api/v1/certificates/revocations", platformAdmin,
                Map.of("fingerprint", fp.toUpperCase(), "reason", "leaked")).status()).isEqualTo(201);
        assertThat(latestControl("_certificate/sha256:" + fp).getRevoked()).isTrue();
        assertThat(api.post("/api/v1/certificates/revocations", platformAdmin,
                Map.of("serial", "0a", "fingerprint", fp, "reason", "x")).status()).isEqualTo(400);
        assertThat(api.post("/api/v1/certificates/revocations", platformAdmin,
                Map.of("serial", "zz' OR 1=1", "reason", "x")).status()).isEqualTo(400);
        assertThat(api.post("/api/v1/certificates/revocations", platformAdmin,
                Map.of("fingerprint", "abc", "reason", "x")).status()).isEqualTo(400);
        JsonNode list = api.get("/api/v1/certificates/revocations", platformAdmin).json();
        assertThat(list.get("items").toString()).contains("serial:abcd").contains("sha256:" + fp);
        // certificate controls are not devices
        assertThat(api.get("/api/v1/devices?limit=500", platformAdmin).body()).doesNotContain("_certificate");
        // lifting it is explicit, audited, and a tombstone for the brokers
        assertThat(api.post("/api/v1/certificates/revocations/serial:abcd/unrevoke", platformAdmin,
                Map.of("reason", "false alarm")).status()).isEqualTo(200);
        assertThat(latestControl("_certificate/serial:abcd")).isNull();
        JsonNode audit = api.get("/api/v1/audit?chain=certificate:serial:abcd", platformAdmin).json();
        assertThat(audit.get("entries")).hasSize(2);
        assertThat(audit.get("entries").get(1).get("action").asText()).isEqualTo("unrevoke");
        assertThat(api.get("/api/v1/audit?chain=certificate:serial:abcd", acmeAdmin).status())
                .as("a reserved scope is not a tenant's").isEqualTo(404);
    }

    /**
     * Item 4. Before: a globex tenant admin rewrote acme's catalog entry (200), and any tenant analyst
     * turned a disclosure report into a platform-wide advisory.
     */
    @Test
    void item4_tenantAdminsAndAnalystsCannotRewritePlatformScopedResources() {
        Map<String, Object> entry = Map.of("model", "cam-z9", "vendor", "Acme", "latestVersion", "1.2.0",
                "releases", List.of());
        assertThat(api.send("PUT", "/api/v1/firmware/catalog/cam-z9", platformAdmin, entry, Map.of()).status())
                .isEqualTo(200);
        ApiHarness.Response hostile = api.send("PUT", "/api/v1/firmware/catalog/cam-z9", globexAdmin,
                Map.of("model", "cam-z9", "vendor", "Acme", "latestVersion", "9.9.9", "releases", List.of()), Map.of());
        assertThat(hostile.status()).isEqualTo(403);
        assertThat(hostile.body()).contains("platform-wide");
        assertThat(api.send("PUT", "/api/v1/firmware/catalog/cam-z9", acmeAdmin, entry, Map.of()).status())
                .as("not even the model's own tenant rewrites the shared entry").isEqualTo(403);
        assertThat(api.get("/api/v1/firmware/catalog", acmeAnalyst).body()).doesNotContain("9.9.9");

        String report = api.post("/api/v1/disclosure/reports", null, Map.of("title", "t",
                "description", "a long enough description of a flaw")).json().get("reportId").asText();
        Map<String, Object> confirm = Map.of("decision", "confirmed", "note", "n", "advisory", Map.of(
                "advisoryId", "FWSA-2026-0777", "model", "cam-z9", "affectedVersions", "[1.0.0,9.0.0)",
                "severity", "critical", "title", "every camera is broken"));
        assertThat(api.post("/api/v1/disclosure/reports/" + report + "/triage", acmeAnalyst, confirm).status())
                .isEqualTo(403);
        assertThat(api.post("/api/v1/disclosure/reports/" + report + "/triage", acmeAdmin, confirm).status())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/disclosure/reports", acmeAdmin).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/advisories/FWSA-2026-0777", acmeAnalyst).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/advisories", acmeAdmin, Map.of("advisoryId", "FWSA-2026-0778", "model", "cam-z9",
                "affectedVersions", "[1.0.0,9.0.0)", "severity", "high", "title", "t")).status()).isEqualTo(403);
        // tokens: never for another tenant, never platform-wide from a tenant admin
        assertThat(api.post("/api/v1/tokens", globexAdmin, Map.of("name", "x", "role", "admin",
                "tenants", List.of("acme"))).status()).isEqualTo(403);
        assertThat(api.post("/api/v1/tokens", globexAdmin, Map.of("name", "x", "role", "viewer",
                "platformWide", true)).status()).isEqualTo(403);
        // the platform SOC (platform-wide analyst) triages reports
        String soc = api.post("/api/v1/tokens", platformAdmin, Map.of("name", "soc-1", "role", "analyst",
                "platformWide", true)).json().get("token").asText();
        assertThat(api.post("/api/v1/disclosure/reports/" + report + "/triage", soc, confirm).status()).isEqualTo(200);
        assertThat(api.send("PUT", "/api/v1/firmware/catalog/cam-z9", soc, entry, Map.of()).status())
                .as("the SOC is not an admin").isEqualTo(403);
    }

    /**
     * Item 5. Before: front-door attempts landed in a tenant named "unverified" (a valid tenant id), and
     * only platform admins could be platform-wide, so there was no SOC role for them.
     */
    @Test
    void item5_frontDoorAlertsAreSeenByThePlatformSocAndNeverByATenantEvenOneNamedUnverified() throws Exception {
        Alert fd = Alert.newBuilder(Fixtures.alert("fd-1", Scopes.FRONT_DOOR, null, "CMP-AUTH-002", Severity.HIGH, NOW))
                .setCohortDimension("sourceAddress").setCohortValue("203.0.113.9").build();
        sendAlert(fd);
        sendAlert(Fixtures.alert("unv-1", "unverified", "cam-1", "CMP-AUTH-001", Severity.LOW, NOW));
        String platformSoc = api.post("/api/v1/tokens", platformAdmin, Map.of("name", "soc-fd", "role", "analyst",
                "platformWide", true)).json().get("token").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/fd-1", platformSoc).status() == 200);
        JsonNode socList = api.get("/api/v1/alerts?tenant=" + Scopes.FRONT_DOOR, platformSoc).json();
        assertThat(socList.get("items").toString()).contains("fd-1");
        assertThat(api.post("/api/v1/alerts/fd-1/acknowledge", platformSoc, null).status()).isEqualTo(200);

        // a real tenant that happens to be called "unverified" sees its own alert and nothing of the front door
        String unverifiedAdmin = ApiHarness.token(tokens, Role.ADMIN, "unverified");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/unv-1", unverifiedAdmin).status() == 200);
        assertThat(api.get("/api/v1/alerts?limit=500", unverifiedAdmin).body()).doesNotContain("fd-1");
        assertThat(api.get("/api/v1/alerts/fd-1", unverifiedAdmin).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/alerts/fd-1", acmeAdmin).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/alerts?tenant=" + Scopes.FRONT_DOOR, acmeAdmin).status()).isEqualTo(403);
        assertThat(api.get("/api/v1/export/ocsf?limit=10000", unverifiedAdmin).body()).doesNotContain("fd-1");
        assertThat(api.get("/api/v1/audit?chain=alert:fd-1", acmeAdmin).status()).isEqualTo(404);
        // no grant can name the reserved scope
        assertThat(api.post("/api/v1/tokens", platformAdmin, Map.of("name", "x", "role", "analyst",
                "tenants", List.of(Scopes.FRONT_DOOR))).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/export/ocsf?limit=10000", platformSoc).body()).contains("fd-1");
    }

    /**
     * Item 7. Before: the history was the last record on the compacted triage topic, so a later
     * record (a second writer, or anyone who can write the topic) silently replaced it, and there was
     * no verifier.
     */
    @Test
    void item7_triageHistoryIsAppendOnlyAndTamperEvident() throws Exception {
        sendAlert(Fixtures.alert("au-1", "acme", "au-dev", "CMP-AUTH-001", Severity.HIGH, NOW));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/au-1", acmeAnalyst).status() == 200);
        api.post("/api/v1/alerts/au-1/acknowledge", acmeAnalyst, null);
        api.post("/api/v1/alerts/au-1/comments", acmeAnalyst, Map.of("text", "line one\nfake|entry=1"));
        api.post("/api/v1/alerts/au-1/resolve", acmeAnalyst, Map.of("resolution", "true-positive"));

        // a competing writer overwrites the compacted triage record with an empty history
        AlertTriage forged = AlertTriage.newBuilder().setAlertId("au-1").setTenant("acme").setVersion(99)
                .setState(TriageState.NEW).setAssignee(null).setResolution(null).setHistory(List.of())
                .setUpdatedAt(NOW).build();
        ApiHarness.send(producer, Topics.ALERT_TRIAGE, "au-1", Codecs.ALERT_TRIAGE.encode(forged));
        await().atMost(Duration.ofSeconds(20)).until(() -> "NEW".equals(
                api.get("/api/v1/alerts/au-1", acmeAnalyst).json().get("triageState").asText()));
        JsonNode history = api.get("/api/v1/alerts/au-1", acmeAnalyst).json().get("history");
        assertThat(history).as("the history survives a last-writer-wins overwrite").hasSize(3);
        assertThat(history.get(1).get("detail").asText()).isEqualTo("line one\nfake|entry=1");
        JsonNode ok = api.get("/api/v1/audit/verify?chain=alert:au-1", acmeAnalyst).json();
        assertThat(ok.get("valid").asBoolean()).isTrue();
        assertThat(ok.get("entries").asInt()).isEqualTo(3);

        // someone with write access to the log rewrites who resolved it: the chain no longer verifies
        JsonNode last = api.get("/api/v1/audit?chain=alert:au-1", acmeAnalyst).json().get("entries").get(2);
        Map<String, Object> tampered = new HashMap<>();
        tampered.put("chain", "alert:au-1");
        tampered.put("seq", 3);
        tampered.put("scope", "acme");
        tampered.put("action", "resolve");
        tampered.put("actor", "token:someone-else");
        tampered.put("at", last.get("at").asText());
        tampered.put("detailDigest", null);
        tampered.put("prevHash", last.get("prevHash").asText());
        tampered.put("hash", last.get("hash").asText());
        ApiHarness.send(producer, OwnTopics.AUDIT, "alert:au-1", ApiHarness.MAPPER.writeValueAsBytes(tampered));
        await().atMost(Duration.ofSeconds(20)).until(() -> !api.get("/api/v1/audit/verify?chain=alert:au-1", acmeAnalyst)
                .json().get("valid").asBoolean());
        JsonNode bad = api.get("/api/v1/audit/verify?chain=alert:au-1", acmeAnalyst).json();
        assertThat(bad.get("problems").toString()).contains("fork").contains("altered");
        assertThat(api.get("/api/v1/audit/verify?chain=alert:au-1", globexAdmin).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/audit/verify?chain=alert:au-1%0Aevil", acmeAnalyst).status()).isEqualTo(400);
    }

    /**
     * Item 8. Before: the cursor was {@code updatedAt}: a {@code limit} cut inside equal timestamps
     * skipped records, only the latest revision was exported, triage emitted nothing, and there was
     * no CEF.
     */
    @Test
    void item8_siemExportByOffsetLosesNoRevisionAndNoTriageChangeInOcsfAndCef() throws Exception {
        // 7 alerts with one and the same updatedAt; s-0 has two revisions; a hostile summary
        for (int i = 0; i < 7; i++) {
            sendAlert(Alert.newBuilder(Fixtures.alert("s-" + i, "siem", "d-" + i, "CMP-NET-001", Severity.MEDIUM, NOW))
                    .setSummary(i == 3 ? "evil|CEF:0|x\nrt=1 msg\\=x" : "s" + i).build());
        }
        sendAlert(Alert.newBuilder(Fixtures.alert("s-0", "siem", "d-0", "CMP-NET-001", Severity.HIGH, NOW))
                .setRevision(2).build());
        String siemAnalyst = ApiHarness.token(tokens, Role.ANALYST, "siem");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/s-6", siemAnalyst).status() == 200);
        api.post("/api/v1/alerts/s-2/acknowledge", siemAnalyst, null);
        api.post("/api/v1/alerts/s-2/comments", siemAnalyst, Map.of("text", "checked"));

        List<String> ocsf = pullAll("/api/v1/export/ocsf", siemAnalyst, 2);
        List<String> uids = new ArrayList<>();
        for (String line : ocsf) {
            uids.add(ApiHarness.MAPPER.readTree(line).get("metadata").get("uid").asText());
        }
        assertThat(uids).containsExactlyInAnyOrder("s-0#1", "s-0#2", "s-1#1", "s-2#1", "s-3#1", "s-4#1", "s-5#1",
                "s-6#1", "s-2#triage#1", "s-2#triage#2");
        JsonNode ack = ApiHarness.MAPPER.readTree(ocsf.get(uids.indexOf("s-2#triage#1")));
        assertThat(ack.get("actor").get("user").get("name").asText()).isEqualTo("token:analyst-siem");
        assertThat(ack.get("status").asText()).isEqualTo("In Progress");
        assertThat(ack.get("unmapped").get("fleetwarden").get("audit").get("hash").asText()).hasSize(64);

        List<String> cef = pullAll("/api/v1/export/cef", siemAnalyst, 3);
        assertThat(cef).hasSize(10).allMatch(l -> l.startsWith("CEF:0|Fleetwarden|Fleetwarden|"));
        String hostile = cef.stream().filter(l -> l.contains("externalId=s-3")).findFirst().orElseThrow();
        assertThat(hostile).contains("msg=evil|CEF:0|x\\nrt\\=1 msg\\\\\\=x");
        assertThat(cef.stream().filter(l -> l.contains("|triage-comment|")).findFirst().orElseThrow())
                .contains("suser=token:analyst-siem").contains("msg=checked");

        // nothing after the end; other tenants see none of it; a forged cursor is refused
        ApiHarness.Response caughtUp = api.get("/api/v1/export/ocsf?cursor=" + cursorAfter("/api/v1/export/ocsf",
                siemAnalyst), siemAnalyst);
        assertThat(caughtUp.body()).isEmpty();
        assertThat(api.get("/api/v1/export/ocsf?limit=10000", acmeAnalyst).body()).doesNotContain("\"s-1\"");
        assertThat(api.get("/api/v1/export/ocsf?cursor=a0=-1", siemAnalyst).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/export/ocsf?cursor=x9=1", siemAnalyst).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/export/ocsf?since=2026-01-01T00:00:00Z", siemAnalyst).status()).isEqualTo(400);
    }

    /** Follows the cursor page by page until the export says there is no more. */
    static List<String> pullAll(String path, String token, int limit) {
        List<String> out = new ArrayList<>();
        String cursor = "";
        for (int page = 0; page < 100; page++) {
            ApiHarness.Response r = api.get(path + "?limit=" + limit + "&cursor=" + cursor, token);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            for (String l : r.body().split("\n")) {
                if (!l.isEmpty()) {
                    out.add(l);
                }
            }
            assertThat(r.body().split("\n").length).isLessThanOrEqualTo(limit);
            cursor = r.headers().firstValue("X-Fleetwarden-Cursor").orElseThrow();
            if (r.headers().firstValue("X-Fleetwarden-More").orElseThrow().equals("false")) {
                return out;
            }
        }
        throw new AssertionError("export never caught up");
    }

    static String cursorAfter(String path, String token) {
        return api.get(path + "?limit=10000", token).headers().firstValue("X-Fleetwarden-Cursor").orElseThrow();
    }

    /**
     * Item 6. Before: {@code fleet.alerts} is not compacted and replayed at start, so a restarted API
     * served the decommissioned device's alerts again; a job re-publishing the device's status
     * re-created it.
     */
    @Test
    void item6_erasureSticksAcrossARestartAndAgainstRepublishedRecords() throws Exception {
        Instant before = NOW.minusSeconds(60);
        sendStatus("acme", "gone-1", before);
        sendAlert(Fixtures.alert("g-1", "acme", "gone-1", "CMP-AUTH-001", Severity.HIGH, before));
        sendAlert(Fixtures.alert("g-2", "acme", "gone-1", "CMP-NET-001", Severity.LOW, before));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/g-2", acmeAnalyst).status() == 200);
        api.post("/api/v1/alerts/g-1/comments", acmeAnalyst, Map.of("text", "owner Jane Doe, +44 20 7946 0000"));
        JsonNode r = api.post("/api/v1/devices/acme/gone-1/decommission", acmeAdmin, Map.of("reason", "returned"))
                .json();
        assertThat(r.get("alertsRemoved").asInt()).isEqualTo(2);

        // a job that still holds the device in keyed state re-publishes its status and an alert revision
        sendStatus("acme", "gone-1", before.plusSeconds(1));
        sendAlert(Alert.newBuilder(Fixtures.alert("g-1", "acme", "gone-1", "CMP-AUTH-001", Severity.HIGH, before))
                .setRevision(5).setUpdatedAt(Instant.now()).build());
        sendAlert(Fixtures.alert("g-after", "acme", "other-1", "CMP-AUTH-001", Severity.LOW, NOW));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/v1/alerts/g-after", acmeAnalyst).status() == 200);
        assertErased(api);

        // restart: a new instance replays every topic from the beginning
        try (ApiHarness restarted = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady()) {
            assertThat(restarted.get("/api/v1/alerts/g-after", acmeAnalyst).status()).isEqualTo(200);
            assertErased(restarted);
            JsonNode chain = restarted.get("/api/v1/audit?chain=alert:g-1", acmeAdmin).json();
            assertThat(chain.get("entries").get(0).get("action").asText()).isEqualTo("comment");
            assertThat(chain.get("entries").get(0).get("detailErased").asBoolean()).isTrue();
            assertThat(chain.toString()).doesNotContain("Jane").doesNotContain("gone-1");
            assertThat(chain.get("verification").get("valid").asBoolean()).as("still verifies after erasure").isTrue();
            assertThat(chain.get("verification").get("detailsErased").asInt()).isEqualTo(1);
        }
        assertThat(r.get("tombstones").toString()).contains(OwnTopics.AUDIT_DETAILS + ":alert:g-1#1")
                .contains(OwnTopics.ERASURES + ":acme/gone-1");
    }

    static void assertErased(ApiHarness a) {
        assertThat(a.get("/api/v1/alerts/g-1", acmeAnalyst).status()).isEqualTo(404);
        assertThat(a.get("/api/v1/alerts/g-2", acmeAnalyst).status()).isEqualTo(404);
        assertThat(a.get("/api/v1/alerts?device=gone-1", acmeAnalyst).json().get("total").asInt()).isZero();
        JsonNode d = a.get("/api/v1/devices/acme/gone-1", acmeAnalyst).json();
        assertThat(d.get("model").isNull()).as("status not re-created").isTrue();
        assertThat(d.get("control").get("revoked").asBoolean()).isTrue();
        String export = a.get("/api/v1/export/ocsf?tenant=acme&limit=10000", acmeAnalyst).body();
        assertThat(export).doesNotContain("\"g-1\"").doesNotContain("\"g-2\"").doesNotContain("gone-1")
                .contains("g-after");
        Set<String> cef = new HashSet<>(List.of(a.get("/api/v1/export/cef?tenant=acme&limit=10000", acmeAnalyst)
                .body().split("\n")));
        assertThat(cef).noneMatch(l -> l.contains("gone-1"));
    }
}
