package io.fleetwarden.simulator.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.fleetwarden.simulator.score.ScorecardPrinter;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Benchmark (not a test): a benign replay of many device-hours through real Kafka and the real job on a
 * local MiniCluster (parallelism 2), end to end, printing events/s, device-hours/s, the end-to-end
 * time and the scorecard. Target (issue 14): 100,000 benign device-hours in under 20 minutes with at
 * most 1 false alert per 10,000 device-hours.
 *
 * <pre>./mvnw -B -pl fleet-simulator -am -Preplay-bench verify -DskipTests -Dreplay.bench.args="2000 50h none scorecard.json"</pre>
 *
 * Arguments: devices, simulated duration, attack selection ({@code none} = benign), scorecard JSON output.
 */
public final class ReplayBenchmark {

    private ReplayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Duration duration = args.length > 1 ? Duration.parse("PT" + args[1].toUpperCase(Locale.ROOT)) : Duration.ofHours(50);
        String attacks = args.length > 2 ? args[2] : "none";
        Path json = Path.of(args.length > 3 ? args[3] : "target/replay-benchmark-scorecard.json");
        ReplayOptions o = new ReplayOptions(42, devices, duration, "acme", ReplayOptions.DEFAULT_START, 2, Duration.ofMinutes(2),
                ReplayKind.parseAttacks(attacks), 1);
        Path work = Files.createTempDirectory("replay-bench");
        try (KafkaExtension kafka = ReplayPipeline.kafka()) {
            kafka.start();
            Configuration c = new Configuration();
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, c);
            ReplayPipeline.Outcome out = ReplayPipeline.run(o, kafka.bootstrapServers(), work, env, Duration.ofHours(2));
            long events = out.replay().telemetry() + out.replay().securityEvents();
            System.out.printf(Locale.ROOT, "%n== replay benchmark: %d devices, %s, attacks %s ==%n", devices, duration, attacks);
            System.out.printf(Locale.ROOT, "events: %,d (%,d telemetry, %,d security), device-hours: %,.0f%n", events,
                    out.replay().telemetry(), out.replay().securityEvents(), out.replay().deviceHours());
            System.out.printf(Locale.ROOT, "replay to Kafka: %.1f s (%,.0f events/s, %,.0f device-hours/s)%n",
                    out.replay().elapsed().toMillis() / 1000.0, out.replay().eventsPerSecond(), out.replay().deviceHoursPerSecond());
            System.out.printf(Locale.ROOT, "job until every record consumed: %.1f s (%,.0f events/s)%n", out.jobSeconds(), events / out.jobSeconds());
            System.out.printf(Locale.ROOT, "end to end: %.1f s (%.1f min; %,.0f events/s, %,.0f device-hours/s)%n", out.totalSeconds(),
                    out.totalSeconds() / 60, events / out.totalSeconds(), out.replay().deviceHours() / out.totalSeconds());
            System.out.print(ScorecardPrinter.text(out.report()));
            Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, ScorecardPrinter.json(out.report()));
            System.out.println("scorecard JSON: " + json.toAbsolutePath());
        }
    }
}
