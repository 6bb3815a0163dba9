package io.fleetwarden.deploy;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Backs up Kafka topics to files and restores them into a cluster, record by record: the state that
 * cannot be derived again (device controls, triage, the audit trail, erasures, alerts, catalog and
 * advisories). See docs/operations.md, "Backup and restore".
 *
 * <pre>
 * java -cp 'deploy/target/deploy-*.jar:deploy/target/lib/*' io.fleetwarden.deploy.TopicBackup \
 *      export --bootstrap kafka:9092 --dir /backup/2026-12-06 [--topics fleet.device-controls,...]
 * java ... io.fleetwarden.deploy.TopicBackup import --bootstrap new-kafka:9092 --dir /backup/2026-12-06 [--replication 3]
 * </pre>
 *
 * <p>Export reads each topic from its first to its last committed offset (read_committed: records of
 * aborted transactions are left out) into {@code <topic>.jsonl} (partition, offset, timestamp, key,
 * value and headers; bytes in base64, tombstones kept) and writes {@code manifest.json} with each
 * topic's partitions, topic-level configs and record count. Import creates each topic with those
 * partitions and configs and writes the records to the same partition in the same order with their
 * keys, values, headers and timestamps. It refuses a topic that already holds records (a restore goes
 * into a fresh cluster or onto deleted topics), a file whose record count differs from the manifest,
 * and malformed lines, naming the file and line. Offsets are not preserved (consumers replay compacted
 * topics from the beginning; the SIEM export cursor starts again).
 */
public final class TopicBackup {

    /** The topics whose content cannot be derived again from the others, in restore order. */
    public static final List<String> DEFAULT_TOPICS = List.of("fleet.device-controls", "fleet.alert-triage",
            "fleet.audit", "fleet.audit-details", "fleet.erasures", "fleet.device-registry", "fleet.alerts",
            "fleet.firmware-catalog", "fleet.advisories");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Set<String> CONFIGS_KEPT = Set.of("cleanup.policy", "retention.ms", "retention.bytes",
            "min.compaction.lag.ms", "max.compaction.lag.ms", "delete.retention.ms", "min.insync.replicas",
            "segment.ms", "segment.bytes", "compression.type", "message.timestamp.type");

