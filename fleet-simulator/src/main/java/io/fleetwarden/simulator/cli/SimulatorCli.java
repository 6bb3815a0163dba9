package io.fleetwarden.simulator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code fleet-simulator run ...} and {@code fleet-simulator scorecard ...}. */
@Command(name = "fleet-simulator", mixinStandardHelpOptions = true, version = "fleet-simulator 0.1.0",
        description = "Simulated IoT fleet over MQTT 5 / mutual TLS with scripted attacks, failures and ground truth; "
                + "and the detection scorecard.",
        subcommands = {RunCommand.class, ScorecardCommand.class, ScenariosCommand.class})
public final class SimulatorCli {

    private SimulatorCli() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI without exiting the JVM; returns the exit code. */
    public static int execute(String... args) {
        return new CommandLine(new SimulatorCli()).execute(args);
    }
}
