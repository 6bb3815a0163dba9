package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.fleetwarden.model.Topics;
import io.fleetwarden.model.kafka.CompactedTopicReader;
import io.fleetwarden.model.kafka.KafkaClientSecurity;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/**
 * Kafka secured as shipped: a real KRaft broker with a mutual-TLS listener and the
 * {@code StandardAuthorizer}, carrying exactly the ACLs of the {@code KafkaUser} resources in
 * {@code deploy/k8s/base/kafka-users.yaml}. Each component authenticates with its own certificate
 * (principal {@code User:CN=<KafkaUser name>}, as Strimzi issues them) through
 * {@link KafkaClientSecurity}; the control plane alone writes {@code fleet.device-controls}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaAclIT {

    private static final Path USERS = Path.of("k8s", "base", "kafka-users.yaml");
    private static final TestPki PKI = TestPki.create("fleetwarden");
    private static final Path DIR;
    /** Cluster administrator: creates the ACLs, and the broker's own identity. */
    private static final String ADMIN = "fleetwarden-admin";

    static {
        try {
            DIR = Files.createTempDirectory("kafka-acl-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Path CA = PKI.writeCaPem(DIR);
    private static final Path SERVER = keystore("localhost", PKI.device("localhost")
            .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)
            .subjectAlternativeName(new GeneralName(GeneralName.dNSName, "localhost"))
            .subjectAlternativeName(new GeneralName(GeneralName.iPAddress, "127.0.0.1"))
            .issue());

    @RegisterExtension
    static final KafkaExtension KAFKA = secured(KafkaExtension.builder()
            .securityProtocol(SecurityProtocol.SSL)
            .brokerProperty("ssl.keystore.type", "PEM")
            .brokerProperty("ssl.keystore.location", SERVER.toString())
            .brokerProperty("ssl.truststore.type", "PEM")
            .brokerProperty("ssl.truststore.location", CA.toString())
            .brokerProperty("ssl.client.auth", "required")
            .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
            // the node's own certificate (broker to controller) and the cluster administrator
            .brokerProperty("super.users", "User:CN=localhost;User:CN=" + ADMIN)
            .brokerProperty("allow.everyone.if.no.acl.found", "false"));

    private static KafkaExtension secured(KafkaExtension.Builder b) {
        security(ADMIN).clientProperties().forEach(b::clientProperty);
        return b.build();
    }

    @BeforeAll
    static void applyTheShippedAcls() throws Exception {
        List<AclBinding> acls = aclsOf(USERS);
        assertThat(acls).as("ACLs in " + USERS).hasSizeGreaterThan(10);
        KAFKA.admin().createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void clearSystemProperties() {
        for (String name : List.of(KafkaClientSecurity.PROTOCOL, KafkaClientSecurity.TRUSTSTORE, KafkaClientSecurity.KEYSTORE)) {
            System.clearProperty(name);
        }
    }

    @Test
    @Order(1)
    void theOpsPrincipalCreatesEveryTopicWithTheTopicInitializer() throws Exception {
        configureProcessAs("fleetwarden-ops");
        int exit = TopicInitializer.run(TopicInitializer.Options.parse(new String[] {"--bootstrap", KAFKA.bootstrapServers(),
                "--replication", "1", "--max-partitions", "1", "--wait-seconds", "30"}));
        assertThat(exit).isZero();
        assertThat(KAFKA.admin().listTopics().names().get(30, TimeUnit.SECONDS))
                .containsAll(Topics.ALL.stream().map(s -> s.name()).toList());
    }

    @Test
    @Order(2)
    void theControlPlaneWritesControlsAndTheBrokersControlsReaderReadsThem() throws Exception {
        try (KafkaProducer<String, String> dashboard = producer("fleetwarden-dashboard-api")) {
            dashboard.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, "acme/dev-1", "quarantine")).get(30, TimeUnit.SECONDS);
        }
        // the broker extension's controls reader, configured only through the process's Kafka security options
        configureProcessAs("fleetwarden-broker");
        List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "fleetwarden-broker-controls-it")
                .on(Topics.DEVICE_CONTROLS, seen::add).build()) {
            reader.start();
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(60))).as("caught up on " + Topics.DEVICE_CONTROLS).isTrue();
        }
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("acme/dev-1"));
    }

    @Test
    @Order(3)
    void theBrokerMayNotWriteControls() {
        try (KafkaProducer<String, String> broker = producer("fleetwarden-broker")) {
            assertThatThrownBy(() -> broker.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, "acme/dev-1", "release"))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            // nor the device registry it enforces
            assertThat(sendQuietly(broker, Topics.DEVICE_REGISTRY)).isInstanceOf(TopicAuthorizationException.class);
            // while its own topics are open to it
            assertThat(sendQuietly(broker, Topics.TELEMETRY)).isNull();
        }
    }

    /**
     * Strimzi's form for a KafkaUser: a PKCS#12 key store and its password in a file. The password
     * reaches the client as a reference ({@code SecretFileConfigProvider}), never in the properties
     * (which a Flink job graph carries); the client resolves it and connects.
     */
    @Test
    @Order(4)
    void aPkcs12KeyStoreWithItsPasswordInAFileConnectsWithoutThePasswordInTheProperties() throws Exception {
        String user = "fleetwarden-stream-jobs";
        char[] password = "p12-password-from-a-file".toCharArray();
        Path store = DIR.resolve(user + ".p12");
        try (java.io.OutputStream out = Files.newOutputStream(store)) {
            PKI.device(user).issue().keyStore(password).store(out, password);
        }
        Path passwordFile = Files.writeString(DIR.resolve(user + ".password"), new String(password) + "\n");
        KafkaClientSecurity security = KafkaClientSecurity.from(Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, CA.toString(), KafkaClientSecurity.KEYSTORE, store.toString(),
                KafkaClientSecurity.KEYSTORE_PASSWORD_FILE, passwordFile.toString())::get);
        Properties p = security.applyTo(new Properties());
        assertThat(p.toString()).doesNotContain(new String(password));
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> jobs = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            assertThat(sendQuietly(jobs, Topics.ALERTS)).isNull();
        }
    }

    @Test
    @Order(3)
    void theControlPlaneAloneWritesTheRegistryAndTheBrokersRegistryReaderReadsIt() throws Exception {
        try (KafkaProducer<String, String> dashboard = producer("fleetwarden-dashboard-api")) {
            dashboard.send(new ProducerRecord<>(Topics.DEVICE_REGISTRY, "acme/dev-1", "{}")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> jobs = producer("fleetwarden-stream-jobs")) {
            assertThat(sendQuietly(jobs, Topics.DEVICE_REGISTRY)).isInstanceOf(TopicAuthorizationException.class);
        }
        configureProcessAs("fleetwarden-broker");
        List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();
        try (CompactedTopicReader reader = CompactedTopicReader.builder(KAFKA.bootstrapServers(), "fleetwarden-broker-registry-it")
                .on(Topics.DEVICE_REGISTRY, seen::add).build()) {
            reader.start();
            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(60))).as("caught up on " + Topics.DEVICE_REGISTRY).isTrue();
        }
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("acme/dev-1"));
    }

    @Test
    @Order(4)
    void theStreamJobsNeitherWriteNorReadControls() {
        try (KafkaProducer<String, String> jobs = producer("fleetwarden-stream-jobs")) {
            assertThat(sendQuietly(jobs, Topics.DEVICE_CONTROLS)).isInstanceOf(TopicAuthorizationException.class);
            assertThat(sendQuietly(jobs, Topics.ALERTS)).isNull();
        }
        try (KafkaConsumer<String, byte[]> jobs = consumer("fleetwarden-stream-jobs")) {
            jobs.assign(List.of(new TopicPartition(Topics.DEVICE_CONTROLS, 0)));
            jobs.seekToBeginning(List.of(new TopicPartition(Topics.DEVICE_CONTROLS, 0)));
            assertThatThrownBy(() -> jobs.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    @Order(5)
    void aClientWithoutACertificateIsRefused() {
        Map<String, Object> p = new HashMap<>();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        p.put("security.protocol", "SSL");
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", CA.toString());
        p.put("request.timeout.ms", 10_000);
        p.put("default.api.timeout.ms", 20_000);
        try (Admin anonymous = Admin.create(p)) {
            assertThatThrownBy(() -> anonymous.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    @Order(6)
    void aCertificateOfAForeignCaIsRefused() {
        Path foreign = keystore("foreign-dashboard", PKI.foreign().device("fleetwarden-dashboard-api").issue());
        Map<String, Object> p = new HashMap<>(KafkaClientSecurity.from(Map.of(
                KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, CA.toString(),
                KafkaClientSecurity.KEYSTORE, foreign.toString())::get).clientProperties());
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        p.put("request.timeout.ms", 10_000);
        p.put("default.api.timeout.ms", 20_000);
        try (Admin impostor = Admin.create(p)) {
            assertThatThrownBy(() -> impostor.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(AuthenticationException.class);
        }
    }

    // ----------------------------------------------------------------------------------------

    /** Strimzi's translation of a KafkaUser's simple authorization into Kafka ACLs. */
    @SuppressWarnings("unchecked")
    static List<AclBinding> aclsOf(Path usersYaml) throws IOException {
        List<AclBinding> out = new ArrayList<>();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object doc : yaml.loadAll(Files.readString(usersYaml))) {
            Map<String, Object> user = (Map<String, Object>) doc;
            assertThat(user.get("kind")).isEqualTo("KafkaUser");
            String principal = "User:CN=" + ((Map<String, Object>) user.get("metadata")).get("name");
            Map<String, Object> spec = (Map<String, Object>) user.get("spec");
            assertThat((Map<String, Object>) spec.get("authentication")).containsEntry("type", "tls");
            Map<String, Object> authorization = (Map<String, Object>) spec.get("authorization");
            assertThat(authorization).containsEntry("type", "simple");
            for (Object a : (List<Object>) authorization.get("acls")) {
                Map<String, Object> acl = (Map<String, Object>) a;
                Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
                ResourcePattern pattern = new ResourcePattern(
                        ResourceType.valueOf(constant((String) resource.get("type"))),
                        (String) resource.get("name"),
                        // Strimzi's "prefix" is Kafka's PREFIXED
                        "prefix".equals(resource.get("patternType")) ? PatternType.PREFIXED : PatternType.LITERAL);
                for (Object op : (List<Object>) acl.get("operations")) {
                    out.add(new AclBinding(pattern, new AccessControlEntry(principal, "*",
                            AclOperation.valueOf(constant((String) op)), AclPermissionType.ALLOW)));
                }
            }
        }
        return out;
    }

    /** {@code transactionalId} → {@code TRANSACTIONAL_ID}, {@code DescribeConfigs} → {@code DESCRIBE_CONFIGS}. */
    private static String constant(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static Exception sendQuietly(KafkaProducer<String, String> producer, String topic) {
        try {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return (Exception) e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    private static KafkaProducer<String, String> producer(String user) {
        Properties p = security(user).applyTo(new Properties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String user) {
        Properties p = security(user).applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The options a component's pod would get: its Strimzi user certificate and the cluster CA. */
    private static KafkaClientSecurity security(String user) {
        return KafkaClientSecurity.from(options(user)::get);
    }

    private static Map<String, String> options(String user) {
        return Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, CA.toString(),
                KafkaClientSecurity.KEYSTORE, keystore(user, PKI.device(user).issue()).toString());
    }

    private static void configureProcessAs(String user) {
        options(user).forEach(System::setProperty);
    }

    /** A PEM key store as Kafka reads it: the unencrypted PKCS#8 key, then the certificate chain. */
    private static Path keystore(String name, TestCredential credential) {
        Path file = DIR.resolve(name + ".pem");
        if (!Files.exists(file)) {
            try {
                Files.writeString(file, credential.privateKeyPem() + credential.chainPem());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
