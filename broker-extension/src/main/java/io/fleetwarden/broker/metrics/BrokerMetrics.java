package io.fleetwarden.broker.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.fleetwarden.broker.health.BrokerHealth;
import io.fleetwarden.model.Topics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The extension's Prometheus metrics, on a registry of its own (no global state), optionally served
 * on one HTTP port with the health endpoints beside them:
 * <ul>
 *   <li>{@code /metrics}: Prometheus text;</li>
 *   <li>{@code /health/live}: 200 when the extension runs, 503 when a restart is needed;</li>
 *   <li>{@code /health/ready}: 200 when the broker should receive devices, 503 otherwise.</li>
 * </ul>
 * Both health endpoints answer with a JSON body naming each check ({@link BrokerHealth}). Thread-safe.
 */
public final class BrokerMetrics implements AutoCloseable {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter connects;
    private final Counter disconnects;
    private final Counter publishes;
    private final Counter authorizationRefusals;
    private final Counter dropped;
    private final Counter kafkaErrors;
    private final Counter clockSkew;
    private volatile CounterDataPoint forwardedTelemetry;
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private ExecutorService serverThreads;

    public BrokerMetrics() {
        connects = Counter.builder().name("fleetwarden_broker_connects_total")
                .help("MQTT connects by result (accepted/refused) and reason code")
                .labelNames("result", "reason").register(registry);
        disconnects = Counter.builder().name("fleetwarden_broker_disconnects_total")
                .help("Disconnects of authenticated devices by reason code").labelNames("reason").register(registry);
        publishes = Counter.builder().name("fleetwarden_broker_publishes_total")
                .help("Device publishes by result (forwarded/accepted/refused) and reason code")
                .labelNames("result", "reason").register(registry);
        authorizationRefusals = Counter.builder().name("fleetwarden_broker_authorization_refusals_total")
                .help("Publishes and subscriptions refused by the topic policy, by activity and reason")
                .labelNames("activity", "reason").register(registry);
        dropped = Counter.builder().name("fleetwarden_broker_kafka_dropped_total")
                .help("Records dropped because the Kafka buffer was full or delivery failed, by topic")
                .labelNames("topic").register(registry);
        // present from the start at 0, so that increase() sees the first drop
        dropped.labelValues(Topics.TELEMETRY);
        dropped.labelValues(Topics.SECURITY_EVENTS);
        kafkaErrors = Counter.builder().name("fleetwarden_broker_kafka_errors_total")
                .help("Kafka send attempts that failed (the record may still be delivered on retry)")
                .register(registry);
        clockSkew = Counter.builder().name("fleetwarden_broker_clock_skew_total")
                .help("Telemetry readings whose device time was outside the skew window, by direction (ahead/behind); forwarded with bounded event time")
                .labelNames("direction").register(registry);
    }

    /** Registers the buffer-depth gauge (records accepted but not yet acknowledged by Kafka). */
    public void bufferDepth(LongSupplier depth) {
        GaugeWithCallback.builder().name("fleetwarden_broker_kafka_buffer_depth")
                .help("Records held in memory waiting for Kafka")
                .callback(cb -> cb.call(depth.getAsLong())).register(registry);
    }

    /**
     * Starts the HTTP endpoint with the metrics and {@code health}'s endpoints, and registers the
     * health verdicts as gauges ({@code fleetwarden_broker_live}, {@code fleetwarden_broker_ready},
     * {@code fleetwarden_broker_kafka_reachable}). Port 0 picks a free port.
     *
     * @return the bound port
     */
    public synchronized int serve(String bindAddress, int port, BrokerHealth health) throws IOException {
        GaugeWithCallback.builder().name("fleetwarden_broker_live")
                .help("1 while the extension runs (see /health/live), else 0")
                .callback(cb -> cb.call(health.liveness().ok() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("fleetwarden_broker_ready")
                .help("1 while the broker is ready for devices (see /health/ready), else 0")
                .callback(cb -> cb.call(health.readiness().ok() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("fleetwarden_broker_kafka_reachable")
                .help("1 while the latest Kafka check of the health probe succeeded, else 0")
                .callback(cb -> cb.call(health.readiness().checks().stream()
                        .anyMatch(c -> c.name().equals("kafka") && c.ok()) ? 1 : 0)).register(registry);
        server = HttpServer.create(new InetSocketAddress(bindAddress, port), 10);
        serverThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "fleetwarden-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(serverThreads);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/health/live", ex -> health(ex, health::liveness));
        server.createContext("/health/ready", ex -> health(ex, health::readiness));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, Supplier<BrokerHealth.Report> check) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            BrokerHealth.Report report = check.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.ok() ? "UP" : "DOWN");
            Map<String, Object> checks = new LinkedHashMap<>();
            for (BrokerHealth.Check c : report.checks()) {
                checks.put(c.name(), Map.of("ok", c.ok(), "detail", c.detail()));
            }
            body.put("checks", checks);
            byte[] bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(report.ok() ? 200 : 503, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    public void connect(boolean accepted, String reason) {
        connects.labelValues(accepted ? "accepted" : "refused", reason).inc();
    }

    public void disconnect(String reason) {
        disconnects.labelValues(reason).inc();
    }

    /** One reading outside the skew window; {@code direction} is {@code ahead} or {@code behind}. */
    public void clockSkew(String direction) {
        clockSkew.labelValues(direction).inc();
    }

    /** Registers the gauge of devices that sent a reading outside the skew window since the broker started. */
    public void clockSkewedDevices(LongSupplier devices) {
        GaugeWithCallback.builder().name("fleetwarden_broker_clock_skewed_devices")
                .help("Devices that sent at least one reading outside the skew window since the broker started")
                .callback(cb -> cb.call(devices.getAsLong())).register(registry);
    }

    public void publish(String result, String reason) {
        publishes.labelValues(result, reason).inc();
    }

    /**
     * One telemetry reading forwarded: {@code publish("forwarded", "telemetry")}, for every publish, without the label
     * lookup after the first (the series appears with the first forwarded reading, as through {@link #publish}).
     */
    public void forwardedTelemetry() {
        CounterDataPoint point = forwardedTelemetry;
        if (point == null) {
            point = publishes.labelValues("forwarded", "telemetry"); // the same data point whichever thread gets here
            forwardedTelemetry = point;
        }
        point.inc();
    }

    public void authorizationRefused(String activity, String reason) {
        authorizationRefusals.labelValues(activity, reason).inc();
    }

    public void dropped(String topic) {
        dropped.labelValues(topic).inc();
    }

    public void kafkaError() {
        kafkaErrors.inc();
    }

    /** The registry, for tests and for the text exposition. */
    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            serverThreads.shutdownNow();
            server = null;
        }
    }
}
