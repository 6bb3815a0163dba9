package io.fleetwarden.dashboard.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.fleetwarden.dashboard.ApiHarness;
import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.StreamJobsPoints;
import io.fleetwarden.dashboard.TestInflux;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Latency of the alert list and the fleet-health query with 100,000 alerts (replayed from a real
 * Kafka broker) and a week of per-minute fleet series in a real InfluxDB, over real HTTP. Prints
 * p50/p99 per query and the ratio against {@code GET /health} measured in the same run.
 *
 * <p>Run: {@code ./mvnw -B -pl dashboard-api -am -Pbench verify -DskipTests}
 */
public final class DashboardLatencyBenchmark {

    private DashboardLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int alerts = Integer.getInteger("bench.alerts", 100_000);
        int cohorts = Integer.getInteger("bench.cohorts", 8);
        int samples = Integer.getInteger("bench.samples", 300);
        try (KafkaExtension kafka = KafkaExtension.builder().topics(List.of(ApiHarness.topics())).build();
             TestInflux influx = new TestInflux()) {
            kafka.start();
            influx.start();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            long t0 = System.nanoTime();
            try (KafkaProducer<String, byte[]> p = ApiHarness.producer(kafka.bootstrapServers())) {
                Severity[] sev = Severity.values();
                for (int i = 0; i < alerts; i++) {
                    Alert a = Fixtures.alert("alert-" + i, i % 4 == 0 ? "globex" : "acme", "dev-" + (i % 5000),
                            "FW-R-" + (i % 25), sev[i % sev.length], now.minusSeconds(alerts - i));
                    p.send(new ProducerRecord<>(Topics.ALERTS, a.getAlertId(), Codecs.ALERT.encode(a)));
                }
                p.flush();
            }
            System.out.printf(Locale.ROOT, "produced %d alerts in %.1f s%n", alerts, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            int minutes = 7 * 24 * 60;
            StringBuilder batch = new StringBuilder();
            int points = 0;
            for (int m = 0; m < minutes; m++) {
                long t = now.minus(minutes - m, ChronoUnit.MINUTES).toEpochMilli();
                for (int c = 0; c < cohorts; c++) {
                    batch.append(StreamJobsPoints.cohort("acme", "model", "model-" + c, 1000 + (m * 7 + c) % 50, t));
                    batch.append(StreamJobsPoints.firmware("acme", "model-" + c, "1." + (c % 3) + ".0", 1000, t));
                    points += 2;
                }
                batch.append(StreamJobsPoints.connectivity("acme", m % 5, m % 3, t));
                batch.append(StreamJobsPoints.alerts("acme", "HIGH", m % 4, m % 2, t));
                points += 2;
                if (batch.length() > 1_000_000) {
                    influx.write(batch.toString());
                    batch.setLength(0);
                }
            }
            influx.write(batch.toString());
            System.out.printf(Locale.ROOT, "wrote %d points (a week per minute, %d cohorts) in %.1f s%n", points, cohorts,
                    (System.nanoTime() - t0) / 1e9);

            TokenStore tokens = ApiHarness.tokenStore();
            String viewer = ApiHarness.token(tokens, Role.VIEWER, "acme");
            t0 = System.nanoTime();
            try (ApiHarness api = new ApiHarness(kafka.bootstrapServers(), influx.url(), tokens)) {
                api.awaitReady();
                System.out.printf(Locale.ROOT, "API start + replay of %d alerts: %.1f s (materialised %d)%n", alerts,
                        (System.nanoTime() - t0) / 1e9, api.app.alertStore().size());
                String from = now.minus(7, ChronoUnit.DAYS).toString();
                String to = now.toString();
                double[] base = measure(samples, i -> api.get("/health", null).status());
                report("GET /health (baseline)", base, base);
                report("alert list, first page of 50", measure(samples,
                        i -> api.get("/api/v1/alerts?limit=50", viewer).status()), base);
                report("alert list, status+severity filter, page 20", measure(samples,
                        i -> api.get("/api/v1/alerts?status=open&severity=high&offset=950&limit=50", viewer).status()), base);
                report("alert list, rule+time range", measure(samples, i -> api.get("/api/v1/alerts?rule=FW-R-3&from="
                        + now.minus(6, ChronoUnit.HOURS) + "&limit=50", viewer).status()), base);
                report("fleet health, week, default step (~50 min)", measure(samples / 3, i -> api.get(
                        "/api/v1/fleet/health?from=" + from + "&to=" + to, viewer).status()), base);
                report("fleet health, week, step=1h", measure(samples / 3, i -> api.get(
                        "/api/v1/fleet/health?from=" + from + "&to=" + to + "&step=1h", viewer).status()), base);
                report("fleet health, last 24h, step=5m", measure(samples / 3, i -> api.get(
                        "/api/v1/fleet/health?from=" + now.minus(1, ChronoUnit.DAYS) + "&to=" + to + "&step=5m", viewer)
                        .status()), base);
            }
        }
    }

    static double[] measure(int n, IntFunction<Integer> call) {
        for (int i = 0; i < Math.max(10, n / 10); i++) {
            check(call.apply(i));
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            check(call.apply(i));
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    static void check(int status) {
        if (status != 200) {
            throw new IllegalStateException("benchmark request failed: HTTP " + status);
        }
    }

    static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static void report(String name, double[] ms, double[] base) {
        System.out.printf(Locale.ROOT, "%-48s n=%4d p50=%8.2f ms p99=%8.2f ms  (p50 x%.1f of baseline)%n", name, ms.length,
                pct(ms, 0.5), pct(ms, 0.99), pct(ms, 0.5) / pct(base, 0.5));
    }
}
