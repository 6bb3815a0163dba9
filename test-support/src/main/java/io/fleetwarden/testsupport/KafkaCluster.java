package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.fleetwarden.model.Topics;

/**
 * A real three-node (by default) KRaft Kafka cluster, each node its own JVM process started from the Kafka
 * jars on this JVM's classpath ({@code kafka.Kafka server.properties}), so a node can be killed with
 * {@code SIGKILL} ({@link #kill(int)}) and started again on the same ports and data ({@link #restart(int)}).
 *
 * <p>Every node is a combined broker and controller; the three controllers form a static quorum
 * ({@code controller.quorum.voters}), so the cluster keeps a metadata leader and accepts writes with one
 * node down. Defaults are those of a production cluster: replication factor 3 and
 * {@code min.insync.replicas=2} for every topic (the event model's {@link Topics#ALL} by default, created
 * with their partition counts and configs) and for the internal offsets and transaction topics, no topic
 * auto-creation. Failure detection is fast for tests: a node that stops heart-beating is fenced after
 * {@code broker.session.timeout.ms} = 6 s, which also drops it from every ISR, so {@code acks=all}
 * producers stall for at most that long after a {@code kill -9}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaCluster KAFKA = KafkaCluster.builder().build();   // 3 nodes, Topics.ALL at RF 3
 * ...
 * KAFKA.kill(2);        // kill -9 node 2
 * KAFKA.restart(2);     // same ports, same data
 * }</pre>
 *
 * <p>Output of each node goes to {@code node-N/server.log} in the cluster's folder, which is deleted on
 * {@link #close()} unless the system property {@code fleetwarden.kafka-cluster.keep} is {@code true}.
 * A JVM shutdown hook kills the nodes if {@code afterAll} never runs.
 */
public final class KafkaCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable, KafkaEndpoint {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(300);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level %logger - %msg%n</pattern></encoder>
              </appender>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private final int size;
    private final int replicationFactor;
    private final int minInsyncReplicas;
    private final List<TopicSpecification> topics;
    private final Map<String, String> brokerProperties;
    private final String heap;
    private final List<String> jvmOptions;

    private final List<Node> nodes = new ArrayList<>();
    private Path directory;
    private Admin admin;
    private Thread shutdownHook;

