package io.fleetwarden.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

class SimulatorMetricsTest {

    static String scrape(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void countersAreServedLiveAsPrometheusText() throws Exception {
        FleetStats stats = new FleetStats();
        try (SimulatorMetrics metrics = new SimulatorMetrics(stats, 12, 5)) {
            int port = metrics.serve("127.0.0.1", 0);
            assertThat(scrape(port)).contains("fleetwarden_simulator_devices_connected 0.0")
                    .contains("fleetwarden_simulator_devices 12.0").contains("fleetwarden_simulator_scenarios_planned 5.0");

            stats.onConnected();
            stats.onConnected();
            stats.connectsFailed.incrementAndGet();
            stats.publishesAcked.addAndGet(40);
            stats.publishesRefused.addAndGet(3);
            stats.scenariosStarted.addAndGet(2);
            stats.scenariosEnded.incrementAndGet();
            stats.attackActions.addAndGet(7);
            stats.attackRefusals.addAndGet(6);

            String text = scrape(port);
            assertThat(text).contains("fleetwarden_simulator_devices_connected 2.0")
                    .contains("fleetwarden_simulator_devices_connected_peak 2.0")
                    .contains("fleetwarden_simulator_connects_total{result=\"ok\"} 2.0")
                    .contains("fleetwarden_simulator_connects_total{result=\"failed\"} 1.0")
                    .contains("fleetwarden_simulator_publishes_total{result=\"acked\"} 40.0")
                    .contains("fleetwarden_simulator_publishes_total{result=\"refused\"} 3.0")
                    .contains("fleetwarden_simulator_attack_actions_total{outcome=\"refused\"} 6.0")
                    .contains("fleetwarden_simulator_scenarios_total{state=\"started\"} 2.0")
                    .contains("fleetwarden_simulator_scenarios_running 1.0");
            assertThat(io.fleetwarden.testsupport.AlertRules.assertExported(text, "fleetwarden_simulator_"))
                    .contains("fleetwarden_simulator_devices_connected");
        }
    }
}
