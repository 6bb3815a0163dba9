package io.fleetwarden.dashboard.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.dashboard.ApiHarness;
import io.fleetwarden.dashboard.TestInflux;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.kafka.CompactedTopicReader;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The enrolment API against the real server and real Kafka: enrol, read back (also from the topic, as brokers read
 * it), rotation and renewal visibility, state changes, bulk import all or nothing, validation refusals with their
 * reasons and counts, and tenant isolation (a tenant token can neither enrol into nor read another tenant's registry).
 */
class RegistryApiIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static final String FP1 = "1".repeat(64);
    static final String FP2 = "2".repeat(64);
    static TokenStore tokens;
    static ApiHarness api;
    static String acmeAdmin;
    static String acmeViewer;
    static String globexAdmin;
    static String acmeAnalyst;

    @BeforeAll
    static void start() throws Exception {
        tokens = ApiHarness.tokenStore();
        acmeAdmin = ApiHarness.token(tokens, Role.ADMIN, "acme");
        acmeViewer = ApiHarness.token(tokens, Role.VIEWER, "acme");
        acmeAnalyst = ApiHarness.token(tokens, Role.ANALYST, "acme");
        globexAdmin = ApiHarness.token(tokens, Role.ADMIN, "globex");
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    static Map<String, Object> device(String id, Object certificates) {
        return Map.of("deviceId", id, "model", "cam-x1", "region", "eu-west", "certificates", certificates);
    }

    static String problemType(ApiHarness.Response r) {
        return r.json().get("type").asText();
    }

    @Test
    void enrolReadBackAndTheRecordIsOnTheTopicForTheBrokers() throws Exception {
        Instant notAfter = Instant.now().plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        ApiHarness.Response r = api.post("/api/v1/registry/acme/devices", acmeAdmin,
                device("cam-100", List.of(Map.of("fingerprint", FP1, "notAfter", notAfter.toString()))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("state").asText()).isEqualTo("enrolled");

        JsonNode got = api.get("/api/v1/registry/acme/devices/cam-100", acmeViewer).json();
        assertThat(got.get("model").asText()).isEqualTo("cam-x1");
        assertThat(got.get("certificates").get(0).get("fingerprint").asText()).isEqualTo(FP1);
        assertThat(got.get("certificates").get(0).get("renewalDue").asBoolean()).isFalse();

        // a second enrolment of the same device is a conflict, not an overwrite
        ApiHarness.Response again = api.post("/api/v1/registry/acme/devices", acmeAdmin, device("cam-100", List.of(FP2)));
        assertThat(again.status()).isEqualTo(409);
        assertThat(problemType(again)).isEqualTo("/problems/enrolment/already-registered");

        // what the brokers read: the registration in fleet.device-registry under the device key
        java.util.concurrent.ConcurrentHashMap<String, DeviceRegistration> seen = new java.util.concurrent.ConcurrentHashMap<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "it-" + UUID.randomUUID())
                .on(Topics.DEVICE_REGISTRY, rec -> seen.put(rec.key(), DeviceRegistration.parse(rec.key(), rec.value())))
                .build()) {
            reader.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.containsKey("acme/cam-100"));
        }
        assertThat(seen.get("acme/cam-100").allowsCertificate(FP1)).isTrue();
        assertThat(seen.get("acme/cam-100").certificates().get(0).notAfter()).isEqualTo(notAfter);
    }

    @Test
    void rotationShowsBothCertificatesWithExpiryLastUseAndRenewalDue() throws Exception {
        Instant soon = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Instant later = Instant.now().plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        assertThat(api.post("/api/v1/registry/acme/devices", acmeAdmin,
                device("cam-rot", List.of(Map.of("fingerprint", FP1, "notAfter", soon.toString())))).status()).isEqualTo(201);
        JsonNode before = api.get("/api/v1/registry/acme/devices/cam-rot", acmeViewer).json();
        assertThat(before.get("renewalDue").asBoolean()).as("its only certificate expires within 30 days").isTrue();

        // the device connected with FP1: the brokers' CONNECT event carries the fingerprint
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            SecurityEvent connect = SecurityEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setType(SecurityEventType.CONNECT).setTimestamp(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                    .setTenant("acme").setDeviceId("cam-rot").setClaimedClientId("acme/cam-rot")
                    .setReason(SecurityEventReasons.CONNECTED).setBroker(BrokerContext.newBuilder().setBrokerId("b1")
                            .setCertificateFingerprint(FP1).build()).build();
            ApiHarness.send(p, Topics.SECURITY_EVENTS, "acme/cam-rot", Codecs.SECURITY_EVENT.encode(connect));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> FP1.equals(api.get("/api/v1/registry/acme/devices/cam-rot",
                acmeViewer).json().path("lastUsedCertificate").asText(null)));

        ApiHarness.Response put = api.send("PUT", "/api/v1/registry/acme/devices/cam-rot", acmeAdmin, Map.of("model", "cam-x1",
                "region", "eu-west", "state", "active", "certificates", List.of(Map.of("fingerprint", FP1, "notAfter",
                        soon.toString()), Map.of("fingerprint", FP2, "notAfter", later.toString()))), Map.of());
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        JsonNode after = put.json();
        assertThat(after.get("certificates")).hasSize(2);
        assertThat(after.get("certificates").get(0).get("renewalDue").asBoolean()).isTrue();
        assertThat(after.get("certificates").get(0).get("lastUsedAt").isNull()).isFalse();
        assertThat(after.get("certificates").get(1).get("renewalDue").asBoolean()).isFalse();
        assertThat(after.get("certificates").get(1).get("lastUsedAt").isNull()).isTrue();
        assertThat(after.get("renewalDue").asBoolean()).as("a successor is registered").isFalse();

        ApiHarness.Response three = api.send("PUT", "/api/v1/registry/acme/devices/cam-rot", acmeAdmin, Map.of("model",
                "cam-x1", "certificates", List.of(FP1, FP2, "3".repeat(64))), Map.of());
        assertThat(three.status()).isEqualTo(400);
        assertThat(problemType(three)).isEqualTo("/problems/enrolment/too-many-certificates");
    }

    @Test
    void stateChangesAreAdminOnlyAndValidated() {
        assertThat(api.post("/api/v1/registry/acme/devices", acmeAdmin, device("cam-st", List.of(FP1))).status()).isEqualTo(201);
        ApiHarness.Response bad = api.post("/api/v1/registry/acme/devices/cam-st/state", acmeAdmin,
                Map.of("state", "deleted", "reason", "x"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(problemType(bad)).isEqualTo("/problems/enrolment/invalid-state");
        assertThat(api.post("/api/v1/registry/acme/devices/cam-st/state", acmeAnalyst,
                Map.of("state", "suspended", "reason", "x")).status()).isEqualTo(403);
        ApiHarness.Response ok = api.post("/api/v1/registry/acme/devices/cam-st/state", acmeAdmin,
                Map.of("state", "suspended", "reason", "stolen"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("state").asText()).isEqualTo("suspended");
        assertThat(api.post("/api/v1/registry/acme/devices/nope/state", acmeAdmin,
                Map.of("state", "active", "reason", "x")).status()).isEqualTo(404);
    }

    @Test
    void aTenantCanNeitherEnrolIntoNorReadAnotherTenantsRegistry() {
        assertThat(api.post("/api/v1/registry/acme/devices", acmeAdmin, device("cam-own", List.of(FP1))).status()).isEqualTo(201);
        long before = refusals("tenant-not-permitted");

        ApiHarness.Response enrol = api.post("/api/v1/registry/acme/devices", globexAdmin, device("cam-evil", List.of(FP2)));
        assertThat(enrol.status()).isEqualTo(404);
        assertThat(api.get("/api/v1/registry/acme/devices/cam-own", globexAdmin).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/registry/acme/devices", globexAdmin).status()).isEqualTo(404);
        assertThat(api.send("PUT", "/api/v1/registry/acme/devices/cam-own", globexAdmin,
                Map.of("model", "evil", "certificates", List.of(FP2)), Map.of()).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/registry/acme/devices/cam-own/state", globexAdmin,
                Map.of("state", "decommissioned", "reason", "x")).status()).isEqualTo(404);
        assertThat(api.send("POST", "/api/v1/registry/acme/import", globexAdmin,
                "{\"deviceId\":\"x\",\"model\":\"m\",\"certificates\":[\"" + FP2 + "\"]}\n",
                Map.of("Content-Type", "application/x-ndjson")).status()).isEqualTo(404);
        // a tenant in the body changes nothing: it is an unknown field
        ApiHarness.Response smuggled = api.post("/api/v1/registry/globex/devices", globexAdmin,
                Map.of("deviceId", "cam-x", "tenant", "acme", "model", "m", "certificates", List.of(FP2)));
        assertThat(smuggled.status()).isEqualTo(400);
        assertThat(problemType(smuggled)).isEqualTo("/problems/enrolment/unknown-field");

        JsonNode acme = api.get("/api/v1/registry/acme/devices/cam-own", acmeViewer).json();
        assertThat(acme.get("model").asText()).isEqualTo("cam-x1");
        assertThat(acme.get("state").asText()).isEqualTo("enrolled");
        assertThat(api.get("/api/v1/registry/acme/devices/cam-evil", acmeViewer).status()).isEqualTo(404);
        assertThat(refusals("tenant-not-permitted")).isGreaterThanOrEqualTo(before + 6);
        // a viewer cannot enrol even in its own tenant
        assertThat(api.post("/api/v1/registry/acme/devices", acmeViewer, device("cam-v", List.of(FP1))).status())
                .isEqualTo(403);
    }

    @Test
    void validationRefusalsNameTheirReasonAndAreCounted() {
        long before = refusals("invalid-fingerprint");
        record Case(Object body, String reason) {
        }
        for (Case c : List.of(
                new Case(device("cam-1", List.of("ABC")), "invalid-fingerprint"),
                new Case(Map.of("deviceId", "cam 1", "model", "m", "certificates", List.of(FP1)), "invalid-device-id"),
                new Case(Map.of("deviceId", "../../etc", "model", "m", "certificates", List.of(FP1)), "invalid-device-id"),
                new Case(Map.of("deviceId", "cam-1", "model", "<script>", "certificates", List.of(FP1)), "invalid-model"),
                new Case(Map.of("deviceId", "cam-1", "model", "m", "region", "x".repeat(65), "certificates", List.of(FP1)),
                        "invalid-region"),
                new Case(Map.of("deviceId", "cam-1", "model", "m"), "no-credential"),
                new Case(Map.of("deviceId", "cam-1", "model", "m", "certificates", List.of(FP1, FP1)), "duplicate-fingerprint"),
                new Case(Map.of("deviceId", "cam-1", "model", "m", "certificates",
                        List.of(Map.of("fingerprint", FP1, "notAfter", "soon"))), "invalid-not-after"),
                new Case(Map.of("deviceId", "cam-1", "model", "m", "issuers", List.of("zz")), "invalid-issuer"))) {
            ApiHarness.Response r = api.post("/api/v1/registry/acme/devices", acmeAdmin, c.body());
            assertThat(r.status()).as(c.reason() + ": " + r.body()).isEqualTo(400);
            assertThat(problemType(r)).isEqualTo("/problems/enrolment/" + c.reason());
        }
        assertThat(refusals("invalid-fingerprint")).isEqualTo(before + 1);
        assertThat(api.get("/api/v1/registry/acme/devices/cam-1", acmeViewer).status()).isEqualTo(404);
    }

    @Test
    void bulkImportIsAllOrNothingWithPerRowReasons() {
        String good = "deviceId,model,region,certificates\nimp-1,cam-x1,eu-west," + FP1 + "\nimp-2,cam-x2,us-east," + FP1 + ";" + FP2 + "\n";
        String bad = "deviceId,model,region,certificates\nimp-3,cam-x1,eu-west," + FP1 + "\nimp-4,cam x2,us-east," + FP2
                + "\nimp-3,cam-x1,eu-west," + FP2 + "\n";
        ApiHarness.Response refused = api.send("POST", "/api/v1/registry/acme/import", acmeAdmin, bad,
                Map.of("Content-Type", "text/csv"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        JsonNode results = refused.json().get("results");
        assertThat(refused.json().get("written").asBoolean()).isFalse();
        assertThat(results.get(0).get("status").asText()).isEqualTo("valid");
        assertThat(results.get(1).get("reason").asText()).isEqualTo("invalid-model");
        assertThat(results.get(2).get("reason").asText()).isEqualTo("duplicate-row");
        assertThat(api.get("/api/v1/registry/acme/devices/imp-3", acmeViewer).status()).as("nothing written").isEqualTo(404);

        ApiHarness.Response ok = api.send("POST", "/api/v1/registry/acme/import", acmeAdmin, good,
                Map.of("Content-Type", "text/csv"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().get("results").get(1).get("status").asText()).isEqualTo("registered");
        assertThat(api.get("/api/v1/registry/acme/devices/imp-2", acmeViewer).json().get("certificates")).hasSize(2);

        String jsonl = "{\"deviceId\":\"imp-5\",\"model\":\"cam-x1\",\"certificates\":[\"" + FP1 + "\"]}\n"
                + "{\"deviceId\":\"imp-1\",\"model\":\"cam-x1\",\"certificates\":[\"" + FP1 + "\"]}\nnot json\n";
        ApiHarness.Response lines = api.send("POST", "/api/v1/registry/acme/import", acmeAdmin, jsonl,
                Map.of("Content-Type", "application/x-ndjson"));
        assertThat(lines.status()).isEqualTo(422);
        assertThat(lines.json().get("results").get(1).get("reason").asText()).isEqualTo("already-registered");
        assertThat(lines.json().get("results").get(2).get("reason").asText()).isEqualTo("malformed");

        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= RegistryService.MAX_IMPORT_ROWS; i++) {
            many.append("{\"deviceId\":\"m-").append(i).append("\",\"model\":\"m\",\"certificates\":[\"").append(FP1).append("\"]}\n");
        }
        ApiHarness.Response tooMany = api.send("POST", "/api/v1/registry/acme/import", acmeAdmin, many.toString(),
                Map.of("Content-Type", "application/x-ndjson"));
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(problemType(tooMany)).isEqualTo("/problems/enrolment/too-many-rows");
        ApiHarness.Response xml = api.send("POST", "/api/v1/registry/acme/import", acmeAdmin, "<a/>",
                Map.of("Content-Type", "application/xml"));
        assertThat(xml.status()).isEqualTo(415);
    }

    static long refusals(String reason) {
        String metrics = api.get("/metrics", null).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("fleetwarden_dashboard_enrolment_refusals{reason=\"" + reason + "\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no enrolment refusal metric for " + reason);
    }
}