    private KafkaCluster(Builder b) {
        this.size = b.size;
        this.replicationFactor = b.replicationFactor == 0 ? Math.min(3, b.size) : b.replicationFactor;
        this.minInsyncReplicas = b.minInsyncReplicas == 0 ? Math.max(1, replicationFactor - 1) : b.minInsyncReplicas;
        this.topics = List.copyOf(b.topics == null ? fromEventModel() : b.topics);
        this.brokerProperties = Map.copyOf(b.brokerProperties);
        this.heap = b.heap;
        this.jvmOptions = List.copyOf(b.jvmOptions);
        if (replicationFactor > size || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " and min.insync.replicas "
                    + minInsyncReplicas + " do not fit " + size + " nodes");
        }
    }

    /** @return a builder: 3 nodes, the topics of {@link Topics#ALL}, RF 3, {@code min.insync.replicas=2} */
    public static Builder builder() {
        return new Builder();
    }

    private static List<TopicSpecification> fromEventModel() {
        return Topics.ALL.stream().map(t -> new TopicSpecification(t.name(), t.partitions(), t.configs())).toList();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /**
     * Formats every node's storage with one cluster id, starts all nodes, waits until every broker is
     * registered and creates the topics (waiting until each partition has its full ISR).
     *
     * @throws Exception when a node does not start; the message carries the end of its log
     */
    public synchronized void start() throws Exception {
        if (!nodes.isEmpty()) {
            return;
        }
        directory = Files.createTempDirectory("fw-kafka-cluster-");
        String clusterId = randomClusterId();
        for (int id = 1; id <= size; id++) {
            nodes.add(new Node(id, Ports.freePort(), Ports.freePort(), directory.resolve("node-" + id)));
        }
        String voters = nodes.stream().map(n -> n.id + "@127.0.0.1:" + n.controllerPort).collect(Collectors.joining(","));
        // Whatever SLF4J binding the test classpath brings (slf4j-simple here, logback next to HiveMQ), the nodes log
        // at INFO: logback's default without a file is DEBUG to the console, far too much for three brokers.
        Files.writeString(directory.resolve("logback.xml"), LOGBACK, StandardCharsets.UTF_8);
        for (Node n : nodes) {
            Files.createDirectories(n.dir.resolve("data"));
            Files.writeString(n.dir.resolve("server.properties"), serverProperties(n, voters), StandardCharsets.UTF_8);
        }
        shutdownHook = new Thread(() -> nodes.forEach(n -> n.kill()), "kafka-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // format all nodes in parallel (one JVM start each)
        List<Process> formats = new ArrayList<>();
        for (Node n : nodes) {
            formats.add(java(n.dir.resolve("format.log"), List.of("-XX:TieredStopAtLevel=1"), "kafka.tools.StorageTool", "format", "-t", clusterId,
                    "-c", n.dir.resolve("server.properties").toString(), "--ignore-formatted"));
        }
        for (int i = 0; i < formats.size(); i++) {
            Process p = formats.get(i);
            if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting node " + nodes.get(i).id + " failed:\n"
                        + tail(nodes.get(i).dir.resolve("format.log")));
            }
        }
        for (Node n : nodes) {
            n.start();
        }
        admin = Admin.create(adminProps());
        awaitBrokers(size, START_TIMEOUT);
        createTopics(topics);
    }

    /** Closes the admin client, kills every node and deletes the folder (unless asked to keep it). */
    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
        nodes.forEach(Node::stop);
        nodes.clear();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
            shutdownHook = null;
        }
        if (directory != null && !Boolean.getBoolean("fleetwarden.kafka-cluster.keep")) {
            deleteRecursively(directory);
        }
        directory = null;
    }

    // ----------------------------------------------------------------------------------------
    // Failures

    /**
     * {@code kill -9} of one node: no shutdown, no flush, no controlled leader move.
     *
     * @param nodeId 1..size
     */
    public synchronized void kill(int nodeId) {
        node(nodeId).kill();
    }

    /**
     * A clean stop (SIGTERM: controlled shutdown, leaders moved first), waiting for the process to end.
     *
     * @param nodeId 1..size
     */
    public synchronized void stop(int nodeId) {
        node(nodeId).stop();
    }

    /**
     * Starts a stopped or killed node again with its ports and data, and waits until it is registered and
     * back in the ISR of every partition of the cluster's topics.
     *
     * @param nodeId 1..size
     * @throws Exception when it does not come back in time
     */
    public void restart(int nodeId) throws Exception {
        synchronized (this) {
            Node n = node(nodeId);
            if (n.isRunning()) {
                throw new IllegalStateException("node " + nodeId + " is running");
            }
            n.start();
        }
        awaitBrokers(size, START_TIMEOUT);
        awaitFullIsr(START_TIMEOUT);
    }

    /** @return whether the node's process is alive */
    public synchronized boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /** @return the node's OS process id (while it runs) */
    public synchronized long pid(int nodeId) {
        Process p = node(nodeId).process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        return p.pid();
    }

    /** @return the node currently leading the given partition, or -1 when it has none */
    public int leaderOf(String topic, int partition) throws Exception {
        TopicDescription d = admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        var leader = d.partitions().get(partition).leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /** @return the ISR node ids of each partition of a topic, by partition */
    public Map<Integer, List<Integer>> isr(String topic) throws Exception {
        TopicDescription d = admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            out.put(p.partition(), p.isr().stream().map(org.apache.kafka.common.Node::id).sorted().toList());
        }
        return out;
    }

    /** Waits until every partition of every topic of this cluster has all its replicas in sync. */
    public void awaitFullIsr(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> names = topics.stream().map(TopicSpecification::name).toList();
        while (true) {
            boolean full;
            try {
                Map<String, TopicDescription> all = admin().describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                full = all.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty() && p.isr().size() == p.replicas().size());
            } catch (ExecutionException | TimeoutException e) {
                full = false; // metadata of a just-created topic or a restarted node not everywhere yet
            }
            if (full) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions not fully in sync after " + timeout);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    // ----------------------------------------------------------------------------------------
    // Client side

    /** @return {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3} (all nodes, running or not) */
    public synchronized String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.brokerPort).collect(Collectors.joining(","));
    }

    /** @return the client port of one node */
    public synchronized int port(int nodeId) {
        return node(nodeId).brokerPort;
    }

    /** @return the folder holding each node's config, data and {@code server.log} */
    public synchronized Path directory() {
        return directory;
    }

    /** @return the replication factor of the cluster's topics */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** @return the shared admin client (do not close it) */
    public synchronized Admin admin() {
        if (admin == null) {
            throw new IllegalStateException("cluster not started");
        }
        return admin;
    }

    /** @return fresh admin client settings */
    public Map<String, Object> adminProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        // while the nodes start (minutes on a loaded machine) the defaults retry and log in a tight loop
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 500);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 500);
        return p;
    }

    /**
     * Producer settings for a cluster: String serializers, {@code acks=all}, idempotence, retries until
     * {@code delivery.timeout.ms} (2 min, longer than any fail-over here).
     */
    public Map<String, Object> producerProps() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return p;
    }

    /** Consumer settings: String deserializers, earliest, {@code read_committed}. */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** Reads a topic from the beginning as Strings; see {@link #consume(String, int, Duration, Deserializer, Deserializer)}. */
    public List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout) {
        return consume(topic, count, timeout, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Reads all partitions of a topic from the beginning ({@code read_committed}, no group) until
     * {@code count} records arrived or the timeout passed; returns what it read so the assertion shows it.
     */
    public <K, V> List<ConsumerRecord<K, V>> consume(String topic, int count, Duration timeout,
                                                     Deserializer<K> keys, Deserializer<V> values) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> assignment = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            while (records.size() < count && System.nanoTime() < deadline) {
                ConsumerRecords<K, V> batch = consumer.poll(POLL_INTERVAL);
                batch.forEach(records::add);
            }
        }
        return records;
    }

    /** Creates topics at the cluster's replication factor and min ISR (existing ones are left alone). */
    public void createTopics(Collection<TopicSpecification> specs) throws Exception {
        List<NewTopic> wanted = new ArrayList<>();
        for (TopicSpecification s : specs) {
            Map<String, String> configs = new HashMap<>(s.configs());
            configs.putIfAbsent("min.insync.replicas", Integer.toString(minInsyncReplicas));
            wanted.add(new NewTopic(s.name(), s.partitions(), (short) replicationFactor).configs(configs));
        }
        for (NewTopic t : wanted) {
            try {
                admin().createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        awaitFullIsr(START_TIMEOUT);
    }

    // ----------------------------------------------------------------------------------------
    // Internals

    private Node node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no node " + nodeId + " (nodes 1.." + nodes.size() + ")");
        }
        return nodes.get(nodeId - 1);
    }

    private void awaitBrokers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (Node n : nodes) {
                if (n.process != null && !n.process.isAlive() && !n.killed) {
                    throw new IllegalStateException("node " + n.id + " exited with " + n.process.exitValue() + ":\n"
                            + tail(n.dir.resolve("server.log")));
                }
            }
            try {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new TimeoutException("fewer than " + count + " brokers registered after " + timeout
                + (last == null ? "" : " (" + last + ")") + "; last log lines:\n"
                + nodes.stream().map(n -> "node " + n.id + ":\n" + tail(n.dir.resolve("server.log"))).collect(Collectors.joining("\n")));
    }

    private String serverProperties(Node n, String voters) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(n.id));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + n.brokerPort + ",CONTROLLER://127.0.0.1:" + n.controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + n.brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", n.dir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", Integer.toString(replicationFactor));
        p.put("min.insync.replicas", Integer.toString(minInsyncReplicas));
        p.put("offsets.topic.replication.factor", Integer.toString(replicationFactor));
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", Integer.toString(replicationFactor));
        p.put("transaction.state.log.min.isr", Integer.toString(minInsyncReplicas));
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicationFactor));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(minInsyncReplicas));
        p.put("transaction.max.timeout.ms", "900000");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("unclean.leader.election.enable", "false");
        // Failure detection: a killed node is fenced (and dropped from every ISR) after 6 s. The quorum
        // timeouts are raised over the defaults (fetch 2 s, election 1 s) so that a starved JVM on a loaded
        // machine is not taken for a dead one, which made the metadata leader move over and over at start.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "6000");
        p.put("controller.quorum.fetch.timeout.ms", "8000");
        p.put("controller.quorum.election.timeout.ms", "3000");
        p.put("replica.lag.time.max.ms", "10000");
        p.put("log.segment.bytes", Integer.toString(64 << 20));
        p.putAll(brokerProperties);
        StringBuilder sb = new StringBuilder("# generated by io.fleetwarden.testsupport.KafkaCluster\n");
        p.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    private Process java(Path log, List<String> extraOptions, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms64m");
        cmd.add("-Xmx" + heap);
        cmd.addAll(jvmOptions);
        cmd.addAll(extraOptions);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-Dlogback.configurationFile=" + directory.resolve("logback.xml"));
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /**
     * A cluster id as {@code kafka-storage random-uuid} makes it: Kafka's own {@link org.apache.kafka.common.Uuid}, which
     * never starts with '-' (a plain base64url UUID does one time in 64, and the storage tool then reads it as an option).
     */
    static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final class Node {
        final int id;
        final int brokerPort;
        final int controllerPort;
        final Path dir;
        volatile Process process;
        volatile boolean killed;

        Node(int id, int brokerPort, int controllerPort, Path dir) {
            this.id = id;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }

        void start() throws IOException {
            killed = false;
            process = java(dir.resolve("server.log"), List.of(), "kafka.Kafka", dir.resolve("server.properties").toString());
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }

        void kill() {
            Process p = process;
            if (p != null && p.isAlive()) {
                killed = true;
                p.destroyForcibly(); // SIGKILL on Linux
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void stop() {
            Process p = process;
            if (p != null && p.isAlive()) {
                killed = true;
                p.destroy();
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
        }
    }

    /**
     * A topic of the cluster: name, partitions and topic configs; created at the cluster's replication factor.
     *
     * @param name       topic name
     * @param partitions partition count
     * @param configs    topic configs ({@code min.insync.replicas} defaults to the cluster's)
     */
    public record TopicSpecification(String name, int partitions, Map<String, String> configs) {
        public TopicSpecification {
            Objects.requireNonNull(name, "name");
            configs = Map.copyOf(configs);
        }
    }

    /** Builder for {@link KafkaCluster}. */
    public static final class Builder {
        private int size = 3;
        private int replicationFactor;
        private int minInsyncReplicas;
        private List<TopicSpecification> topics;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private String heap = "384m";
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC"));

        private Builder() {
        }

        /** Number of nodes (default 3). */
        public Builder nodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("nodes must be >= 1");
            }
            this.size = count;
            return this;
        }

        /** Replication factor of every topic (default min(3, nodes)). */
        public Builder replicationFactor(int rf) {
            this.replicationFactor = rf;
            return this;
        }

        /** {@code min.insync.replicas} of every topic (default replication factor - 1, at least 1). */
        public Builder minInsyncReplicas(int min) {
            this.minInsyncReplicas = min;
            return this;
        }

        /** Topics to create instead of {@link Topics#ALL}. */
        public Builder topics(Collection<TopicSpecification> specs) {
            this.topics = List.copyOf(specs);
            return this;
        }

        /** The event model's topics with these names only (their partitions and configs). */
        public Builder eventModelTopics(String... names) {
            Set<String> wanted = Set.of(names);
            this.topics = fromEventModel().stream().filter(t -> wanted.contains(t.name())).toList();
            if (topics.size() != wanted.size()) {
                throw new IllegalArgumentException("unknown topic among " + wanted);
            }
            return this;
        }

        /** One more {@code server.properties} entry for every node. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /** Maximum heap per node (default 384m). */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** Extra JVM options per node (default {@code -XX:+UseSerialGC}); replaces the defaults. */
        public Builder jvmOptions(String... options) {
            jvmOptions.clear();
            jvmOptions.addAll(List.of(options));
            return this;
        }

        public KafkaCluster build() {
            return new KafkaCluster(this);
        }
    }
}