    private TopicBackup() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Map<String, String> o = options(args);
            int result = switch (args.length == 0 ? "" : args[0]) {
                case "export" -> exportTopics(o.get("--bootstrap"), Path.of(o.get("--dir")), topics(o));
                case "import" -> importTopics(o.get("--bootstrap"), Path.of(o.get("--dir")),
                        Short.parseShort(o.getOrDefault("--replication", "3")));
                default -> throw new IllegalArgumentException("first argument must be export or import");
            };
            System.out.println("topic-backup: " + result + " records");
        } catch (IllegalArgumentException | BackupException e) {
            System.err.println("topic-backup: " + e.getMessage());
            System.err.println("usage: TopicBackup export|import --bootstrap HOST:PORT --dir DIR [--topics a,b] [--replication N]");
            System.exit(2);
        }
    }

    /** A backup or restore that cannot go on, with a message naming the topic, file or line. */
    public static final class BackupException extends Exception {
        private static final long serialVersionUID = 1L;

        BackupException(String message) {
            super(message);
        }
    }

    // ---- export -------------------------------------------------------------------------------------

    /** Writes every record of {@code topics} to {@code dir}; returns the number of records written. */
    public static int exportTopics(String bootstrap, Path dir, List<String> topics)
            throws IOException, InterruptedException, ExecutionException, TimeoutException, BackupException {
        Files.createDirectories(dir);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", 1);
        manifest.put("exportedAt", Instant.now().toString());
        ObjectNode topicsNode = manifest.putObject("topics");
        int total = 0;
        try (Admin admin = Admin.create(adminProps(bootstrap));
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    throw new BackupException("topic " + topic + " does not exist on " + bootstrap);
                }
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                List<TopicPartition> partitions = description.partitions().stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // last stable offsets (read_committed)
                int count = 0;
                try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(topic + ".jsonl"), StandardCharsets.UTF_8)) {
                    while (!reachedEnd(consumer, partitions, end)) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                            if (r.offset() >= end.get(tp)) {
                                continue;
                            }
                            out.write(JSON.writeValueAsString(line(r)));
                            out.write('\n');
                            count++;
                        }
                    }
                }
                ObjectNode t = topicsNode.putObject(topic);
                t.put("partitions", partitions.size());
                t.put("records", count);
                t.set("configs", JSON.valueToTree(configs(admin, topic)));
                total += count;
            }
        }
        Files.writeString(dir.resolve("manifest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
        return total;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
            Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private static ObjectNode line(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("partition", r.partition());
        n.put("offset", r.offset());
        n.put("timestamp", r.timestamp());
        n.put("key", r.key() == null ? null : Base64.getEncoder().encodeToString(r.key()));
        n.put("value", r.value() == null ? null : Base64.getEncoder().encodeToString(r.value()));
        ArrayNode headers = n.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode hn = headers.addObject();
            hn.put("key", h.key());
            hn.put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value()));
        }
        return n;
    }

    private static Map<String, String> configs(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        Map<String, String> kept = new LinkedHashMap<>();
        for (ConfigEntry e : config.entries()) {
            if (CONFIGS_KEPT.contains(e.name()) && e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                kept.put(e.name(), e.value());
            }
        }
        return kept;
    }

    // ---- import -------------------------------------------------------------------------------------

    /** Restores every topic of the backup in {@code dir}; returns the number of records written. */
    public static int importTopics(String bootstrap, Path dir, short replication)
            throws IOException, InterruptedException, ExecutionException, TimeoutException, BackupException {
        JsonNode manifest = JSON.readTree(Files.readString(dir.resolve("manifest.json")));
        if (manifest.path("format").asInt() != 1) {
            throw new BackupException(dir.resolve("manifest.json") + ": unknown backup format " + manifest.path("format"));
        }
        int total = 0;
        try (Admin admin = Admin.create(adminProps(bootstrap));
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap))) {
            for (Map.Entry<String, JsonNode> entry : manifest.path("topics").properties()) {
                String topic = entry.getKey();
                JsonNode spec = entry.getValue();
                int partitions = spec.path("partitions").asInt();
                Map<String, String> configs = new LinkedHashMap<>();
                spec.path("configs").properties().forEach(c -> configs.put(c.getKey(), c.getValue().asText()));
                prepareTopic(admin, bootstrap, topic, partitions, replication, configs);
                Path file = dir.resolve(topic + ".jsonl");
                List<ProducerRecord<byte[], byte[]>> records = read(file, topic, partitions);
                if (records.size() != spec.path("records").asInt()) {
                    throw new BackupException(file + ": holds " + records.size() + " records but the manifest says "
                            + spec.path("records").asInt() + " (truncated or altered backup)");
                }
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(r);
                }
                producer.flush();
                total += records.size();
                System.out.println("topic-backup: restored " + records.size() + " records to " + topic);
            }
        }
        return total;
    }

    private static void prepareTopic(Admin admin, String bootstrap, String topic, int partitions, short replication, Map<String, String> configs)
            throws InterruptedException, ExecutionException, TimeoutException, BackupException {
        if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            if (d.partitions().size() != partitions) {
                throw new BackupException("topic " + topic + " exists with " + d.partitions().size()
                        + " partitions, the backup has " + partitions);
            }
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(bootstrap))) {
                List<TopicPartition> tps = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
                Map<TopicPartition, Long> end = c.endOffsets(tps);
                for (TopicPartition tp : tps) {
                    if (end.get(tp) > begin.get(tp)) {
                        throw new BackupException("topic " + topic + " already holds records: restore into a fresh"
                                + " cluster or delete the topic first");
                    }
                }
            }
            return;
        }
        admin.createTopics(List.of(new NewTopic(topic, partitions, replication).configs(configs))).all().get(30, TimeUnit.SECONDS);
    }

    private static List<ProducerRecord<byte[], byte[]>> read(Path file, String topic, int partitions)
            throws IOException, BackupException {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int lineNo = 0;
            while ((text = in.readLine()) != null) {
                lineNo++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(text);
                    int partition = n.get("partition").asInt(-1);
                    if (!n.get("partition").canConvertToInt() || partition < 0 || partition >= partitions) {
                        throw new IllegalArgumentException("partition " + n.get("partition") + " outside 0.." + (partitions - 1));
                    }
                    List<Header> headers = new ArrayList<>();
                    for (JsonNode h : n.path("headers")) {
                        headers.add(new RecordHeader(h.get("key").asText(), bytes(h.get("value"))));
                    }
                    long timestamp = n.get("timestamp").asLong(-1);
                    records.add(new ProducerRecord<>(topic, partition, timestamp < 0 ? null : timestamp,
                            bytes(n.get("key")), bytes(n.get("value")), headers));
                } catch (IOException | RuntimeException e) {
                    throw new BackupException(file + " line " + lineNo + ": not a backup record (" + e.getMessage() + ")");
                }
            }
        }
        return records;
    }

    private static byte[] bytes(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("field missing");
        }
        return node.isNull() ? null : Base64.getDecoder().decode(node.asText());
    }

    // ---- clients ------------------------------------------------------------------------------------

    private static Properties adminProps(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, require(bootstrap));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        KafkaClientSecurity.configured().applyTo(p);
        return p;
    }

    private static Properties consumerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, require(bootstrap));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaClientSecurity.configured().applyTo(p);
        return p;
    }

    private static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, require(bootstrap));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaClientSecurity.configured().applyTo(p);
        return p;
    }

    private static String require(String bootstrap) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("--bootstrap HOST:PORT is required");
        }
        return bootstrap;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!Set.of("--bootstrap", "--dir", "--topics", "--replication").contains(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
            }
            o.put(args[i], args[i + 1]);
        }
        if (!o.containsKey("--dir")) {
            throw new IllegalArgumentException("--dir DIR is required");
        }
        return o;
    }

    private static List<String> topics(Map<String, String> o) {
        return o.containsKey("--topics") ? List.of(o.get("--topics").split(",")) : DEFAULT_TOPICS;
    }
}
