package io.fleetwarden.broker.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How the {@code fleetwarden-broker} launcher and the extension it starts talk, per broker: two small
 * files in a {@value #FOLDER} folder inside that broker's HiveMQ data folder (which HiveMQ tells the
 * extension at start). The launcher writes the extension's settings ({@code fleetwarden.<key>}
 * overrides of {@code conf/config.xml}, owner-only) before it starts HiveMQ; the extension writes
 * its outcome (started or failed with the reason, the bound metrics port, the jar it was loaded from).
 *
 * <p>Nothing goes through JVM-wide state, so two brokers in one JVM (each with its own data folder)
 * cannot see each other's settings or outcome. Without a settings file (a stock HiveMQ) the extension
 * reads {@code -Dfleetwarden.<key>} flags of its JVM instead and writes no outcome file.
 */
public final class LauncherHandoff {

    /** Folder inside the HiveMQ data folder. */
    public static final String FOLDER = "fleetwarden";
    static final String SETTINGS = "extension-settings.properties";
    static final String OUTCOME = "extension-outcome.properties";

    private final Path folder;

    private LauncherHandoff(Path folder) {
        this.folder = folder;
    }

    /** The handoff of the broker whose HiveMQ data folder is {@code dataFolder}. */
    public static LauncherHandoff in(Path dataFolder) {
        return new LauncherHandoff(dataFolder.resolve(FOLDER));
    }

    /**
     * What the extension reported at start.
     *
     * @param state       {@code started}, {@code failed} or {@code stopped}
     * @param reason      why it failed (empty otherwise)
     * @param metricsPort the bound metrics and health port, or -1 when disabled
     * @param source      the location of the jar the extension was loaded from
     */
    public record Outcome(String state, String reason, int metricsPort, String source) {

        public boolean started() {
            return "started".equals(state);
        }
    }

    /** Launcher side: replaces the settings and removes an outcome left by an earlier start. */
    public void writeSettings(Map<String, String> settings) {
        Properties p = new Properties();
        settings.forEach(p::setProperty);
        try {
            Files.createDirectories(folder);
            Files.deleteIfExists(folder.resolve(OUTCOME));
            write(folder.resolve(SETTINGS), p, "fleetwarden-broker launcher: settings for the extension of this broker");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the extension settings in " + folder, e);
        }
    }

    /** Extension side: the launcher's settings, or empty when this broker was not started by the launcher. */
    public Optional<Properties> readSettings() {
        return read(folder.resolve(SETTINGS));
    }

    /** Extension side: records the outcome of its start (or its stop). */
    public void writeOutcome(Outcome outcome) {
        Properties p = new Properties();
        p.setProperty("state", outcome.state());
        p.setProperty("reason", outcome.reason());
        p.setProperty("metrics-port", Integer.toString(outcome.metricsPort()));
        p.setProperty("source", outcome.source());
        try {
            Files.createDirectories(folder);
            write(folder.resolve(OUTCOME), p, "Fleetwarden extension: outcome of its start");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the extension outcome in " + folder, e);
        }
    }

    /** Launcher side: what the extension reported, or empty when it never ran. */
    public Optional<Outcome> readOutcome() {
        return read(folder.resolve(OUTCOME)).map(p -> new Outcome(p.getProperty("state", ""), p.getProperty("reason", ""),
                Integer.parseInt(p.getProperty("metrics-port", "-1")), p.getProperty("source", "")));
    }

    /** Launcher side, at stop: removes both files (the settings may hold secrets). */
    public void clear() {
        try {
            Files.deleteIfExists(folder.resolve(SETTINGS));
            Files.deleteIfExists(folder.resolve(OUTCOME));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the extension handoff files in " + folder, e);
        }
    }

    private static Optional<Properties> read(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.of(p);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Written to a temporary owner-only file first and moved in place, so a reader never sees half a file. */
    private static void write(Path file, Properties p, String comment) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, comment);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
