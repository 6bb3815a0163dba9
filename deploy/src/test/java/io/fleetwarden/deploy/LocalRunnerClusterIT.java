package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;

/**
 * The local runner's cluster mode ({@code fleetwarden-local cluster up --parts kafka}): three KRaft nodes as separate
 * processes on free ports, the topics of {@link Topics#ALL} at replication factor 3 with {@code min.insync.replicas=2};
 * a node killed with {@code kill -9} leaves the cluster writable, {@code status} names it stopped, {@code cluster up}
 * brings it back, {@code cluster down} leaves nothing. (The MQTT brokers of cluster mode are started the same way from
 * broker-extension's build, which this module does not depend on; see deploy/README.md for the full run.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES) // three JVMs and three formats: 1 min here when quiet, over 5 min at load 100
class LocalRunnerClusterIT {

    private static final Path RUNNER = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("bin/fleetwarden-local");

    @TempDir
    static Path home;

    private static Map<String, String> env;
    private static List<Integer> kafkaPorts = new ArrayList<>();

    @BeforeAll
    static void ports() throws IOException {
        env = new HashMap<>();
        env.put("FLEETWARDEN_HOME", home.toString());
        env.put("FW_SKIP_BUILD", "1");
        env.put("FW_HEALTH_TIMEOUT", "180");
        env.put("FW_HEAP_KAFKA", "384m");
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            kafkaPorts.add(freePort());
            controllers.add(freePort());
        }
        env.put("FW_CLUSTER_KAFKA_PORTS", join(kafkaPorts));
        env.put("FW_CLUSTER_KAFKA_CONTROLLER_PORTS", join(controllers));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        run("down");
    }

    @Test
    @Order(1)
    void clusterUpStartsThreeKafkaNodesWithReplicatedTopics() throws Exception {
        Result up = run("cluster", "up", "--parts", "kafka");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("cluster mode", "kafka-1 healthy", "kafka-2 healthy", "kafka-3 healthy",
                "replication factor 3, min.insync.replicas 2");
        assertThat(home.resolve("cluster-mode")).exists();
        try (Admin admin = Admin.create(adminProps())) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
            List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
            for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                assertThat(d.partitions()).as(d.name()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            }
            ConfigResource telemetry = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TELEMETRY);
            Config config = admin.describeConfigs(List.of(telemetry)).all().get(30, TimeUnit.SECONDS).get(telemetry);
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        }
        Result status = run("cluster", "status");
        assertThat(status.output()).containsPattern("kafka-1\\s+\\d+\\s+\\S*healthy")
                .containsPattern("kafka-2\\s+\\d+\\s+\\S*healthy").containsPattern("kafka-3\\s+\\d+\\s+\\S*healthy");
    }

    @Test
    @Order(2)
    void aKilledNodeLeavesTheClusterWritableAndComesBackWithClusterUp() throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("run/kafka-2.pid")).trim());
        ProcessHandle node = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        node.onExit().get(20, TimeUnit.SECONDS);

        Properties p = new Properties();
        p.putAll(adminProps());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(Topics.TELEMETRY, "acme/dev-" + i, "after-kill-" + i)).get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(run("status").output()).containsPattern("kafka-2\\s+-\\s+stopped");

        Result up = run("cluster", "up", "--parts", "kafka");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("kafka-1 already running", "kafka-3 already running", "kafka-2 healthy");
        try (Admin admin = Admin.create(adminProps())) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
        }
    }

    @Test
    @Order(3)
    void clusterDownLeavesNothing() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            pids.add(Long.parseLong(Files.readString(home.resolve("run/kafka-" + n + ".pid")).trim()));
        }
        Result down = run("cluster", "down");
        assertThat(down.exit()).as(down.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(home.resolve("cluster-mode")).doesNotExist();
        assertThat(run("cluster", "status").exit()).as("status of a folder not in cluster mode").isNotZero();
    }

    // ---------------------------------------------------------------------------------------------

    record Result(int exit, String output) {
    }

    private static Map<String, Object> adminProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", kafkaPorts.stream().map(port -> "127.0.0.1:" + port).toList()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return p;
    }

    private static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(RUNNER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
