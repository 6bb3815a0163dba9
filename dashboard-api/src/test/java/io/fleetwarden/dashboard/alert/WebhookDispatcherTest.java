package io.fleetwarden.dashboard.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.web.Json;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;
import com.sun.net.httpserver.HttpServer;

/** Webhooks against a real local HTTP receiver that fails on purpose. */
class WebhookDispatcherTest {

    static final String SECRET = "s3cret-s3cret-s3cret";
    HttpServer server;
    final AtomicInteger calls = new AtomicInteger();
    final List<String[]> received = new CopyOnWriteArrayList<>();
    volatile int failFirst;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = calls.incrementAndGet();
            received.add(new String[] {ex.getRequestHeaders().getFirst("X-Fleetwarden-Timestamp"),
                    ex.getRequestHeaders().getFirst("X-Fleetwarden-Signature"), body});
            ex.sendResponseHeaders(n <= failFirst ? 503 : 204, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    WebhookDispatcher dispatcher(int maxAttempts) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook?key=secret-in-query";
        return new WebhookDispatcher(List.of(new WebhookDispatcher.Endpoint(url, SECRET, "acme")), new AlertStore(),
                Json.mapper(), Clock.systemUTC(), Duration.ofMillis(50), maxAttempts);
    }

    static String hmac(String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        StringBuilder b = new StringBuilder();
        for (byte x : mac.doFinal(data.getBytes(StandardCharsets.UTF_8))) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }

    @Test
    void deliveriesAreSignedAndRetriedWithBackOffUntilAccepted() throws Exception {
        failFirst = 2;
        try (WebhookDispatcher d = dispatcher(5)) {
            Alert a = Fixtures.alert("w-1", "acme", "cam-1", "R1", Severity.HIGH, Instant.now());
            d.dispatch(a);
            d.dispatch(Fixtures.alert("w-2", "globex", "cam-1", "R1", Severity.HIGH, Instant.now()));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.status().get(0).get("delivered").equals(1L));
            Map<String, Object> s = d.status().get(0);
            assertThat(s.get("retries")).isEqualTo(2L);
            assertThat(s.get("failed")).isEqualTo(0L);
            assertThat(s.get("url").toString()).doesNotContain("secret-in-query");
            assertThat(calls.get()).isEqualTo(3); // globex's alert is not sent to acme's hook
            String[] last = received.get(2);
            assertThat(last[1]).isEqualTo("sha256=" + hmac(last[0] + "." + last[2]));
            JsonNode finding = Json.mapper().readTree(last[2]);
            assertThat(finding.get("class_uid").asInt()).isEqualTo(2004);
            assertThat(finding.get("finding_info").get("uid").asText()).isEqualTo("w-1");
            assertThat(finding.get("severity_id").asInt()).isEqualTo(4);
        }
    }

    @Test
    void aDeliveryThatKeepsFailingIsCountedAndItsErrorShown() {
        failFirst = 100;
        try (WebhookDispatcher d = dispatcher(3)) {
            d.dispatch(Fixtures.alert("w-1", "acme", "cam-1", "R1", Severity.HIGH, Instant.now()));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.status().get(0).get("failed").equals(1L));
            assertThat(calls.get()).isEqualTo(3);
            assertThat(d.status().get(0).get("lastError").toString()).contains("HTTP 503").contains("attempt 3");
        }
    }
}
