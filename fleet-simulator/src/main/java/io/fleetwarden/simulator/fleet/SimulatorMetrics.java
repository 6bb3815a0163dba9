package io.fleetwarden.simulator.fleet;

import java.io.IOException;
import java.util.function.IntSupplier;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A run's counters ({@link FleetStats}) as Prometheus metrics on {@code http://<bind>:<port>/metrics},
 * read live from the counters at each scrape, so a long run can be watched and alerted on like the
 * platform (the progress line says the same for a person). A registry of its own, no global state.
 */
public final class SimulatorMetrics implements AutoCloseable {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private HTTPServer server;

    /**
     * @param stats    the run's counters
     * @param devices  fleet size
     * @param planned  scenarios in the plan
     */
    public SimulatorMetrics(FleetStats stats, int devices, int planned) {
        gauge("fleetwarden_simulator_devices", "Devices in the simulated fleet", () -> devices);
        gauge("fleetwarden_simulator_devices_connected", "Devices connected now", stats.connected::get);
        gauge("fleetwarden_simulator_devices_connected_peak", "Most devices connected at once", stats.peakConnected::get);
        CounterWithCallback.builder().name("fleetwarden_simulator_connects_total")
                .help("Device connects by result (ok: CONNACK success; failed: refused or broken)").labelNames("result")
                .callback(cb -> {
                    cb.call(stats.connectsOk.get(), "ok");
                    cb.call(stats.connectsFailed.get(), "failed");
                }).register(registry);
        CounterWithCallback.builder().name("fleetwarden_simulator_disconnects_by_broker_total")
                .help("Connections the broker closed").callback(cb -> cb.call(stats.disconnectsByBroker.get())).register(registry);
        CounterWithCallback.builder().name("fleetwarden_simulator_telemetry_sent_total")
                .help("Telemetry reports published").callback(cb -> cb.call(stats.telemetrySent.get())).register(registry);
        CounterWithCallback.builder().name("fleetwarden_simulator_publishes_total")
                .help("QoS 1 publishes by the broker's answer (acked or refused)").labelNames("result")
                .callback(cb -> {
                    cb.call(stats.publishesAcked.get(), "acked");
                    cb.call(stats.publishesRefused.get(), "refused");
                }).register(registry);
        CounterWithCallback.builder().name("fleetwarden_simulator_attack_actions_total")
                .help("Scripted attack actions by outcome (done or refused by the platform)").labelNames("outcome")
                .callback(cb -> {
                    cb.call(stats.attackActions.get(), "done");
                    cb.call(stats.attackRefusals.get(), "refused");
                }).register(registry);
        gauge("fleetwarden_simulator_scenarios_planned", "Scenarios in the run's plan", () -> planned);
        CounterWithCallback.builder().name("fleetwarden_simulator_scenarios_total")
                .help("Scenarios by state change (started, ended)").labelNames("state")
                .callback(cb -> {
                    cb.call(stats.scenariosStarted.get(), "started");
                    cb.call(stats.scenariosEnded.get(), "ended");
                }).register(registry);
        gauge("fleetwarden_simulator_scenarios_running", "Scenarios started and not ended",
                () -> stats.scenariosStarted.get() - stats.scenariosEnded.get());
    }

    private void gauge(String name, String help, IntSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsInt())).register(registry);
    }

    /** Serves the metrics; port 0 picks a free port. @return the bound port */
    public synchronized int serve(String bindAddress, int port) throws IOException {
        server = HTTPServer.builder().hostname(bindAddress).port(port).registry(registry).buildAndStart();
        return server.getPort();
    }

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
