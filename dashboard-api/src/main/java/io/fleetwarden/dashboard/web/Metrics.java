package io.fleetwarden.dashboard.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.DoubleSupplier;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Prometheus metrics of one app instance (its own registry, no global state): requests by route
 * template and status, latency per route, and gauges registered by the features.
 */
public final class Metrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("fleetwarden_dashboard_http_requests_total")
            .help("HTTP requests by method, route template and status").labelNames("method", "route", "status")
            .register(registry);
    private final Histogram latency = Histogram.builder().name("fleetwarden_dashboard_http_request_duration_seconds")
            .help("HTTP request latency by route template").labelNames("route").register(registry);

    public void record(String method, String route, int status, double seconds) {
        requests.labelValues(method, route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(seconds);
    }

    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A gauge with one label: {@code values} maps each label value to its reading. */
    public void gauge(String name, String help, String label, java.util.Map<String, DoubleSupplier> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(label)
                .callback(cb -> values.forEach((k, v) -> cb.call(v.getAsDouble(), k))).register(registry);
    }

    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
