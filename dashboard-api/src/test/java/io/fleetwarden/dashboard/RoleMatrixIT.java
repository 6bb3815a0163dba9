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
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Walks EVERY route of the real server (taken from the app's route table, so a new route cannot
 * be left out) three times: without a token (401 unless public), with the role just below the one
 * the route needs (403), and with exactly the needed role (2xx, with a valid request).
 */
class RoleMatrixIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    static ApiHarness api;
    static TokenStore tokens;
    static final Map<Role, String> BY_ROLE = new HashMap<>();
    static String reportId;

    @BeforeAll
    static void start() throws Exception {
        try (KafkaProducer<String, byte[]> p = ApiHarness.producer(KAFKA.bootstrapServers())) {
            ApiHarness.send(p, Topics.ALERTS, "m-1", Codecs.ALERT.encode(
                    Fixtures.alert("m-1", "acme", "cam-1", "FW-COMP-001", Severity.HIGH, Instant.now())));
            ApiHarness.send(p, Topics.DEVICE_STATUS, "acme/cam-1", Codecs.DEVICE_STATUS.encode(
                    Fixtures.device("acme", "cam-1", "cam-x1", "1.0.0", Instant.now())));
            ApiHarness.send(p, Topics.DEVICE_STATUS, "acme/cam-cra", Codecs.DEVICE_STATUS.encode(
                    Fixtures.device("acme", "cam-cra", "cam-x1", "1.0.0", Instant.now()))); // not decommissioned here
            ApiHarness.send(p, Topics.ADVISORIES, "FWSA-2026-0010", Codecs.ADVISORY.encode(
                    io.fleetwarden.model.Advisory.newBuilder().setAdvisoryId("FWSA-2026-0010").setModel("cam-x1")
                            .setAffectedVersions("[1.0.0,1.2.0)").setSeverity(Severity.HIGH).setTitle("matrix CRA")
                            .setPublishedAt(Instant.now()).build()));
        }
        tokens = ApiHarness.tokenStore();
        for (Role r : Role.values()) {
            BY_ROLE.put(r, ApiHarness.token(tokens, r, "acme"));
        }
        api = new ApiHarness(KAFKA.bootstrapServers(), INFLUX.url(), tokens).awaitReady();
        reportId = api.post("/api/v1/disclosure/reports", null, Map.of("title", "t",
                "description", "a long enough description of a flaw")).json().get("reportId").asText();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    static String path(String template) {
        if (template.endsWith("/exploited")) { // its own advisory: the matrix withdraws FWSA-2026-0009 before
            template = template.replace("{advisoryId}", "FWSA-2026-0010");
        }
        String tokenId = template.contains("{tokenId}")
                ? tokens.create("victim", Role.VIEWER, java.util.Set.of("acme"), false, "test").stored().id() : "";
        return template.replace("{tenant}", "acme").replace("{deviceId}", "cam-1").replace("{alertId}", "m-1")
                .replace("{advisoryId}", "FWSA-2026-0009").replace("{model}", "cam-x1").replace("{reportId}", reportId)
                .replace("{tokenId}", tokenId).replace("{caseId}", "CRA-FWSA-2026-0010").replace("{stage}", "early-warning");
    }

    static Object body(Route r) {
        String p = r.path();
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
        if (p.contains("/devices/{tenant}/{deviceId}/")) {
            return Map.of("reason", "matrix");
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
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), BY_ROLE.get(below(needed)),
                            body(r), Map.of());
                    assertThat(resp.status()).as(name).isEqualTo(403);
                    assertThat(resp.body()).contains("/problems/forbidden");
                }));
            }
            if (needed != null) {
                tests.add(DynamicTest.dynamicTest(name + " with role " + needed, () -> {
                    ApiHarness.Response resp = api.send(r.method().name(), path(r.path()), BY_ROLE.get(needed), body(r),
                            Map.of());
                    assertThat(resp.status()).as(name + ": " + resp.body()).isBetween(200, 299);
                }));
            }
        }
        assertThat(tests.size()).isGreaterThan(80);
        return tests.stream();
    }
}
