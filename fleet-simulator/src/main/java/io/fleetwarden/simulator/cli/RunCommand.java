package io.fleetwarden.simulator.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.fleetwarden.simulator.fleet.FleetRunner;
import io.fleetwarden.simulator.fleet.FleetStats;
import io.fleetwarden.simulator.fleet.RunSettings;
import io.fleetwarden.simulator.fleet.SimulatorMetrics;
import io.fleetwarden.simulator.kafka.KafkaPlatformFeed;
import io.fleetwarden.simulator.kafka.PlatformFeed;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.simulator.scenario.ExpectedRules;
import io.fleetwarden.simulator.scenario.GroundTruthWriter;
import io.fleetwarden.simulator.scenario.ScenarioInstance;
import io.fleetwarden.simulator.scenario.ScenarioPlan;
import io.fleetwarden.simulator.scenario.ScenarioPlanner;
import io.fleetwarden.simulator.scenario.ScenarioType;

/** {@code run}: connects the fleet, plays the scenarios, writes the ground truth. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a simulated fleet against a broker.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-n", "--devices"}, defaultValue = "500", description = "Fleet size; 500 gives the storm region the 50+ devices a reconnect storm needs (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = {"-d", "--duration"}, defaultValue = "PT10M", converter = DurationConverter.class,
            description = "Run length, ISO-8601 (PT10M) or 90s/5m/2h (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--scenario", defaultValue = "all",
            description = "all, none (benign noise only), attacks, or a comma-separated list of scenario ids (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--seed", defaultValue = "42", description = "Seed: same seed, same fleet, same plan, same telemetry (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tenant", defaultValue = "acme", description = "Tenant of the fleet (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = {"-H", "--broker-host"}, defaultValue = "localhost", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String brokerHost;

    @Option(names = {"-p", "--broker-port"}, defaultValue = "8883", description = "Broker TLS port (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--ca-dir", defaultValue = ".fleetwarden/simulator-pki",
            description = "Folder of the fleet CA and device credentials; created on first run (default: ${DEFAULT-VALUE}).")
    Path caDir;

    @Option(names = "--kafka", description = "Kafka bootstrap servers for the firmware catalog and advisories (none: not published).")
    String kafka;

    @Option(names = {"-o", "--ground-truth"}, defaultValue = "ground-truth.jsonl", description = "Ground-truth JSON Lines output (default: ${DEFAULT-VALUE}).")
    Path groundTruth;

    @Option(names = "--first-scenario-at", defaultValue = "20s", converter = DurationConverter.class,
            description = "Offset of the first timed scenario (default: ${DEFAULT-VALUE}).")
    Duration firstAt;

    @Option(names = "--scenario-spacing", defaultValue = "7s", converter = DurationConverter.class,
            description = "Offset between timed scenarios (default: ${DEFAULT-VALUE}).")
    Duration spacing;

    @Option(names = "--baseline-warmup", defaultValue = "4m", converter = DurationConverter.class,
            description = "Earliest start of the scenarios judged against learnt per-device baselines (botnet-infection, "
                    + "publish-flood, daily-peak; the stream jobs score a device after 20 reports) and of the orderly "
                    + "regional outage (kept out of the storm outage's cohort window) (default: ${DEFAULT-VALUE}).")
    Duration baselineWarmup;

    @Option(names = "--connect-rate", defaultValue = "200", description = "Initial connects per second (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--max-inflight-connects", defaultValue = "256", description = "Connects awaiting CONNACK at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--netty-threads", defaultValue = "2", description = "Threads of the shared Netty event loop (default: ${DEFAULT-VALUE}).")
    int nettyThreads;

    @Option(names = "--second-address", defaultValue = "auto",
            description = "Local address for 'another place' (cloned certificate, address move): auto (127.0.0.2 when the broker is on loopback), none, or an address (default: ${DEFAULT-VALUE}).")
    String secondAddress;

    @Option(names = "--metrics-port", defaultValue = "-1",
            description = "Serve the run's counters as Prometheus metrics on this port (/metrics); 0 = any free port, -1 = off (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "127.0.0.1", description = "Address of the metrics endpoint (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--progress-every", defaultValue = "5s", converter = DurationConverter.class,
            description = "Progress line interval (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Override
    public Integer call() throws Exception {
        Clock clock = Clock.systemUTC();
        List<ScenarioType> selection = ScenarioType.parseSelection(scenario);
        Fleet fleet = Fleet.build(seed, devices, tenant);
        ScenarioPlan plan = new ScenarioPlanner(ExpectedRules.load()).plan(fleet, selection,
                new ScenarioPlanner.Config(clock.instant(), duration, firstAt, spacing, baselineWarmup));
        System.out.printf("fleet of %d devices (seed %d, tenant %s), %d scenario(s) planned over %s%n",
                fleet.size(), seed, tenant, plan.instances().size(), duration);
        for (ScenarioInstance s : plan.instances()) {
            System.out.printf("  at +%4ds  %-32s %5d device(s)  expects %s%n", s.start().toSeconds(), s.id(),
                    s.devices().size(), s.expectedRules().isEmpty() ? "nothing (benign)" : s.expectedRules());
        }
        for (Map.Entry<ScenarioType, String> e : plan.skipped().entrySet()) {
            System.out.printf("  skipped %s: %s%n", e.getKey().id(), e.getValue());
        }
        long t0 = System.nanoTime();
        FleetPki pki = FleetPki.openOrCreate(caDir, clock);
        for (var d : plan.fleet().devices()) {
            pki.device(d.tenant(), d.deviceId());
        }
        System.out.printf("PKI ready in %s (%d device credentials) in %.1f s%n", caDir, fleet.size(), (System.nanoTime() - t0) / 1e9);

        RunSettings settings = new RunSettings(brokerHost, brokerPort, secondAddress, connectRate, maxInFlight,
                nettyThreads, duration, progressEvery);
        String runId = "run-" + seed + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (PlatformFeed feed = kafka == null || kafka.isBlank() ? PlatformFeed.NONE : new KafkaPlatformFeed(kafka);
             GroundTruthWriter truth = new GroundTruthWriter(groundTruth, clock, runId)) {
            FleetRunner runner = new FleetRunner(settings, plan, pki, feed, truth, clock, System.out::println);
            FleetStats stats;
            try (SimulatorMetrics metrics = new SimulatorMetrics(runner.stats(), fleet.size(), plan.instances().size())) {
                if (metricsPort >= 0) {
                    System.out.printf("metrics on http://%s:%d/metrics%n", metricsBind, metrics.serve(metricsBind, metricsPort));
                }
                stats = runner.run();
            }
            System.out.printf("ground truth written to %s%n", groundTruth.toAbsolutePath());
            return stats.peakConnected.get() > 0 ? 0 : 2;
        }
    }
}
