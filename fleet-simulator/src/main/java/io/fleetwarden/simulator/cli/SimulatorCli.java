package io.fleetwarden.simulator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code fleet-simulator run ...} and {@code fleet-simulator scorecard ...}. */
@Command(name = "fleet-simulator", mixinStandardHelpOptions = true, version = "fleet-simulator 0.1.0",
        description = "Simulated IoT fleet over MQTT 5 / mutual TLS with scripted attacks, failures and ground truth; "
                + "and the detection scorecard.",
        subcommands = {RunCommand.class, ReplayCommand.class, ScorecardCommand.class, ScenariosCommand.class, PkiCommand.class})
public final class SimulatorCli {

    private SimulatorCli() {
    }

    public static void main(String[] args) {
        // Errors of connections that were already given up (e.g. a refused attacker connect) reach RxJava
        // after their subscriber is gone; they are expected here, counted by the runner, and not worth a stack trace.
        io.reactivex.plugins.RxJavaPlugins.setErrorHandler(e -> { });
        System.exit(execute(args));
    }

    /** Runs the CLI without exiting the JVM; returns the exit code. */
    public static int execute(String... args) {
        return new CommandLine(new SimulatorCli()).execute(args);
    }
}
