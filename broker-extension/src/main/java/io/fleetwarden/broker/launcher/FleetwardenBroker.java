package io.fleetwarden.broker.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.hivemq.embedded.EmbeddedHiveMQ;

import io.fleetwarden.broker.config.ConfigException;
import io.fleetwarden.broker.config.LauncherHandoff;

/**
 * The {@code fleetwarden-broker} launcher: runs HiveMQ CE embedded with one mutual-TLS listener
 * (TLS 1.3/1.2, AEAD suites only, no plain-TCP listener) and the Fleetwarden extension from the
 * extensions folder, behind a fail-closed guard.
 *
 * <p>Usage: {@code fleetwarden-broker [-h] BROKER_PROPERTIES} ({@link LauncherCommandLine}); JVM flags {@code -Dfleetwarden.<key>=value} are
 * defaults for the extension's settings that {@code fleetwarden.*} keys of the file override. Exit codes: 0 on a clean stop, 2 for a
 * configuration error, 3 when the extension did not start (the broker is stopped again before serving
 * anyone, and the guard refuses every client in the meantime), 4 when the broker itself cannot start.
 */
public final class FleetwardenBroker implements AutoCloseable {

    /** AEAD-only suites; the TLS 1.3 ones are all AEAD. */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** How long a graceful stop waits for the drained clients to go before HiveMQ closes the rest. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Brokers start one at a time: the guard reads its broker's client service when it starts (see FailClosedGuard). */
    private static final Object STARTING = new Object();

    private final EmbeddedHiveMQ hivemq;
    private final FailClosedGuard guard;
    private final Path configFolder;
    private final LauncherHandoff handoff;
    private volatile LauncherHandoff.Outcome outcome;

    private FleetwardenBroker(EmbeddedHiveMQ hivemq, FailClosedGuard guard, Path configFolder, LauncherHandoff handoff) {
        this.hivemq = hivemq;
        this.guard = guard;
        this.configFolder = configFolder;
        this.handoff = handoff;
    }

    /** Thrown when the extension did not start; the broker has been stopped. */
    public static final class ExtensionNotStartedException extends Exception {
        private static final long serialVersionUID = 1L;

        ExtensionNotStartedException(String message) {
            super(message);
        }
    }

    /**
     * Starts the broker and verifies the extension started. The extension gets exactly
     * {@link LauncherConfig#extensionSettings(Map)} of {@code config} (no JVM-wide state), so brokers
     * started in one JVM with their own data folders do not see each other's settings.
     *
     * @throws ExtensionNotStartedException when it did not (the broker is stopped again)
     */
    public static FleetwardenBroker start(LauncherConfig config) throws Exception {
        return start(config, Map.of());
    }

