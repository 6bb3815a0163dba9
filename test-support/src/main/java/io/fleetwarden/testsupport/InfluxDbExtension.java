package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real InfluxDB 1.x server ({@code influxd} from the Debian package {@code influxdb}) started as a
 * child process, one per test class, on free loopback ports with all its files in a temporary
 * folder.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleet");
 *
 * @Test
 * void writesAndReads() {
 *     InfluxDB influx = INFLUX.newClient();        // database already selected; closed by the extension
 *     influx.write(Point.measurement("cpu").addField("value", 1.0).build());
 *     QueryResult result = influx.query(new Query("SELECT * FROM cpu", INFLUX.database()));
 * }
 * }</pre>
 *
 * <p>The generated config binds HTTP and the RPC (backup) service to {@code 127.0.0.1} on free
 * ports, disables usage reporting, the {@code _internal} monitor database, subscriptions and every
 * listener with a fixed port (graphite, collectd, OpenTSDB, UDP, IFQL, unix socket). The server's
 * output goes to {@code influxd.log} in the temporary folder; if it does not answer {@code /ping}
 * in time, the error carries the tail of that log. On stop the process is terminated (forcibly
 * after 10 s) and the folder deleted; a JVM shutdown hook does the same should {@code afterAll}
 * never run.
 *
 * <p>With {@link Builder#authentication()} the server runs with {@code auth-enabled = true}: the
 * extension creates an admin ({@link #adminUser()}, a random {@link #adminPassword()}) and the
 * database as that admin, and {@link #query(String)} and {@link #newClient()} use its credentials.
 * With {@link Builder#authenticationWithoutUsers()} the server has no user and no database at all,
 * for tests of provisioning itself ({@link #query(String, String, String)} takes credentials).
 *
 * <p>The binary is taken from the system property {@value #BINARY_PROPERTY}, else the environment
 * variable {@value #BINARY_ENV}, else {@code /usr/bin/influxd}, else {@code influxd} on the
 * {@code PATH}.
 */
public final class InfluxDbExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** System property naming the {@code influxd} binary. */
    public static final String BINARY_PROPERTY = "fleetwarden.influxd";
    /** Environment variable naming the {@code influxd} binary. */
    public static final String BINARY_ENV = "FLEETWARDEN_INFLUXD";

    private static final Path DEFAULT_BINARY = Paths.get("/usr/bin/influxd");
    private static final String LOOPBACK = "127.0.0.1";
    private static final int START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final String ADMIN_USER = "admin";

    private final String database;
    private final Path binaryOverride;
    private final Duration startTimeout;
    private final Auth auth;
    private final String adminPassword;

    private Process process;
    private Thread shutdownHook;
    private Path directory;
    private String url;
    private String ownerContextId;
    private Duration lastStartup = Duration.ZERO;
    private final List<InfluxDB> clients = new ArrayList<>();

    private InfluxDbExtension(Builder builder) {
        this.database = builder.database;
        this.binaryOverride = builder.binary;
        this.startTimeout = builder.startTimeout;
        this.auth = builder.auth;
        this.adminPassword = auth == Auth.OFF ? null : randomPassword();
    }

    /** Authentication modes of the test server. */
    private enum Auth { OFF, ADMIN, NO_USERS }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /**
     * A server with the given database created before the first test.
     *
     * @param database database name
     * @return the extension, to be stored in a {@code static} {@code @RegisterExtension} field
     */
    public static InfluxDbExtension withDatabase(String database) {
        return builder().database(database).build();
    }

    /** @return a builder (database {@code fleetwarden}, binary looked up, 30 s start timeout) */
    public static Builder builder() {
        return new Builder();
    }

    // ----------------------------------------------------------------------------------------
    // JUnit lifecycle

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws Exception {
        if (process == null) {
            start();
            ownerContextId = context.getUniqueId();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerContextId)) {
            close();
        }
    }

    // ----------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Starts {@code influxd}, waits until {@code /ping} answers 204 and creates the database.
     * Does nothing if already started.
     *
     * @throws IllegalStateException if the binary is missing or the server does not come up
     */
    public synchronized void start() {
        if (process != null) {
            return;
        }
        Path binary = resolveBinary();
        long began = System.nanoTime();
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                startOnce(binary);
                if (auth == Auth.ADMIN) {
                    // With no user yet, InfluxDB 1.x accepts exactly this statement without credentials.
                    post("CREATE USER \"" + ADMIN_USER + "\" WITH PASSWORD '" + adminPassword + "' WITH ALL PRIVILEGES",
                            null, null, null);
                }
                if (auth != Auth.NO_USERS) {
                    createDatabase(database);
                }
                lastStartup = Duration.ofNanos(System.nanoTime() - began);
                return;
            } catch (PortTakenException e) {
                // Another process took one of the free ports between probing and binding: retry.
                failure = e;
                close();
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }
        throw failure;
    }

    /**
     * Closes the clients made by {@link #newClient()}, stops the server and deletes its folder.
     * Safe to call more than once.
     */
    @Override
    public synchronized void close() {
        clients.forEach(InfluxDbExtension::closeQuietly);
        clients.clear();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook runs anyway.
            }
            shutdownHook = null;
        }
        if (process != null) {
            terminate(process);
            process = null;
        }
        if (directory != null) {
            deleteRecursively(directory);
            directory = null;
        }
        url = null;
        ownerContextId = null;
    }

    /** @return whether the server process is running */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** @return how long the last {@link #start()} took until the database existed */
    public synchronized Duration startupTime() {
        return lastStartup;
    }

    // ----------------------------------------------------------------------------------------
    // Access

    /** @return the HTTP API base URL, e.g. {@code http://127.0.0.1:41234} */
    public synchronized String url() {
        requireStarted();
        return url;
    }

    /** @return the database created at start */
    public String database() {
        return database;
    }

    /** @return the admin's user name (servers built with {@link Builder#authentication()}) */
    public String adminUser() {
        requireAuth();
        return ADMIN_USER;
    }

    /** @return the admin's password, random per extension (servers built with {@link Builder#authentication()}) */
    public String adminPassword() {
        requireAuth();
        return adminPassword;
    }

    private void requireAuth() {
        if (auth != Auth.ADMIN) {
            throw new IllegalStateException("this InfluxDB runs " + (auth == Auth.OFF ? "without authentication"
                    : "with authentication but without an admin made by the extension"));
        }
    }

    /** @return the temporary folder holding the config, the log and the meta, data and WAL folders */
    public synchronized Path directory() {
        requireStarted();
        return directory;
    }

    /**
     * Creates a database (a no-op if it exists) with the default retention policy {@code autogen}.
     *
     * @param name database name
     */
    public void createDatabase(String name) {
        Objects.requireNonNull(name, "name");
        query("CREATE DATABASE \"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    /**
     * Runs one InfluxQL statement as the admin (or without credentials when authentication is off).
     *
     * @param statement the statement
     * @return the response body
     * @throws IllegalStateException if the server answers with an error
     */
    public String query(String statement) {
        return auth == Auth.ADMIN ? query(statement, ADMIN_USER, adminPassword) : query(statement, null, null);
    }

    /**
     * Runs one InfluxQL statement with the given credentials (none when {@code user} is null).
     *
     * @param statement the statement
     * @param user user name, or null
     * @param password password, or null
     * @return the response body
     * @throws IllegalStateException if the server answers with an error (the message carries the status and body)
     */
    public String query(String statement, String user, String password) {
        Objects.requireNonNull(statement, "statement");
        return post(statement, user, password, null);
    }

    /**
     * Runs one InfluxQL statement on a database (for statements that cannot name one, such as
     * {@code DELETE}) with the given credentials (none when {@code user} is null).
     *
     * @param db the database
     * @param statement the statement
     * @param user user name, or null
     * @param password password, or null
     * @return the response body
     * @throws IllegalStateException if the server answers with an error
     */
    public String queryOn(String db, String statement, String user, String password) {
        return post(Objects.requireNonNull(statement, "statement"), user, password, Objects.requireNonNull(db, "db"));
    }

    private String post(String statement, String user, String password, String db) {
        HttpURLConnection connection = null;
        try {
            connection = open("/query");
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            if (user != null) {
                String basic = java.util.Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                connection.setRequestProperty("Authorization", "Basic " + basic);
            }
            String form = "q=" + URLEncoder.encode(statement, StandardCharsets.UTF_8)
                    + (db == null ? "" : "&db=" + URLEncoder.encode(db, StandardCharsets.UTF_8));
            try (OutputStream out = connection.getOutputStream()) {
                out.write(form.getBytes(StandardCharsets.UTF_8));
            }
            int status = connection.getResponseCode();
            String response = readBody(connection, status);
            if (status != 200 || response.contains("\"error\"")) {
                throw new IllegalStateException("InfluxDB refused " + firstWords(statement) + ": HTTP " + status + " " + response);
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot query " + url(), e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** The statement's first words, never a password literal. */
    private static String firstWords(String statement) {
        int quote = statement.indexOf('\'');
        return quote < 0 ? statement : statement.substring(0, quote) + "...";
    }

    /**
     * A new client for {@link #url()} with {@link #database()} selected. The extension closes it
     * on stop; closing it earlier is fine. For batching, call
     * {@code enableBatch(BatchOptions.DEFAULTS.exceptionHandler(...))} on it: without an exception
     * handler, asynchronous write errors are only logged.
     *
     * @return the client
     */
    public synchronized InfluxDB newClient() {
        InfluxDB client = auth == Auth.ADMIN ? InfluxDBFactory.connect(url(), ADMIN_USER, adminPassword)
                : InfluxDBFactory.connect(url());
        client.setDatabase(database);
        clients.add(client);
        return client;
    }

    // ----------------------------------------------------------------------------------------
    // Internals

    private void startOnce(Path binary) {
        try {
            directory = Files.createTempDirectory("fleetwarden-influxd-");
            int httpPort = freePort();
            int rpcPort = freePort();
            while (rpcPort == httpPort) {
                rpcPort = freePort();
            }
            Path config = Files.writeString(directory.resolve("influxd.conf"), config(directory, httpPort, rpcPort, auth != Auth.OFF));
            Path log = directory.resolve("influxd.log");
            url = "http://" + LOOPBACK + ":" + httpPort;
            ProcessBuilder builder = new ProcessBuilder(binary.toString(), "run", "-config", config.toString())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            process = builder.start();
            Process started = process;
            shutdownHook = new Thread(() -> terminate(started), "influxd-shutdown-hook");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            awaitPing(log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + binary, e);
        }
    }

    private void awaitPing(Path log) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = tail(log);
                String message = "influxd exited with code " + process.exitValue() + " before answering /ping"
                        + logSection(log, tail);
                if (tail.toLowerCase(Locale.ROOT).contains("address already in use")) {
                    throw new PortTakenException(message);
                }
                throw new IllegalStateException(message);
            }
            if (pingStatus() == 204) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for influxd", e);
            }
        }
        throw new IllegalStateException("influxd did not answer " + url + "/ping with 204 within " + startTimeout
                + logSection(log, tail(log)));
    }

    private int pingStatus() {
        HttpURLConnection connection = null;
        try {
            connection = open("/ping");
            return connection.getResponseCode();
        } catch (IOException e) {
            return -1;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url() + path).toURL().openConnection();
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(30_000);
        return connection;
    }

    private static String readBody(HttpURLConnection connection, int status) throws IOException {
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String config(Path dir, int httpPort, int rpcPort, boolean authEnabled) {
        return String.join("\n",
                "# Generated by Fleetwarden's InfluxDbExtension for one test run.",
                "reporting-disabled = true",
                "bind-address = \"" + LOOPBACK + ":" + rpcPort + "\"",
                "",
                "[meta]",
                "  dir = " + quote(dir.resolve("meta")),
                "  logging-enabled = false",
                "",
                "[data]",
                "  dir = " + quote(dir.resolve("data")),
                "  wal-dir = " + quote(dir.resolve("wal")),
                "  wal-fsync-delay = \"0s\"",
                "  query-log-enabled = false",
                "",
                "[monitor]",
                "  store-enabled = false",
                "",
                "[subscriber]",
                "  enabled = false",
                "",
                "[http]",
                "  enabled = true",
                "  bind-address = \"" + LOOPBACK + ":" + httpPort + "\"",
                "  auth-enabled = " + authEnabled,
                "  log-enabled = false",
                "  pprof-enabled = false",
                "  unix-socket-enabled = false",
                "",
                "[ifql]",
                "  enabled = false",
                "",
                "[logging]",
                "  level = \"info\"",
                "  suppress-logo = true",
                "",
                "[[graphite]]",
                "  enabled = false",
                "",
                "[[collectd]]",
                "  enabled = false",
                "",
                "[[opentsdb]]",
                "  enabled = false",
                "",
                "[[udp]]",
                "  enabled = false",
                "",
                "[continuous_queries]",
                "  enabled = true",
                "  log-enabled = false",
                "");
    }

    private static String quote(Path path) {
        return "\"" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private Path resolveBinary() {
        List<String> tried = new ArrayList<>();
        Optional<Path> explicit = Optional.ofNullable(binaryOverride)
                .or(() -> Optional.ofNullable(System.getProperty(BINARY_PROPERTY)).filter(s -> !s.isBlank()).map(Paths::get))
                .or(() -> Optional.ofNullable(System.getenv(BINARY_ENV)).filter(s -> !s.isBlank()).map(Paths::get));
        if (explicit.isPresent()) {
            Path path = explicit.get();
            if (Files.isRegularFile(path) && Files.isExecutable(path)) {
                return path;
            }
            throw missingBinary("the configured influxd binary " + path + " does not exist or is not executable");
        }
        tried.add(DEFAULT_BINARY.toString());
        if (Files.isExecutable(DEFAULT_BINARY)) {
            return DEFAULT_BINARY;
        }
        String pathVariable = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String entry : pathVariable.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path candidate = Paths.get(entry, "influxd");
            tried.add(candidate.toString());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw missingBinary("influxd not found (looked at " + tried + ")");
    }

    private static IllegalStateException missingBinary(String problem) {
        return new IllegalStateException(problem + ". InfluxDB 1.x is needed: install the Debian package "
                + "with 'apt-get install influxdb' (the tests start /usr/bin/influxd themselves; the "
                + "system service is not used), or point -D" + BINARY_PROPERTY + " or $" + BINARY_ENV
                + " at an influxd binary.");
    }

    private static void terminate(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static String logSection(Path log, String tail) {
        return tail.isBlank() ? " (" + log + " is empty)"
                : ". Last lines of " + log + " (deleted on stop):\n" + tail;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort: a leftover temp file must not fail the test run.
                }
            });
        } catch (IOException e) {
            // Best effort, as above.
        }
    }

    private static void closeQuietly(InfluxDB client) {
        try {
            client.close();
        } catch (RuntimeException e) {
            // Best effort: a failing close must not hide the test's own result.
        }
    }

    private synchronized void requireStarted() {
        if (process == null) {
            throw new IllegalStateException(
                    "InfluxDB is not started: register InfluxDbExtension on a static @RegisterExtension field or call start()");
        }
    }

    /** influxd could not bind a port that was free a moment earlier. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    /** Configures an {@link InfluxDbExtension}. */
    public static final class Builder {
        private String database = "fleetwarden";
        private Path binary;
        private Duration startTimeout = Duration.ofSeconds(30);
        private Auth auth = Auth.OFF;

        private Builder() {
        }

        /**
         * Authentication on; the extension creates an admin and the database (see the class comment).
         *
         * @return this builder
         */
        public Builder authentication() {
            this.auth = Auth.ADMIN;
            return this;
        }

        /**
         * Authentication on, and no user and no database: the test provisions the server itself.
         *
         * @return this builder
         */
        public Builder authenticationWithoutUsers() {
            this.auth = Auth.NO_USERS;
            return this;
        }

        /**
         * @param name database created at start
         * @return this builder
         */
        public Builder database(String name) {
            this.database = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Uses this {@code influxd} binary instead of looking one up.
         *
         * @param path the binary
         * @return this builder
         */
        public Builder binary(Path path) {
            this.binary = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * @param timeout how long to wait for {@code /ping} to answer
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** @return the extension */
        public InfluxDbExtension build() {
            return new InfluxDbExtension(this);
        }
    }
}
