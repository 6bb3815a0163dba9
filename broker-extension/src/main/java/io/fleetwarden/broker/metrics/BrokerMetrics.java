package io.fleetwarden.broker.metrics;

import java.io.IOException;
import java.util.function.LongSupplier;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The extension's Prometheus metrics, on a registry of its own (no global state), optionally served
 * as Prometheus text on {@code http://<bind>:<port>/metrics}. Thread-safe.
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
    private HTTPServer server;

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

    /** Starts the HTTP endpoint; port 0 picks a free port. @return the bound port */
    public synchronized int serve(String bindAddress, int port) throws IOException {
        server = HTTPServer.builder().hostname(bindAddress).port(port).registry(registry).buildAndStart();
        return server.getPort();
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
            server.close();
            server = null;
        }
    }
}
