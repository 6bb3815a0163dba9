package io.fleetwarden.simulator.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.fleetwarden.simulator.score.AlertReader;
import io.fleetwarden.simulator.score.AlertView;
import io.fleetwarden.simulator.score.GroundTruth;
import io.fleetwarden.simulator.score.Scorecard;
import io.fleetwarden.simulator.score.ScorecardPrinter;
import io.fleetwarden.simulator.score.ScorecardReport;

/** {@code scorecard}: reads fleet.alerts and the ground truth, prints detection quality. */
@Command(name = "scorecard", mixinStandardHelpOptions = true,
        description = "Score the alerts on fleet.alerts against a run's ground truth.")
final class ScorecardCommand implements Callable<Integer> {

    @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
    String kafka;

    @Option(names = {"-g", "--ground-truth"}, defaultValue = "ground-truth.jsonl", description = "Ground-truth file of the run (default: ${DEFAULT-VALUE}).")
    Path groundTruth;

    @Option(names = "--lateness", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long after a scenario's end an alert still counts for it (default: ${DEFAULT-VALUE}).")
    Duration lateness;

    @Option(names = "--json", description = "Also write the report as JSON to this file ('-' for standard output).")
    String json;

    @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(groundTruth)) {
            System.err.println("ground truth " + groundTruth + " is not readable");
            return 2;
        }
        GroundTruth truth = GroundTruth.read(groundTruth);
        List<AlertView> alerts = AlertReader.readAll(kafka, timeout, w -> System.err.println("warning: " + w));
        ScorecardReport report = new Scorecard(lateness).score(truth, alerts);
        if ("-".equals(json)) {
            System.out.println(ScorecardPrinter.json(report));
        } else {
            System.out.print(ScorecardPrinter.text(report));
            if (json != null) {
                Files.writeString(Path.of(json), ScorecardPrinter.json(report));
                System.out.println("JSON report written to " + json);
            }
        }
        return 0;
    }
}
