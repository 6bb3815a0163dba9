package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Walks EVERY route of the real server (taken from the app's route table, so a new route cannot
 * be left out): without a token (401 unless public), with the role just below the one the route
 * needs (403), with exactly the needed role (2xx, with a valid request), and then as a TENANT admin
 * (acme) and as a PLATFORM admin: platform-scoped routes (catalog, advisories, report triage,
 * certificate revocations, webhook status, marking an
 * advisory exploited and the CRA case actions) refuse the tenant admin with 403 and admit the platform
 * admin; every other route admits both. Platform-analyst routes also refuse a tenant analyst.
 */
class RoleMatrixIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static ApiHarness api;
    static TokenStore tokens;
    static final Map<Role, String> BY_ROLE = new HashMap<>();
    static final Map<Role, String> PLATFORM_BY_ROLE = new HashMap<>();
    static final java.util.concurrent.atomic.AtomicInteger FRESH = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            ApiHarness.send(p, Topics.ALERTS, "m-1", Codecs.ALERT.encode(
                    Fixtures.alert("m-1", "acme", "cam-1", "FW-COMP-001", Severity.HIGH, Instant.now())));
            ApiHarness.send(p, Topics.DEVICE_STATUS, "acme/cam-1", Codecs.DEVICE_STATUS.encode(
                    Fixtures.device("acme", "cam-1", "cam-x1", "1.0.0", Instant.now())));
            ApiHarness.send(p, Topics.DEVICE_STATUS, "acme/cam-cra", Codecs.DEVICE_STATUS.encode(
                    Fixtures.device("acme", "cam-cra", "cam-x1", "1.0.0", Instant.now()))); // not decommissioned here
        }
        tokens = ApiHarness.tokenStore();
        for (Role r : Role.values()) {
            BY_ROLE.put(r, ApiHarness.token(tokens, r, "acme"));
            PLATFORM_BY_ROLE.put(r, tokens.create("platform-" + r, r, java.util.Set.of(), true, "test").secret());
        }
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens, "disclosure.reports-per-minute", "1000")
                .awaitReady();
    }

    /** An alert no test triaged before: open, or resolved by its job (for reopen). */
    static String freshAlert(boolean resolved) {
        String id = "m-f" + FRESH.incrementAndGet();
        Alert a = Fixtures.alert(id, "acme", "cam-1", "FW-COMP-001", Severity.HIGH, Instant.now());
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            ApiHarness.send(p, Topics.ALERTS, id, Codecs.ALERT.encode(resolved ? Fixtures.resolvedByJob(a, Instant.now()) : a));
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> api.get("/api/v1/alerts/" + id, PLATFORM_BY_ROLE.get(Role.ADMIN)).status() == 200);
        return id;
    }

    /** A device id no test used before, in the state the route needs (quarantined or revoked). */
    static String freshDevice(String action) {
        String id = "cam-f" + FRESH.incrementAndGet();
        ApiHarness.Response r = api.post("/api/v1/devices/acme/" + id + "/" + action,
                PLATFORM_BY_ROLE.get(Role.ADMIN), Map.of("reason", "matrix setup"));
        assertThat(r.status()).as("setup " + action + ": " + r.body()).isEqualTo(200);
        return id;
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    /** A new advisory affecting acme's cam-x1 1.0.0 devices (an advisory is marked exploited once only). */
    static String freshAdvisory() {
        String id = "FWSA-2026-" + (1000 + FRESH.incrementAndGet());
        ApiHarness.Response r = api.post("/api/v1/advisories", PLATFORM_BY_ROLE.get(Role.ADMIN), Map.of("advisoryId", id,
                "model", "cam-x1", "affectedVersions", "[1.0.0,1.2.0)", "severity", "high", "title", "matrix CRA"));
        assertThat(r.status()).as("setup advisory: " + r.body()).isEqualTo(201);
        return id;
    }

    /** A new CRA case (each stage can be submitted once only). */
    static String freshCase() {
        String advisory = freshAdvisory();
        ApiHarness.Response r = api.post("/api/v1/advisories/" + advisory + "/exploited", PLATFORM_BY_ROLE.get(Role.ADMIN),
                Map.of("note", "matrix setup"));
        assertThat(r.status()).as("setup case: " + r.body()).isEqualTo(201);
        return "CRA-" + advisory;
    }

    static String path(String template) {
        if (template.equals("/api/v1/alert-events")) { // a live stream: one second of it, then the server ends it
            return template + "?for=PT1S";
        }
        if (template.endsWith("/exploited")) { // its own advisory: the matrix withdraws FWSA-2026-0009 before
            template = template.replace("{advisoryId}", freshAdvisory());
        }
        String tokenId = template.contains("{tokenId}")
                ? tokens.create("victim", Role.VIEWER, java.util.Set.of("acme"), false, "test").stored().id() : "";
        String reportId = template.contains("{reportId}") ? api.post("/api/v1/disclosure/reports", null,
                Map.of("title", "t", "description", "a long enough description of a flaw")).json().get("reportId")
                .asText() : "";
        String certificateId = "";
        if (template.contains("{certificateId}")) {
            String serial = Integer.toHexString(0x7000 + FRESH.incrementAndGet());
            assertThat(api.post("/api/v1/certificates/revocations", PLATFORM_BY_ROLE.get(Role.ADMIN),
                    Map.of("serial", serial, "reason", "setup")).status()).isEqualTo(201);
            certificateId = "serial:" + serial;
        }
        String device = template.startsWith("/api/v1/registry/") && template.contains("{deviceId}") ? freshRegistration()
                : template.endsWith("/unrevoke") ? freshDevice("revoke")
                : template.endsWith("/release") || template.endsWith("/decommission") ? freshDevice("quarantine")
                : "cam-1";
        String fingerprint = template.contains("{fingerprint}") ? freshEnrolmentCa() : "";
        String p = template.replace("{tenant}", "acme").replace("{fingerprint}", fingerprint).replace("{deviceId}", device).replace("{alertId}",
                        template.endsWith("/resolve") ? freshAlert(false) : template.endsWith("/reopen") ? freshAlert(true)
                                : "m-1")
                .replace("{advisoryId}", "FWSA-2026-0009").replace("{model}", "cam-x1").replace("{reportId}", reportId)
                .replace("{tokenId}", tokenId).replace("{certificateId}", certificateId)
                .replace("{caseId}", template.contains("{caseId}") ? freshCase() : "").replace("{stage}", "early-warning");
        if (template.startsWith("/api/v1/audit")) {
            p += "?chain=device:acme/cam-1";
        }
        return p;
    }

    /** A device id no test used before, enrolled in acme's registry. */
    static String freshRegistration() {
        String id = "reg-f" + FRESH.incrementAndGet();
        ApiHarness.Response r = api.post("/api/v1/registry/acme/devices", PLATFORM_BY_ROLE.get(Role.ADMIN),
                Map.of("deviceId", id, "model", "cam-x1", "certificates", List.of("a".repeat(64))));
        assertThat(r.status()).as("setup registration: " + r.body()).isEqualTo(201);
        return id;
    }

    /** A CA fingerprint no test used before, configured as an enrolment CA of acme. */
    static String freshEnrolmentCa() {
        String fp = String.format("%064x", 0xe000 + FRESH.incrementAndGet());
        ApiHarness.Response r = api.send("PUT", "/api/v1/registry/acme/enrolment-cas/" + fp,
                PLATFORM_BY_ROLE.get(Role.ADMIN), Map.of("template", Map.of("model", "cam-x1")), Map.of());
        assertThat(r.status()).as("setup enrolment CA: " + r.body()).isEqualTo(201);
        return fp;
    }

    static Object body(Route r) {
        if (r.path().equals("/api/v1/registry/{tenant}/enrolment-cas/{fingerprint}") && r.method().name().equals("PUT")) {
            return Map.of("template", Map.of("model", "cam-x2", "state", "active"));
        }
        String p = r.path();
        if (p.equals("/api/v1/registry/{tenant}/devices") && r.method().name().equals("POST")) {
            return Map.of("deviceId", "reg-n" + FRESH.incrementAndGet(), "model", "cam-x1", "certificates",
                    List.of("b".repeat(64)));
        }
        if (p.equals("/api/v1/registry/{tenant}/import")) {
            return List.of(Map.of("deviceId", "reg-i" + FRESH.incrementAndGet(), "model", "cam-x1", "certificates",
                    List.of("c".repeat(64))));
        }
        if (p.equals("/api/v1/registry/{tenant}/devices/{deviceId}") && r.method().name().equals("PUT")) {
            return Map.of("model", "cam-x2", "certificates", List.of("d".repeat(64)));
        }
        if (p.equals("/api/v1/registry/{tenant}/devices/{deviceId}/state")) {
            return Map.of("state", "active", "reason", "matrix");
        }
        if (p.endsWith("/assign")) {
            return Map.of("assignee", "sam");
        }
        if (p.endsWith("/comments")) {
            return Map.of("text", "note");
        }
        if (p.endsWith("/resolve")) {
            return Map.of("resolution", "duplicate");
        }
        if (p.endsWith("/reopen")) {
            return Map.of("reason", "again");
        }
        if (p.contains("/devices/{tenant}/{deviceId}/") || p.endsWith("/unrevoke")) {
            return Map.of("reason", "matrix");
        }
        if (p.equals("/api/v1/certificates/revocations")) {
            return Map.of("serial", Integer.toHexString(0x9000 + FRESH.incrementAndGet()), "reason", "matrix");
        }
        if (p.equals("/api/v1/firmware/catalog/{model}")) {
            return Map.of("model", "cam-x1", "latestVersion", "1.2.0", "releases", List.of());
        }
        if (p.equals("/api/v1/advisories") && r.method().name().equals("POST")) {
            return Map.of("advisoryId", "FWSA-2026-0009", "model", "cam-x1", "affectedVersions", "[1.0.0,1.2.0)",
                    "severity", "high", "title", "matrix");
        }
        if (p.endsWith("/triage")) {
            return Map.of("decision", "rejected", "note", "not reproducible");
        }
        if (p.equals("/api/v1/tokens") && r.method().name().equals("POST")) {
            return Map.of("name", "made-by-matrix", "role", "viewer", "tenants", List.of("acme"));
        }
        if (p.endsWith("/exploited")) {
            return Map.of("note", "matrix");
        }
        if (p.endsWith("/submissions")) {
            return Map.of("stage", "early-warning", "reference", "matrix");
        }
        if (p.equals("/api/v1/disclosure/reports")) {
            return Map.of("title", "t", "description", "a long enough description of a flaw");
        }
        return null;
    }

    static Role below(Role r) {
        return Role.values()[r.ordinal() - 1];
    }

    /** The token with exactly the role a route needs: platform-wide for platform routes. */
    static String tokenFor(Access a, Role role) {
        return a.platformOnly() ? PLATFORM_BY_ROLE.get(role) : BY_ROLE.get(role);
    }

    @TestFactory
    Stream<DynamicTest> everyRouteWithNoTokenWrongRoleAndRightRole() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Route r : api.app.routes()) {
            String name = r.method().name() + " " + r.path();
            tests.add(DynamicTest.dynamicTest(name + " without a token", () -> {
                ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), null, body(r), Map.of());
                if (r.access() == Access.PUBLIC) {
                    assertThat(resp.status()).as(name).isNotIn(401, 403);
                } else {
                    assertThat(resp.status()).as(name).isEqualTo(401);
                    assertThat(resp.body()).contains("/problems/unauthorized");
                }
            }));
            Role needed = r.access().minimumRole();
            if (needed != null && needed != Role.VIEWER) {
                tests.add(DynamicTest.dynamicTest(name + " with role " + below(needed), () -> {
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()),
                            tokenFor(r.access(), below(needed)), body(r), Map.of());
                    assertThat(resp.status()).as(name).isEqualTo(403);
                    assertThat(resp.body()).contains("/problems/forbidden");
                }));
            }
            if (needed != null) {
                tests.add(DynamicTest.dynamicTest(name + " with role " + needed, () -> {
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), tokenFor(r.access(), needed),
                            body(r), Map.of());
                    assertThat(resp.status()).as(name + ": " + resp.body()).isBetween(200, 299);
                }));
                if (r.access().platformOnly()) {
                    tests.add(DynamicTest.dynamicTest(name + " with a tenant " + needed + " grant", () -> {
                        ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), BY_ROLE.get(needed),
                                body(r), Map.of());
                        assertThat(resp.status()).as(name + ": " + resp.body()).isEqualTo(403);
                        assertThat(resp.body()).contains("platform-wide");
                    }));
                }
                tests.add(DynamicTest.dynamicTest(name + " as tenant admin", () -> {
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), BY_ROLE.get(Role.ADMIN),
                            body(r), Map.of());
                    if (r.access().platformOnly()) {
                        assertThat(resp.status()).as(name + ": " + resp.body()).isEqualTo(403);
                        assertThat(resp.body()).contains("/problems/forbidden");
                    } else {
                        assertThat(resp.status()).as(name + ": " + resp.body()).isBetween(200, 299);
                    }
                }));
                tests.add(DynamicTest.dynamicTest(name + " as platform admin", () -> {
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), PLATFORM_BY_ROLE.get(Role.ADMIN),
                            body(r), Map.of());
                    assertThat(resp.status()).as(name + ": " + resp.body()).isBetween(200, 299);
                }));
            }
        }
        assertThat(tests.size()).isGreaterThan(180);
        return tests.stream();
    }
}
