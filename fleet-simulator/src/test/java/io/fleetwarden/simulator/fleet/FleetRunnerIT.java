package io.fleetwarden.simulator.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;

import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.simulator.kafka.PlatformFeed;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.simulator.scenario.ExpectedRules;
import io.fleetwarden.simulator.scenario.GroundTruthWriter;
import io.fleetwarden.simulator.scenario.ScenarioPlan;
import io.fleetwarden.simulator.scenario.ScenarioPlanner;
import io.fleetwarden.simulator.scenario.ScenarioType;
import io.fleetwarden.simulator.score.GroundTruth;

/**
 * A small fleet against a real HiveMQ CE over mutual TLS (no security extension: see
 * {@link TlsTestBroker}). An observer with its own fleet certificate subscribes to every device
 * topic and checks what devices really put on the wire.
 */
class FleetRunnerIT {

    @TempDir
    static Path dir;
    static FleetPki pki;
    static TlsTestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = FleetPki.openOrCreate(dir.resolve("pki"), Clock.systemUTC());
        broker = TlsTestBroker.start(pki, dir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void fleetConnectsOverMutualTlsPublishesValidTelemetryAndPlaysItsScenarios() throws Exception {
        Map<String, Integer> telemetryPerDevice = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<DeviceTelemetryPayload> botnetReports = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> invalid = new ConcurrentLinkedQueue<>();
        DevicePayloads payloads = new DevicePayloads();

        Fleet fleet = Fleet.build(5, 12, "acme");
        List<ScenarioType> selection = List.of(ScenarioType.BOTNET_INFECTION, ScenarioType.MALFORMED_FLOOD,
                ScenarioType.SINGLE_REBOOT, ScenarioType.SHORT_BLIP, ScenarioType.ADDRESS_MOVE);
        Clock clock = Clock.systemUTC();
        ScenarioPlan plan = new ScenarioPlanner(ExpectedRules.load()).plan(fleet, selection,
                new ScenarioPlanner.Config(clock.instant(), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(3)));
        String botnetDevice = plan.instances().get(0).devices().get(0);

        Mqtt5AsyncClient observer = MqttClient.builder().useMqttVersion5().identifier("observer")
                .serverHost("localhost").serverPort(broker.port())
                .sslConfig().keyManagerFactory(pki.device("acme", "observer").keyManagerFactory())
                .trustManagerFactory(pki.trustManagerFactory()).applySslConfig()
                .buildAsync();
        observer.connect().get(30, TimeUnit.SECONDS);
        observer.subscribeWith().topicFilter("devices/+/+/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> {
                    String device = p.getTopic().getLevels().get(2);
                    byte[] body = p.getPayloadAsBytes();
                    try {
                        DeviceTelemetryPayload t = payloads.parseTelemetry(body);
                        telemetryPerDevice.merge(device, 1, Integer::sum);
                        if (device.equals(botnetDevice) && t.network().listeningPorts().contains(23)) {
                            botnetReports.add(t);
                        }
                    } catch (Exception e) {
                        invalid.add(device + ": " + new String(body, 0, Math.min(body.length, 40), StandardCharsets.UTF_8));
                    }
                }).send().get(30, TimeUnit.SECONDS);

        Path truthFile = dir.resolve("ground-truth.jsonl");
        RunSettings settings = new RunSettings("localhost", broker.port(), "auto", 50, 16, 1,
                Duration.ofSeconds(30), Duration.ofSeconds(5));
        FleetStats stats;
        try (GroundTruthWriter truth = new GroundTruthWriter(truthFile, clock, "it-run")) {
            FleetRunner runner = new FleetRunner(settings, plan, pki, PlatformFeed.NONE, truth, clock, System.out::println);
            try (SimulatorMetrics metrics = new SimulatorMetrics(runner.stats(), fleet.size(), plan.instances().size())) {
                int metricsPort = metrics.serve("127.0.0.1", 0);
                java.util.concurrent.CompletableFuture<FleetStats> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return runner.run();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                // while the run goes on, its counters are served live
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(25)).until(() ->
                        SimulatorMetricsTest.scrape(metricsPort).contains("fleetwarden_simulator_devices_connected 12.0"));
                stats = run.get(60, TimeUnit.SECONDS);
                assertThat(SimulatorMetricsTest.scrape(metricsPort))
                        .contains("fleetwarden_simulator_publishes_total{result=\"acked\"} " + (double) stats.publishesAcked.get())
                        .contains("fleetwarden_simulator_scenarios_total{state=\"ended\"} 5.0");
            }
        }
        observer.disconnect().get(10, TimeUnit.SECONDS);

        assertThat(stats.peakConnected.get()).isEqualTo(12);
        assertThat(stats.connectsFailed.get()).isZero();
        assertThat(telemetryPerDevice.keySet()).hasSize(12);
        assertThat(stats.publishesAcked.get()).isGreaterThan(12);
        assertThat(botnetReports).isNotEmpty();
        assertThat(invalid).as("malformed flood reached the wire").isNotEmpty();
        assertThat(invalid).allMatch(s -> s.startsWith(plan.instances().get(1).devices().get(0) + ":"));
        assertThat(stats.scenariosStarted.get()).isEqualTo(5);
        assertThat(stats.scenariosEnded.get()).isEqualTo(5);
        assertThat(stats.connectedAtEnd.get()).as("every device back after reboot, blip and address move").isEqualTo(12);

        GroundTruth truth = GroundTruth.read(truthFile);
        assertThat(truth.fleetSize()).isEqualTo(12);
        assertThat(truth.scenarios()).extracting(s -> s.type())
                .containsExactly("botnet-infection", "malformed-flood", "single-reboot", "short-blip", "address-move");
        assertThat(truth.scenarios().get(0).expectedRules()).isEqualTo(Set.copyOf(ExpectedRules.load().of(ScenarioType.BOTNET_INFECTION)));
        assertThat(truth.scenarios()).allMatch(s -> !s.end().isBefore(s.start()));
        assertThat(Files.readAllLines(truthFile).get(0)).contains("\"type\":\"run-start\"");
    }
}
