package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;

/**
 * Runs the real local runner ({@code deploy/bin/fleetwarden-local}) with InfluxDB and Kafka on free
 * ports in a temporary working folder: up, health, topics, a second up, a taken port, a missing
 * part, and down leaving no process behind. Needs {@code influxd} (Debian package influxdb) and a
 * packaged deploy module (Failsafe runs after package).
 *
 * <p>State: the tests share one running platform and run in order; {@link #downLeavesNothing()}
 * is last, and {@link #stopEverything()} runs down again in case a test failed before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalRunnerIT {

    private static final Path RUNNER = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("bin/fleetwarden-local");

    @TempDir
    static Path home;

    private static Map<String, String> env;
    private static int influxPort;
    private static int kafkaPort;

    @BeforeAll
    static void ports() throws IOException {
        env = new HashMap<>();
        env.put("FLEETWARDEN_HOME", home.toString());
        env.put("FW_SKIP_BUILD", "1");
        env.put("FW_HEALTH_TIMEOUT", "90");
        influxPort = freePort();
        kafkaPort = freePort();
        env.put("FW_PORT_INFLUX", String.valueOf(influxPort));
        env.put("FW_PORT_INFLUX_RPC", String.valueOf(freePort()));
        env.put("FW_PORT_KAFKA", String.valueOf(kafkaPort));
        env.put("FW_PORT_KAFKA_CONTROLLER", String.valueOf(freePort()));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        run(env, "down");
    }

    @Test
    @Order(1)
    void upStartsInfluxDbAndKafkaWithTheTopicsOfTopicsAll() throws Exception {
        Result up = run(env, "up", "--parts", "influxdb,kafka");

        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("influxdb healthy", "kafka healthy", "topics of Topics.ALL ready");

        // InfluxDB with authentication: anonymous queries are refused; the generated admin sees the
        // database with the default 30-day retention; the generated secrets are private to the owner.
        URI retention = URI.create("http://127.0.0.1:" + influxPort + "/query?q=SHOW%20RETENTION%20POLICIES%20ON%20fleetwarden");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(retention).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        Path secrets = home.resolve("secrets/influxdb.env");
        Properties influxUsers = new Properties();
        try (var in = Files.newBufferedReader(secrets)) {
            influxUsers.load(in);
        }
        String basic = java.util.Base64.getEncoder().encodeToString((influxUsers.getProperty("FW_INFLUX_ADMIN_USER") + ":"
                + influxUsers.getProperty("FW_INFLUX_ADMIN_PASSWORD")).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> asAdmin = http.send(HttpRequest.newBuilder(retention).header("Authorization", "Basic " + basic).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(asAdmin.body()).contains("[\"autogen\",\"720h0m0s\"");
        assertThat(influxUsers.getProperty("FW_INFLUX_JOBS_PASSWORD")).hasSize(32)
                .isNotEqualTo(influxUsers.getProperty("FW_INFLUX_DASHBOARD_PASSWORD"));
        assertThat(Files.getPosixFilePermissions(secrets)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        try (Admin admin = Admin.create(props)) {
            Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            assertThat(names).containsAll(Topics.ALL.stream().map(TopicSpec::name).toList());
            ConfigResource controls = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEVICE_CONTROLS);
            Config config = admin.describeConfigs(List.of(controls)).all().get(10, TimeUnit.SECONDS).get(controls);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
        Result status = run(env, "status");
        assertThat(status.output()).containsPattern("influxdb\\s+\\d+\\s+\\S*healthy")
                .containsPattern("kafka\\s+\\d+\\s+\\S*healthy");
        assertThat(Files.getPosixFilePermissions(home.resolve("pki/broker/keystore.password")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(home.resolve("pki/broker/broker-keystore.p12")).isNotEmptyFile();
    }

    @Test
    @Order(2)
    void aSecondUpReusesTheRunningParts() throws Exception {
        String influxPid = Files.readString(home.resolve("run/influxdb.pid")).trim();

        Result again = run(env, "up", "--parts", "influxdb,kafka");

        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).contains("influxdb already running (pid " + influxPid + ")", "kafka already running");
    }

    @Test
    @Order(3)
    void aTakenPortIsRefusedBeforeAnythingStarts(@TempDir Path otherHome) throws Exception {
        Map<String, String> other = new HashMap<>(env);
        other.put("FLEETWARDEN_HOME", otherHome.toString());

        Result clash = run(other, "up", "--parts", "influxdb");

        assertThat(clash.exit()).isNotZero();
        assertThat(clash.output()).contains("port " + influxPort + " is already in use", "ports above are taken");
        assertThat(otherHome.resolve("run/influxdb.pid")).doesNotExist();
    }

    @Test
    @Order(4)
    void aMissingPartIsNamedAndNothingStarts(@TempDir Path otherHome) throws Exception {
        Map<String, String> other = new HashMap<>(env);
        other.put("FLEETWARDEN_HOME", otherHome.toString());
        other.put("FW_BROKER_MAIN", "io.fleetwarden.broker.NoSuchLauncher");

        Result missing = run(other, "up", "--parts", "broker");

        assertThat(missing.exit()).isNotZero();
        assertThat(missing.output()).contains("broker: entry point io.fleetwarden.broker.NoSuchLauncher not found",
                "nothing was started");
    }

    @Test
    @Order(5)
    void downLeavesNothing() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String part : List.of("influxdb", "kafka")) {
            pids.add(Long.parseLong(Files.readString(home.resolve("run/" + part + ".pid")).trim()));
        }

        Result down = run(env, "down");

        assertThat(down.exit()).as(down.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(processesMarkedWith(home.toString())).isEmpty();
        assertThat(home.resolve("run/kafka.pid")).doesNotExist();
    }

    // ---------------------------------------------------------------------------------------------

    record Result(int exit, String output) {
    }

    private static Result run(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(RUNNER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        // The runner's children inherit nothing from this pipe (they log to files), so reading to
        // the end returns when the runner exits.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(4, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** Processes whose environment names this working folder (the runner marks every child so). */
    private static List<String> processesMarkedWith(String folder) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
                    if (environ.contains("FLEETWARDEN_RUN=" + folder + ":")) {
                        found.add(proc.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the process ended or is not ours to read
                }
            }
        }
        return found;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
