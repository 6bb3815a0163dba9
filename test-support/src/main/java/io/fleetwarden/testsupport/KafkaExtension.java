package io.fleetwarden.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import kafka.server.BrokerServer;

/**
 * A real single-node KRaft Kafka broker running in the test JVM, one per test class.
 *
 * <p>Built on Kafka's own {@link KafkaClusterTestKit} in combined mode (one process that is both
 * controller and broker), with replication factors and minimum ISR of 1 for every internal topic,
 * so transactions and consumer groups work. Startup takes a few seconds.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaExtension KAFKA = KafkaExtension.builder()
 *         .topic("fleet.telemetry", 3)
 *         .topic(TopicSpec.compacted("fleet.device-controls"))
 *         .build();
 *
 * @Test
 * void roundTrip() {
 *     KAFKA.produce("fleet.telemetry", "dev-1", "{}");
 *     assertThat(KAFKA.consume("fleet.telemetry", 1, Duration.ofSeconds(10))).hasSize(1);
 * }
 * }</pre>
 *
 * <p>Register it on a {@code static} field: it starts in {@code beforeAll} and stops in
 * {@code afterAll} of the class that registered it (nested classes share it). It can also be used
 * without JUnit through {@link #start()} and {@link #close()}.
 *
 * <p>{@link #stop()} and {@link #restart()} take the broker down and up again on the same port
 * with its data kept, for outage tests. Only the broker role stops; the KRaft controller in the
 * same node keeps running, which is invisible to clients (they only know the broker listener).
 *
 * <p>Topics are not created automatically ({@code auto.create.topics.enable=false}), so a typo in
 * a topic name fails fast instead of silently creating a topic; override with
 * {@link Builder#brokerProperty(String, String)} if a test needs it.
 *
 * <p>Thread-safe: the lifecycle methods are synchronized; the client helpers may be called
 * concurrently.
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable, KafkaEndpoint {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final List<TopicSpec> initialTopics;
    private final Map<String, String> brokerProperties;
    private final Map<String, Object> clientProperties;
    private final SecurityProtocol securityProtocol;

    private KafkaClusterTestKit cluster;
    private Admin admin;
    private String bootstrapServers;
    private String ownerContextId;
    private boolean brokerRunning;
    private Duration lastStartup = Duration.ZERO;

    private KafkaExtension(Builder builder) {
        this.initialTopics = List.copyOf(builder.topics.values());
        this.brokerProperties = Map.copyOf(builder.brokerProperties);
        this.clientProperties = Map.copyOf(builder.clientProperties);
        this.securityProtocol = builder.securityProtocol;
    }

    /**
     * A broker with the given single-partition topics created before the first test.
     *
     * @param topics topic names
     * @return the extension, to be stored in a {@code static} {@code @RegisterExtension} field
     */
    public static KafkaExtension withTopics(String... topics) {
        Builder builder = builder();
        Arrays.stream(topics).forEach(builder::topic);
        return builder.build();
    }

    /**
     * A broker with the given topics created before the first test.
     *
     * @param topics topic specs
     * @return the extension, to be stored in a {@code static} {@code @RegisterExtension} field
     */
    public static KafkaExtension withTopics(TopicSpec... topics) {
        Builder builder = builder();
        Arrays.stream(topics).forEach(builder::topic);
        return builder.build();
    }

    /** @return a builder for topics and broker properties */
    public static Builder builder() {
        return new Builder();
    }

    // ----------------------------------------------------------------------------------------
    // JUnit lifecycle

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws Exception {
        if (cluster == null) {
            start();
            ownerContextId = context.getUniqueId();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        if (context.getUniqueId().equals(ownerContextId)) {
            close();
        }
    }

    // ----------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Formats a fresh storage folder, starts the broker, waits until it is ready and creates the
     * configured topics. Does nothing if already started.
     *
     * @throws Exception if the broker cannot start
     */
    public synchronized void start() throws Exception {
        if (cluster != null) {
            return;
        }
        long began = System.nanoTime();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                // The test kit defaults to the newest, still unstable metadata version.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        defaultBrokerProperties().forEach(builder::setConfigProp);
        if (securityProtocol != SecurityProtocol.PLAINTEXT) {
            // The test kit itself only knows PLAINTEXT and SASL_PLAINTEXT listeners: remap its two.
            builder.setConfigProp("listener.security.protocol.map", nodes.brokerListenerName().value() + ":"
                    + securityProtocol.name + "," + nodes.controllerListenerName().value() + ":" + securityProtocol.name);
        }
        brokerProperties.forEach(builder::setConfigProp);
        KafkaClusterTestKit kit = builder.build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            cluster = kit;
            brokerRunning = true;
            bootstrapServers = kit.bootstrapServers();
            admin = Admin.create(adminProps());
            createTopics(initialTopics);
        } catch (Exception | Error e) {
            cluster = null;
            brokerRunning = false;
            closeQuietly(admin);
            admin = null;
            closeQuietly(kit);
            throw e;
        }
        lastStartup = Duration.ofNanos(System.nanoTime() - began);
    }

    /**
     * Stops the broker and deletes its data. Safe to call more than once.
     */
    @Override
    public synchronized void close() {
        closeQuietly(admin);
        admin = null;
        closeQuietly(cluster);
        cluster = null;
        brokerRunning = false;
        ownerContextId = null;
    }

    /**
     * Shuts the broker down, keeping its data and its port reserved, to simulate an outage.
     * Clients see connection refusals until {@link #restart()}.
     */
    public synchronized void stop() {
        BrokerServer broker = broker();
        if (brokerRunning) {
            broker.shutdown();
            broker.awaitShutdown();
            brokerRunning = false;
        }
    }

    /**
     * Starts the broker again after {@link #stop()} on the same port with the same data, and
     * waits until it is registered and all existing topics have leaders again.
     *
     * @throws Exception if the broker does not come back
     */
    public synchronized void restart() throws Exception {
        BrokerServer broker = broker();
        if (brokerRunning) {
            return;
        }
        broker.startup();
        brokerRunning = true;
        cluster.waitForReadyBrokers();
        awaitTopicsReady(admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** @return whether the broker is started and not stopped */
    public synchronized boolean isRunning() {
        return cluster != null && brokerRunning;
    }

    /** @return how long {@link #start()} took until the broker was ready and topics were created */
    public synchronized Duration startupTime() {
        return lastStartup;
    }

    // ----------------------------------------------------------------------------------------
    // Connection details

    /**
     * @return the {@code bootstrap.servers} value, e.g. {@code localhost:40123}; stable across
     *         {@link #stop()}/{@link #restart()}
     */
    public synchronized String bootstrapServers() {
        requireStarted();
        return bootstrapServers;
    }

    /** @return the broker's client port */
    public int port() {
        String servers = bootstrapServers();
        return Integer.parseInt(servers.substring(servers.lastIndexOf(':') + 1));
    }

    /**
     * The extension's own admin client; do not close it.
     *
     * @return the shared admin client
     */
    public synchronized Admin admin() {
        requireStarted();
        return admin;
    }

    /** @return a new mutable map with {@code bootstrap.servers} and short admin timeouts */
    public Map<String, Object> adminProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        props.putAll(clientProperties);
        return props;
    }

    /**
     * Producer settings: bootstrap servers, {@code String} key and value serializers,
     * {@code acks=all} and idempotence. A new mutable map each call, so tests may change it.
     *
     * @return producer properties
     */
    public Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putAll(clientProperties);
        return props;
    }

    /**
     * Consumer settings: bootstrap servers, the group, {@code String} key and value deserializers,
     * {@code auto.offset.reset=earliest}. A new mutable map each call.
     *
     * @param groupId consumer group id
     * @return consumer properties
     */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(clientProperties);
        return props;
    }

    // ----------------------------------------------------------------------------------------
    // Topics

    /**
     * Creates a single-partition topic and waits until it has a leader.
     *
     * @param name topic name
     */
    public void createTopic(String name) {
        createTopic(TopicSpec.of(name));
    }

    /**
     * Creates a topic and waits until it has a leader.
     *
     * @param spec topic spec
     */
    public void createTopic(TopicSpec spec) {
        createTopics(List.of(spec));
    }

    /**
     * Creates topics and waits until every partition has a leader. Topics that already exist are
     * left as they are.
     *
     * @param specs topic specs
     */
    public void createTopics(Collection<TopicSpec> specs) {
        if (specs.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = specs.stream()
                .map(s -> new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.configs()))
                .toList();
        try {
            admin().createTopics(newTopics).values().forEach((name, future) -> {
                try {
                    future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + name, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while creating topic " + name, e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Timed out creating topic " + name, e);
                }
            });
            awaitTopicsReady(specs.stream().map(TopicSpec::name).collect(Collectors.toSet()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topics", e);
        }
    }

    /**
     * The topic's effective configuration as the broker reports it (explicit and default values).
     *
     * @param topic topic name
     * @return config name to value
     */
    public Map<String, String> topicConfig(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin().describeConfigs(List.of(resource)).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            Map<String, String> values = new LinkedHashMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.value() != null) {
                    values.put(entry.name(), entry.value());
                }
            }
            return values;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topic " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot describe topic " + topic, e);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Records

    /**
     * Sends one record with {@code String} key and value and waits for the acknowledgement.
     * Opens and closes a producer per call: fine for a handful of records; use
     * {@link #producerProps()} with your own producer for many.
     *
     * @param topic topic name
     * @param key   record key, may be {@code null}
     * @param value record value, may be {@code null}
     * @return where the record was written
     */
    public RecordMetadata produce(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while producing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot produce to " + topic, e.getCause());
        }
    }

    /**
     * Reads a topic from the beginning with {@code String} keys and values; see
     * {@link #consume(String, int, Duration, Deserializer, Deserializer)}.
     *
     * @param topic   topic name
     * @param count   number of records to wait for
     * @param timeout how long to wait at most
     * @return the records read, in partition order, possibly fewer than {@code count}
     */
    public List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout) {
        return consume(topic, count, timeout, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Reads all partitions of a topic from the beginning until at least {@code count} records
     * arrived or the timeout passed, whichever is first. Uses manual assignment (no consumer
     * group, no committed offsets) and {@code isolation.level=read_committed}, so records of
     * aborted or still open transactions are not returned.
     *
     * <p>It returns what it read rather than failing, so that the test's assertion shows the
     * records. It can return more than {@code count} records when they arrive in the same poll.
     *
     * @param topic             topic name; must exist
     * @param count             number of records to wait for
     * @param timeout           how long to wait at most
     * @param keyDeserializer   key deserializer
     * @param valueDeserializer value deserializer
     * @param <K>               key type
     * @param <V>               value type
     * @return the records read
     */
    public <K, V> List<ConsumerRecord<K, V>> consume(String topic, int count, Duration timeout,
                                                     Deserializer<K> keyDeserializer,
                                                     Deserializer<V> valueDeserializer) {
        Objects.requireNonNull(topic, "topic");
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keyDeserializer, valueDeserializer)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, remaining(deadline));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalArgumentException("Topic " + topic + " does not exist");
            }
            List<TopicPartition> assignment = partitions.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);
            while (records.size() < count) {
                Duration left = remaining(deadline);
                if (left.isZero()) {
                    break;
                }
                ConsumerRecords<K, V> batch = consumer.poll(min(left, POLL_INTERVAL));
                batch.forEach(records::add);
            }
        }
        return records;
    }

    // ----------------------------------------------------------------------------------------
    // Internals

    private static Map<String, String> defaultBrokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("num.partitions", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // A restarted broker is only accepted once its previous session expired: keep it short.
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("broker.session.timeout.ms", "3000");
        props.put("auto.create.topics.enable", "false");
        // Behave like a released broker, not like Kafka's own development tests.
        props.put("unstable.api.versions.enable", "false");
        props.put("unstable.feature.versions.enable", "false");
        return props;
    }

    private void awaitTopicsReady(Set<String> topics) throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> descriptions = admin().describeTopics(topics).allTopicNames()
                        .get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready && descriptions.keySet().containsAll(topics)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new IllegalStateException("Topics " + topics + " did not get leaders within " + ADMIN_TIMEOUT, last);
    }

    private BrokerServer broker() {
        requireStarted();
        return cluster.brokers().values().iterator().next();
    }

    private synchronized void requireStarted() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "Kafka is not started: register KafkaExtension on a static @RegisterExtension field or call start()");
        }
    }

    private static Duration remaining(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Best effort: a failing shutdown must not hide the test's own result.
        }
    }

    /** Configures the topics and broker properties of a {@link KafkaExtension}. */
    public static final class Builder {
        private final Map<String, TopicSpec> topics = new LinkedHashMap<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, Object> clientProperties = new LinkedHashMap<>();
        private SecurityProtocol securityProtocol = SecurityProtocol.PLAINTEXT;

        private Builder() {
        }

        /**
         * Adds a single-partition topic.
         *
         * @param name topic name
         * @return this builder
         */
        public Builder topic(String name) {
            return topic(TopicSpec.of(name));
        }

        /**
         * Adds a topic with {@code partitions} partitions.
         *
         * @param name       topic name
         * @param partitions partition count
         * @return this builder
         */
        public Builder topic(String name, int partitions) {
            return topic(TopicSpec.of(name).withPartitions(partitions));
        }

        /**
         * Adds a topic; a later spec with the same name replaces an earlier one.
         *
         * @param spec topic spec
         * @return this builder
         */
        public Builder topic(TopicSpec spec) {
            topics.put(spec.name(), spec);
            return this;
        }

        /**
         * Adds topics.
         *
         * @param specs topic specs
         * @return this builder
         */
        public Builder topics(Collection<TopicSpec> specs) {
            specs.forEach(this::topic);
            return this;
        }

        /**
         * Sets a broker property, overriding this extension's defaults, e.g.
         * {@code transaction.max.timeout.ms}.
         *
         * @param key   broker config name
         * @param value value
         * @return this builder
         */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The security protocol of the client listener and of the controller listener (so the
         * broker's own requests to the controller authenticate too); {@code PLAINTEXT} unless set.
         * The TLS or SASL settings themselves are {@link #brokerProperty broker properties}
         * ({@code ssl.keystore.location}, {@code ssl.client.auth}, {@code authorizer.class.name},
         * {@code super.users}, ...).
         *
         * @param protocol the listeners' security protocol
         * @return this builder
         */
        public Builder securityProtocol(SecurityProtocol protocol) {
            this.securityProtocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /**
         * Adds a client setting to {@link #adminProps()}, {@link #producerProps()} and
         * {@link #consumerProps(String)}, so the extension's own clients (topic creation and the
         * helpers) can reach a secured broker, e.g. as a super user.
         *
         * @param key   client config name
         * @param value value
         * @return this builder
         */
        public Builder clientProperty(String key, Object value) {
            clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @return the extension */
        public KafkaExtension build() {
            return new KafkaExtension(this);
        }
    }
}
