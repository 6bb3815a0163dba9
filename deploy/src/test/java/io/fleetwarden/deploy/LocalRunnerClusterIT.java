package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.flink.session.FlinkRestClient;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;
import io.fleetwarden.model.codec.Codecs;

/**
 * The local runner's cluster mode on free ports, as a user runs it:
 *
 * <ul>
 *   <li>{@code cluster up --parts kafka}: three KRaft nodes as separate processes, the topics of {@link Topics#ALL} at
 *       replication factor 3 with {@code min.insync.replicas=2}; a node killed with {@code kill -9} leaves the cluster
 *       writable, {@code status} names it stopped, {@code cluster up} brings it back;</li>
 *   <li>{@code cluster up --parts influxdb,flink,stream-jobs}: a Flink session cluster (JobManager and two
 *       TaskManagers, each its own JVM from the Flink runtime jars, RocksDB) to which the runner submits the job jar
 *       over the REST API: the REST job list has exactly that job RUNNING on both TaskManagers, and telemetry put on
 *       {@code fleet.telemetry} comes back as alerts on {@code fleet.alerts} (read_committed);</li>
 *   <li>a TaskManager running the job killed with {@code kill -9}: the job runs again from its checkpoint on the
 *       other TaskManager, alerts keep coming, none twice; {@code cluster up} brings the TaskManager back;</li>
 *   <li>{@code cluster down} stops the job with a savepoint and every process; the next {@code cluster up} resumes
 *       the job from that savepoint with its keyed state (an alert opened before the stop is not opened again);</li>
 *   <li>{@code cluster down} leaves nothing.</li>
 * </ul>
 *
 * The MQTT brokers of cluster mode are started the same way from broker-extension's build, which this module does not
 * depend on; the job's input here is put on Kafka directly. Needs stream-jobs packaged (the job jar and
 * {@code target/flink-cluster*.classpath}): this module's test dependency on stream-jobs' POM orders the reactor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES) // per test; a cluster start takes 1 min here when quiet, over 5 min at load 100
class LocalRunnerClusterIT {

    private static final Path RUNNER = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("bin/fleetwarden-local");

    @TempDir
    static Path home;

    private static final String TENANT = "clusterit";
    private static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    private static Map<String, String> env;
    private static List<Integer> kafkaPorts = new ArrayList<>();
    private static FlinkRestClient flink;

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
        env.put("FW_PORT_INFLUX", String.valueOf(freePort()));
        env.put("FW_PORT_INFLUX_RPC", String.valueOf(freePort()));
        int rest = freePort();
        env.put("FW_CLUSTER_FLINK_REST_PORT", String.valueOf(rest));
        env.put("FW_CLUSTER_FLINK_RPC_PORT", String.valueOf(freePort()));
        env.put("FW_FLINK_LOG_LEVEL", "warn");
        env.put("FW_FLINK_CHECKPOINT_INTERVAL", "2s");
        env.put("FW_FLINK_TM_HEAP_MB", "256");
        env.put("FW_FLINK_TM_MANAGED_MB", "128");
        env.put("FW_FLINK_JM_HEAP_MB", "256");
        flink = new FlinkRestClient("http://127.0.0.1:" + rest, Duration.ofSeconds(30));
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
    void theJobRunsOnTheSessionClusterSubmittedOverRestAndRaisesAlerts() throws Exception {
        Result up = run("cluster", "up", "--parts", "influxdb,flink,stream-jobs");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("flink-jobmanager healthy", "flink-taskmanager-1 healthy",
                "flink-taskmanager-2 healthy", "fresh start", "stream-jobs healthy (job ");
        String jobId = jobId();
        // What the JobManager itself says: one job, this one, RUNNING, on both TaskManager processes, RocksDB state.
        JsonNode jobs = flink.jobs();
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).path("id").asText()).isEqualTo(jobId);
        assertThat(jobs.get(0).path("status").asText()).isEqualTo("RUNNING");
        assertThat(flink.registeredTaskManagers()).containsExactlyInAnyOrder("tm-1", "tm-2");
        assertThat(flink.get("/jobs/" + jobId + "/checkpoints/config").path("state_backend").asText())
                .containsIgnoringCase("rocksdb");
        assertThat(flink.taskManagersOf(jobId)).as("the job's tasks are spread over both TaskManagers")
                .containsExactlyInAnyOrder("tm-1", "tm-2");
        assertThat(flink.overview().path("taskmanagers").asInt()).isEqualTo(2);
        for (int n = 1; n <= 2; n++) {
            long tmPid = pid("flink-taskmanager-" + n);
            // /proc/PID/cmdline whole (ProcessHandle.Info cuts long command lines such as this classpath)
            List<String> cmdline = List.of(Files.readString(Path.of("/proc/" + tmPid + "/cmdline")).split("\0"));
            assertThat(cmdline).as("TaskManager %d is its own JVM", n)
                    .contains("org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "taskmanager.resource-id=tm-" + n);
        }

        produceTelnet(0, 5, BASE);
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(telnetOpened()).containsKeys("cam-0", "cam-1", "cam-2", "cam-3", "cam-4"));

        Result status = run("cluster", "status");
        assertThat(status.output()).containsPattern("flink-jobmanager\\s+\\d+\\s+\\S*healthy")
                .containsPattern("flink-taskmanager-1\\s+\\d+\\s+\\S*healthy")
                .containsPattern("flink-taskmanager-2\\s+\\d+\\s+\\S*healthy")
                .containsPattern("stream-jobs\\s+" + jobId.substring(0, 8) + "\\s+\\S*healthy")
                .contains("job " + jobId + " RUNNING", "last checkpoint #");
    }

    @Test
    @Order(4)
    void theJobSurvivesATaskManagerKilledWithKill9() throws Exception {
        String jobId = jobId();
        String victim = flink.taskManagersOf(jobId).iterator().next(); // tm-1 or tm-2, running a task of the job
        String part = "flink-taskmanager-" + victim.substring("tm-".length());
        long before = flink.completedCheckpoints(jobId);
        flink.awaitCompletedCheckpoints(jobId, before + 1, Duration.ofMinutes(2));
        long pid = pid(part);
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());

        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> flink.restoredCount(jobId) >= 1 && flink.allTasksRunning(jobId));
        assertThat(flink.checkpoints(jobId).path("latest").path("restored").path("is_savepoint").asBoolean())
                .as("restored from a checkpoint").isFalse();
        assertThat(flink.taskManagersOf(jobId)).doesNotContain(victim);
        assertThat(jobId()).as("the same job, restarted, not a new submission").isEqualTo(jobId);

        produceTelnet(5, 10, BASE + 600_000L);
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(telnetOpened()).containsKeys("cam-5", "cam-6", "cam-7", "cam-8", "cam-9"));
        assertThat(telnetOpened()).as("every device's alert opened exactly once across the kill")
                .hasSize(10).allSatisfy((device, opened) -> assertThat(opened).as(device).isEqualTo(1L));
        assertNoRevisionTwice(alerts());

        assertThat(run("cluster", "status").output()).containsPattern(part + "\\s+-\\s+stopped");
        Result up = run("cluster", "up", "--parts", "flink");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("flink-jobmanager already running", part + " healthy");
        assertThat(flink.registeredTaskManagers()).contains("tm-1", "tm-2");
    }

    @Test
    @Order(5)
    void downStopsTheJobWithASavepointAndUpResumesFromIt() throws Exception {
        String jobId = jobId();
        Result down = run("cluster", "down");
        assertThat(down.exit()).as(down.output()).isZero();
        assertThat(down.output()).contains("stopped stream-jobs (job " + jobId + ") with savepoint");
        String savepoint = Files.readString(home.resolve("flink/last-savepoint")).trim();
        assertThat(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")).isRegularFile();

        Result up = run("cluster", "up", "--parts", "influxdb,kafka,flink,stream-jobs");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("resuming from " + Path.of(java.net.URI.create(savepoint)), "stream-jobs healthy (job ");
        String resumed = jobId();
        assertThat(resumed).isNotEqualTo(jobId);
        JsonNode restored = flink.checkpoints(resumed).path("latest").path("restored");
        assertThat(restored.path("is_savepoint").asBoolean()).as("restored: %s", restored).isTrue();

        // Keyed state came back with the savepoint: Telnet still open on cam-0..9 opens no second alert, while a new
        // device's opens one.
        produceTelnet(0, 11, BASE + 1_200_000L);
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(telnetOpened()).containsKey("cam-10"));
        assertThat(telnetOpened()).hasSize(11).allSatisfy((device, opened) -> assertThat(opened).as(device).isEqualTo(1L));
        assertNoRevisionTwice(alerts());
    }

    @Test
    @Order(6)
    void clusterDownLeavesNothing() throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String part : List.of("kafka-1", "kafka-2", "kafka-3", "influxdb", "flink-jobmanager", "flink-taskmanager-1",
                "flink-taskmanager-2")) {
            pids.add(pid(part));
        }
        Result down = run("cluster", "down");
        assertThat(down.exit()).as(down.output()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(home.resolve("cluster-mode")).doesNotExist();
        assertThat(home.resolve("run/stream-jobs.job")).doesNotExist();
        assertThat(run("cluster", "status").exit()).as("status of a folder not in cluster mode").isNotZero();
    }

    // ---------------------------------------------------------------------------------------------

    private static long pid(String part) throws IOException {
        return Long.parseLong(Files.readString(home.resolve("run/" + part + ".pid")).trim());
    }

    private static String jobId() throws IOException {
        return FlinkRestClient.checkJobId(Files.readString(home.resolve("run/stream-jobs.job")).trim());
    }

    /** Telnet (port 23) appears on devices cam-{from}..cam-{to - 1}: three reports each, 30 s apart in event time. */
    private static void produceTelnet(int from, int to, long start) throws Exception {
        Properties p = new Properties();
        p.putAll(adminProps());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int step = 0; step < 3; step++) {
                for (int d = from; d < to; d++) {
                    long ts = start + step * 30_000L + d;
                    Telemetry t = Telemetry.newBuilder()
                            .setTenant(TENANT).setDeviceId("cam-" + d).setModel("cam-x1").setRegion("eu-west")
                            .setDeviceTime(Instant.ofEpochMilli(ts)).setReceivedAt(Instant.ofEpochMilli(ts + 20))
                            .setFirmwareVersion("2.4.1").setFirmwareImageHash("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
                            .setUptimeSeconds(86_400).setCpuPercent(12.5).setMemoryPercent(41.0).setIntervalSeconds(30)
                            .setBytesIn(12_000).setBytesOut(300_000).setPacketsIn(90).setPacketsOut(160)
                            .setListeningPorts(List.of(80, 23))
                            .setConnections(List.of(new NetworkConnection("203.0.0.1", 443, "tcp")))
                            .setUpdate(new UpdateStatus(UpdateState.IDLE, null, 0, null))
                            .setBroker(BrokerContext.newBuilder().setBrokerId("local-1").setSourceAddress("198.51.100.7")
                                    .setSourcePort(50432).setTlsProtocol("TLSv1.3").setTlsCipher("TLS_AES_128_GCM_SHA256")
                                    .setCertificateNotAfter(Instant.ofEpochMilli(BASE + 365 * 86_400_000L)).setMqttVersion("V_5").build())
                            .setQuarantined(false).build();
                    producer.send(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of(TENANT, t.getDeviceId()).getBytes(StandardCharsets.UTF_8),
                            Codecs.TELEMETRY.encode(t))).get(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Every alert of this test's tenant on fleet.alerts, read_committed (exactly-once alerts appear at checkpoints). */
    private static List<Alert> alerts() {
        Properties p = new Properties();
        p.putAll(adminProps());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<Alert> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ALERTS, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Alert a = Codecs.ALERT.tryDecode(r.value()).value();
                    if (a != null && TENANT.equals(a.getTenant())) {
                        out.add(a);
                    }
                }
            }
        }
        return out;
    }

    /** Per device, how many CMP-NET-001 (Telnet listening) alerts were opened (revision 1). */
    private static Map<String, Long> telnetOpened() {
        Map<String, Long> opened = new TreeMap<>();
        alerts().stream().filter(a -> a.getRuleId().equals("CMP-NET-001") && a.getRevision() == 1)
                .forEach(a -> opened.merge(a.getDeviceId(), 1L, Long::sum));
        return opened;
    }

    private static void assertNoRevisionTwice(List<Alert> alerts) {
        Set<String> seen = new HashSet<>();
        for (Alert a : alerts) {
            assertThat(seen.add(a.getAlertId() + "#" + a.getRevision())).as("duplicate revision %s", a).isTrue();
        }
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
