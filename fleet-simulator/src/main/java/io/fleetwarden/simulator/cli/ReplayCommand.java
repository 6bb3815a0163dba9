package io.fleetwarden.simulator.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.fleetwarden.simulator.replay.Replay;
import io.fleetwarden.simulator.replay.ReplayKind;
import io.fleetwarden.simulator.replay.ReplayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code replay}: a fleet's life over days, written straight to Kafka as a broker would, far faster than real time. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Time-warped replay: broker-shaped records of a fleet's days or weeks (benign life and attacks at random "
                + "times) straight to Kafka, with ground truth in simulated broker time for the scorecard.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = {"-n", "--devices"}, defaultValue = "1000", description = "Devices at the start (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = {"-d", "--duration"}, defaultValue = "P2D", converter = DurationConverter.class,
            description = "Simulated time span, e.g. 48h, P14D (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--attacks", defaultValue = "all",
            description = "all, none (benign life only) or a comma-separated list of attack kinds (listed in the README, Time-warped replay).")
    String attacks;

    @Option(names = "--attack-rounds", defaultValue = "1", description = "Instances of each attack kind, each at its own random time (default: ${DEFAULT-VALUE}).")
    int attackRounds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed: same seed, same records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tenant", defaultValue = "acme", description = "Tenant of the fleet (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--start", defaultValue = "2026-01-05T00:00:00Z", description = "Simulated start, ISO-8601 (default: ${DEFAULT-VALUE}, a Monday).")
    String start;

    @Option(names = "--brokers", defaultValue = "2", description = "Broker instances the fleet is spread over (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--clock-skew", defaultValue = "2m", converter = DurationConverter.class,
            description = "Bound of every device clock's offset from broker time (default: ${DEFAULT-VALUE}).")
    Duration clockSkew;

    @Option(names = {"-o", "--ground-truth"}, defaultValue = "ground-truth.jsonl", description = "Ground-truth output (default: ${DEFAULT-VALUE}).")
    Path groundTruth;

    @Override
    public Integer call() {
        ReplayOptions o;
        try {
            o = new ReplayOptions(seed, devices, duration, tenant, Instant.parse(start), brokers, clockSkew,
                    ReplayKind.parseAttacks(attacks), attackRounds);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            System.err.println("bad option: " + e.getMessage());
            return 2;
        }
        System.out.printf(Locale.ROOT, "replay %s: %d devices, %s from %s, attacks %s x%d%n", Replay.runId(o), devices, duration,
                o.start(), attacks, attackRounds);
        Replay.Result r = Replay.toKafka(o, kafka, groundTruth);
        System.out.printf(Locale.ROOT, "wrote %,d telemetry records and %,d security events (%,.0f device-hours) in %.1f s: "
                        + "%,.0f events/s, %,.0f device-hours/s; ground truth in %s%n",
                r.telemetry(), r.securityEvents(), r.deviceHours(), r.elapsed().toMillis() / 1000.0, r.eventsPerSecond(),
                r.deviceHoursPerSecond(), groundTruth);
        return 0;
    }
}
