package io.fleetwarden.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipFile;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.FlinkSessionCluster;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/** What the session-cluster tests share: the job jar, the cluster's classpath, every topic, reading alerts back. */
public final class ClusterFixture {

    private ClusterFixture() {
    }

    /** Every topic of event-model {@link Topics#ALL}, with its partitions and configs (the job fails without some). */
    public static KafkaExtension kafka() {
        return KafkaExtension.builder().topics(TopicSpec.platform(Integer.MAX_VALUE)).build();
    }

    /**
     * The job jar the package phase built ({@code stream-jobs-*-job.jar}), checked to be what a user submits: it
     * carries the job, the Kafka connector and client, and no Flink runtime (the cluster provides that).
     */
    public static Path jobJar() throws IOException {
        Path dir = Path.of(System.getProperty("fleetwarden.build.directory", "target"));
        String name = System.getProperty("fleetwarden.build.final-name", "stream-jobs-0.1.0-SNAPSHOT") + "-job.jar";
        Path jar = dir.resolve(name);
        assertThat(jar).as("the job jar (built by the package phase)").isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("io/fleetwarden/jobs/FleetDetectionJobMain.class")).isNotNull();
            assertThat(zip.getEntry("org/apache/flink/connector/kafka/sink/KafkaSink.class")).isNotNull();
            assertThat(zip.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class")).isNotNull();
            assertThat(zip.getEntry("io/fleetwarden/model/Alert.class")).isNotNull();
            assertThat(zip.getEntry("org/apache/flink/runtime/taskexecutor/TaskManagerRunner.class"))
                    .as("the Flink runtime is the cluster's, not the job jar's").isNull();
        }
        return jar;
    }

    /** The Flink runtime jars Maven resolved for the cluster ({@code target/flink-cluster*.classpath}). */
    public static List<Path> clusterClasspath() {
        String files = System.getProperty("fleetwarden.flink.classpath",
                "target/flink-cluster.classpath,target/flink-cluster-common.classpath");
        List<Path> cp = new ArrayList<>();
        for (String f : files.split(",")) {
            cp.addAll(FlinkSessionCluster.readClasspathFile(Path.of(f.trim())));
        }
        assertThat(cp).as("cluster classpath").anyMatch(p -> p.getFileName().toString().startsWith("flink-runtime-2"))
                .anyMatch(p -> p.getFileName().toString().startsWith("flink-statebackend-rocksdb"));
        return cp;
    }

    /** {@code target/cluster-it/<name>}, emptied: configuration, logs, checkpoints and savepoints of one cluster. */
    public static Path freshWorkDir(String name) throws IOException {
        Path dir = Path.of(System.getProperty("fleetwarden.build.directory", "target"), "cluster-it", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    public static FlinkSessionCluster.Builder cluster(Path workDir) {
        return FlinkSessionCluster.builder().classpath(clusterClasspath()).workDir(workDir).logLevel("warn");
    }

    /** The program arguments a user passes to the job jar. */
    public static List<String> jobArgs(KafkaExtension kafka, String name, int parallelism) {
        return List.of("--bootstrap-servers", kafka.bootstrapServers(), "--parallelism", Integer.toString(parallelism),
                "--checkpoint-interval", "1s", "--group-id", name, "--transactional-id-prefix", name,
                "--idleness", "1s", "--out-of-orderness", "1s");
    }

    /** Every alert revision of {@code tenant} on {@code fleet.alerts}, read with {@code isolation.level=read_committed}. */
    static List<Alert> alerts(KafkaExtension kafka, String tenant) {
        List<Alert> out = new ArrayList<>();
        List<ConsumerRecord<String, byte[]>> records;
        try {
            records = kafka.consume(Topics.ALERTS, Integer.MAX_VALUE, Duration.ofSeconds(3), new StringDeserializer(),
                    new ByteArrayDeserializer());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            // a starved broker on a loaded machine: an assertion error, so that an await polls again
            throw new AssertionError("fleet.alerts not readable yet: " + e.getMessage(), e);
        }
        for (ConsumerRecord<String, byte[]> r : records) {
            Alert a = Codecs.ALERT.tryDecode(r.value()).value();
            if (tenant.equals(a.getTenant())) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Exactly once on the wire: no (alert id, revision) twice, and each alert's revisions are 1..n without a gap
     * (a lost revision would leave one).
     */
    static void assertExactlyOnce(List<Alert> alerts) {
        Set<String> seen = new HashSet<>();
        Map<String, List<Integer>> revisions = new TreeMap<>();
        for (Alert a : alerts) {
            assertThat(seen.add(a.getAlertId() + "#" + a.getRevision())).as("duplicate revision %s", a).isTrue();
            revisions.computeIfAbsent(a.getAlertId(), k -> new ArrayList<>()).add(a.getRevision());
        }
        revisions.forEach((id, revs) -> {
            List<Integer> sorted = revs.stream().sorted().toList();
            for (int i = 0; i < sorted.size(); i++) {
                assertThat(sorted.get(i)).as("revisions of %s: %s", id, sorted).isEqualTo(i + 1);
            }
        });
    }

    /** Alert ids per rule, of the revisions that opened them. */
    static Map<String, Set<String>> openedByRule(List<Alert> alerts) {
        Map<String, Set<String>> out = new HashMap<>();
        for (Alert a : alerts) {
            if (a.getRevision() == 1) {
                out.computeIfAbsent(a.getRuleId(), k -> new HashSet<>()).add(a.getAlertId());
            }
        }
        return out;
    }

    static String key(String tenant, String device) {
        return tenant + "/" + device;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Instant at(long ms) {
        return Instant.ofEpochMilli(ms);
    }

    static void dumpLogs(FlinkSessionCluster cluster, Path workDir) {
        try (var files = Files.list(workDir.resolve("log"))) {
            files.forEach(f -> {
                try {
                    List<String> lines = Files.readAllLines(f);
                    System.err.println("==== " + f + " (last 60 lines)");
                    lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
                } catch (IOException e) {
                    System.err.println("cannot read " + f + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("no logs: " + e);
        }
    }
}
