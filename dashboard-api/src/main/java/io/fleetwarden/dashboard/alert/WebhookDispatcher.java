package io.fleetwarden.dashboard.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.model.Alert;

/**
 * Outgoing alert webhooks. Each alert revision is POSTed as an OCSF Detection Finding to every
 * configured endpoint whose tenant filter matches, signed with HMAC-SHA256 over
 * {@code timestamp + "." + body} (headers {@code X-Fleetwarden-Timestamp} and
 * {@code X-Fleetwarden-Signature: sha256=<hex>}), so a receiver can check origin and freshness.
 *
 * <p>Delivery: a non-2xx answer or an I/O error is retried with exponential back-off
 * ({@code baseDelay} doubling per attempt, up to {@code maxAttempts}); then the delivery is
 * counted as failed and its last error is shown by {@link #status()}. Deliveries live in memory:
 * revisions pending at shutdown are not retried after a restart (the SIEM stream endpoint is the
 * pull-based alternative that loses nothing).
 */
public final class WebhookDispatcher implements AutoCloseable {

    /** One endpoint; {@code tenant} null = all tenants. */
    public record Endpoint(String url, String secret, String tenant) {
    }

    private final List<Endpoint> endpoints;
    private final List<Stats> stats = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webhooks");
        t.setDaemon(true);
        return t;
    });
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Duration baseDelay;
    private final int maxAttempts;
    private final AlertStore store;

    private static final class Stats {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicReference<String> lastError = new AtomicReference<>();
        final AtomicReference<Instant> lastErrorAt = new AtomicReference<>();
    }

    public WebhookDispatcher(List<Endpoint> endpoints, AlertStore store, ObjectMapper mapper, Clock clock,
                             Duration baseDelay, int maxAttempts) {
        this.endpoints = List.copyOf(endpoints);
        this.store = store;
        this.mapper = mapper;
        this.clock = clock;
        this.baseDelay = baseDelay;
        this.maxAttempts = maxAttempts;
        for (int i = 0; i < endpoints.size(); i++) {
            stats.add(new Stats());
        }
    }

    /** Queues one alert revision for every matching endpoint. */
    public void dispatch(Alert a) {
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            if (e.tenant() != null && !e.tenant().equals(a.getTenant())) {
                continue;
            }
            String body;
            try {
                body = mapper.writeValueAsString(OcsfMapper.detectionFinding(a,
                        store.triage(a.getAlertId()).orElse(null), "0.1.0"));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
            int idx = i;
            executor.execute(() -> attempt(idx, body, 1));
        }
    }

    private void attempt(int idx, String body, int attempt) {
        Endpoint e = endpoints.get(idx);
        Stats s = stats.get(idx);
        String ts = Long.toString(clock.instant().getEpochSecond());
        String error;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(e.url())).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("X-Fleetwarden-Timestamp", ts)
                    .header("X-Fleetwarden-Signature", "sha256=" + sign(e.secret(), ts + "." + body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            HttpResponse<Void> resp = http.send(req, HttpResponse.BodyHandlers.discarding());
            if (resp.statusCode() / 100 == 2) {
                s.delivered.incrementAndGet();
                return;
            }
            error = "HTTP " + resp.statusCode();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception ex) {
            error = ex.getClass().getSimpleName();
        }
        s.lastError.set(error + " (attempt " + attempt + ")");
        s.lastErrorAt.set(clock.instant());
        if (attempt >= maxAttempts) {
            s.failed.incrementAndGet();
            return;
        }
        s.retries.incrementAndGet();
        long delay = baseDelay.toMillis() << (attempt - 1);
        executor.schedule(() -> attempt(idx, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** HMAC-SHA256 of {@code data} under {@code secret}, lowercase hex. */
    public static String sign(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Per endpoint (URL without query, never the secret): delivered, retries, failed, last error. */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            Stats s = stats.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            URI u = URI.create(endpoints.get(i).url());
            m.put("url", u.getScheme() + "://" + u.getAuthority() + u.getPath());
            m.put("tenant", endpoints.get(i).tenant());
            m.put("delivered", s.delivered.get());
            m.put("retries", s.retries.get());
            m.put("failed", s.failed.get());
            m.put("lastError", s.lastError.get());
            m.put("lastErrorAt", s.lastErrorAt.get());
            out.add(m);
        }
        return out;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