    /**
     * Same as {@link #start(LauncherConfig)}, with defaults for the extension's settings that the
     * configuration file overrides ({@link #main} passes the JVM's {@code -Dfleetwarden.<key>} flags).
     */
    public static FleetwardenBroker start(LauncherConfig config, Map<String, String> extensionDefaults) throws Exception {
        TlsRenegotiation.refuseClientInitiated();
        TlsRenegotiation.verify(config.keystore(), config.keystorePassword().toCharArray(),
                config.privateKeyPassword().toCharArray());
        if (config.clientValidation().equals("extension")) {
            DeferredClientTrust.install();
        }
        Files.createDirectories(config.dataFolder());
        LauncherHandoff handoff = LauncherHandoff.in(config.dataFolder());
        handoff.writeSettings(config.extensionSettings(extensionDefaults));
        Path configFolder = Files.createTempDirectory("fleetwarden-hivemq-conf",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(configFolder.resolve("config.xml"), hivemqConfig(config), StandardCharsets.UTF_8);
        FailClosedGuard guard = new FailClosedGuard();
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(configFolder)
                .withDataFolder(config.dataFolder())
                .withExtensionsFolder(config.extensionsFolder())
                .withEmbeddedExtension(FailClosedGuard.extension(guard))
                .build();
        FleetwardenBroker broker = new FleetwardenBroker(hivemq, guard, configFolder, handoff);
        try {
            synchronized (STARTING) {
                hivemq.start().get(120, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        Optional<LauncherHandoff.Outcome> outcome = handoff.readOutcome();
        if (outcome.isEmpty() || !outcome.get().started()) {
            broker.close();
            throw new ExtensionNotStartedException("Fleetwarden extension did not start ("
                    + outcome.map(o -> o.state() + ": " + o.reason()).orElse("not found in " + config.extensionsFolder())
                    + "); broker stopped");
        }
        broker.outcome = outcome.get();
        return broker;
    }

    /** The port of the extension's metrics and health endpoint, or -1 when it is disabled. */
    public int metricsPort() {
        return outcome.metricsPort();
    }

    /** Where the running extension was loaded from (the jar inside the extensions folder). */
    public String extensionSource() {
        return outcome.source();
    }

    /** The HiveMQ {@code config.xml} for the launcher settings: one mutual-TLS listener, nothing else. */
    public static String hivemqConfig(LauncherConfig c) {
        StringBuilder ciphers = new StringBuilder();
        for (String s : CIPHER_SUITES) {
            ciphers.append("          <cipher-suite>").append(s).append("</cipher-suite>\n");
        }
        String clientAuth = c.clientValidation().equals("extension") ? "OPTIONAL" : "REQUIRED";
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>%s</bind-address>
                      <name>fleet-mtls</name>
                      <tls>
                        <keystore>
                          <path>%s</path>
                          <password>%s</password>
                          <private-key-password>%s</private-key-password>
                        </keystore>
                        <truststore>
                          <path>%s</path>
                          <password>%s</password>
                        </truststore>
                        <client-authentication-mode>%s</client-authentication-mode>
                        <protocols>
                          <protocol>TLSv1.3</protocol>
                          <protocol>TLSv1.2</protocol>
                        </protocols>
                        <cipher-suites>
                %s        </cipher-suites>
                      </tls>
                    </tls-tcp-listener>
                  </listeners>
                  <persistence>
                    <mode>in-memory</mode>
                  </persistence>
                </hivemq>
                """.formatted(c.port(), xml(c.bindAddress()), xml(c.keystore().toString()), xml(c.keystorePassword()),
                xml(c.privateKeyPassword()), xml(c.truststore().toString()), xml(c.truststorePassword()), clientAuth,
                ciphers);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * Stops the broker gracefully: first sends every connected device away with {@code SERVER_SHUTTING_DOWN}
     * (recorded by the extension as {@code broker-draining} disconnects while its Kafka forwarder still runs; HiveMQ
     * CE's own stop would close the connections without a DISCONNECT, recorded as lost connections), waiting up to
     * {@link #DRAIN_TIMEOUT} for them to go, then stops HiveMQ and with it the extension, which flushes its Kafka
     * buffer.
     */
    @Override
    public void close() throws Exception {
        try {
            if (outcome != null) { // the extension runs: there may be devices to drain
                guard.drain(DRAIN_TIMEOUT);
            }
            hivemq.stop().get(60, TimeUnit.SECONDS);
            hivemq.close();
        } finally {
            deleteTree(configFolder);
            handoff.clear();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        LauncherCommandLine commandLine;
        Path file;
        Path home;
        try {
            commandLine = LauncherCommandLine.parse(args);
            if (commandLine.helpRequested()) {
                System.out.print(LauncherCommandLine.usage());
                return;
            }
            file = commandLine.configFile();
            home = commandLine.home(System.getProperty("fleetwarden.home"));
        } catch (IllegalArgumentException e) {
            System.err.println("fleetwarden-broker: " + e.getMessage());
            System.err.print(LauncherCommandLine.usage());
            System.exit(2);
            return;
        }
        LauncherConfig config;
        try {
            config = LauncherConfig.load(file, home);
            TlsRenegotiation.refuseClientInitiated();
        } catch (ConfigException e) {
            System.err.println("fleetwarden-broker: " + e.getMessage());
            System.exit(2);
            return;
        }
        FleetwardenBroker broker;
        try {
            broker = start(config, LauncherConfig.jvmExtensionFlags(System.getProperties()));
        } catch (ExtensionNotStartedException e) {
            System.err.println("fleetwarden-broker: " + e.getMessage());
            System.exit(3);
            return;
        } catch (Exception e) {
            System.err.println("fleetwarden-broker: broker cannot start: " + e);
            System.exit(4);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception e) {
                System.err.println("fleetwarden-broker: error while stopping: " + e);
            }
        }, "fleetwarden-broker-shutdown"));
        System.out.println("fleetwarden-broker: serving mutual TLS on " + config.bindAddress() + ":" + config.port());
    }
}
