package io.fleetwarden.broker.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/**
 * The launcher's command line (picocli, as every Fleetwarden command line):
 * {@code fleetwarden-broker [-h] BROKER_PROPERTIES}. Bad input (no file, two files, an unknown option, a file that
 * does not exist or is a folder) is refused with an {@link IllegalArgumentException} whose message names the
 * argument and the value; {@link FleetwardenBroker#main} prints it with the usage and exits with 2.
 */
@Command(name = "fleetwarden-broker", sortOptions = false, usageHelpWidth = 110,
        description = "Runs HiveMQ CE embedded with the Fleetwarden extension behind a fail-closed guard. "
                + "JVM flags -Dfleetwarden.<key>=value are defaults for the extension's settings; fleetwarden.* keys "
                + "of the file override them. Exit codes: 2 configuration error, 3 extension did not start, "
                + "4 broker cannot start.")
final class LauncherCommandLine {

    @Parameters(index = "0", arity = "1", paramLabel = "BROKER_PROPERTIES",
            description = "the launcher configuration (conf/broker.properties); relative paths in it are resolved "
                    + "against the home folder: -Dfleetwarden.home, else the folder above the file's folder")
    private Path configFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    private boolean help;

    private LauncherCommandLine() {
    }

    /**
     * @throws IllegalArgumentException naming the argument and the bad value
     */
    static LauncherCommandLine parse(String... args) {
        LauncherCommandLine c = new LauncherCommandLine();
        try {
            new CommandLine(c).parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (c.help) {
            return c;
        }
        c.configFile = c.configFile.toAbsolutePath().normalize();
        if (!Files.isRegularFile(c.configFile)) {
            throw new IllegalArgumentException("BROKER_PROPERTIES: '" + c.configFile + "' "
                    + (Files.isDirectory(c.configFile) ? "is a folder, not a properties file" : "does not exist"));
        }
        if (!Files.isReadable(c.configFile)) {
            throw new IllegalArgumentException("BROKER_PROPERTIES: '" + c.configFile + "' is not readable");
        }
        return c;
    }

    boolean helpRequested() {
        return help;
    }

    /** The configuration file, absolute (null when only help was asked for). */
    Path configFile() {
        return configFile;
    }

    /**
     * The home folder relative paths of the file are resolved against: {@code homeProperty} (the JVM's
     * {@code -Dfleetwarden.home}) when set, else the folder above the file's folder ({@code HOME/conf/broker.properties}).
     *
     * @throws IllegalArgumentException when neither gives one (a file in the root folder and no property)
     */
    Path home(String homeProperty) {
        return home(configFile, homeProperty);
    }

    /** {@link #home(String)} of an absolute {@code configFile}. */
    static Path home(Path configFile, String homeProperty) {
        if (homeProperty != null && !homeProperty.isBlank()) {
            return Path.of(homeProperty).toAbsolutePath().normalize();
        }
        Path parent = configFile.getParent();
        Path home = parent == null ? null : parent.getParent();
        if (home == null) {
            throw new IllegalArgumentException("BROKER_PROPERTIES: '" + configFile
                    + "' has no folder above its own to serve as the home folder; set -Dfleetwarden.home");
        }
        return home;
    }

    static String usage() {
        return new CommandLine(new LauncherCommandLine()).getUsageMessage();
    }
}
