package io.fleetwarden.jobs.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaEndpoint;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * One run of the real detection job ({@link FleetDetectionJobMain#build}, exactly as deployed: Kafka sources with
 * per-partition watermarks, transactional sinks) on a test's Flink environment, and what the tests around it share:
 * the MiniCluster, the platform's topics, records in, alerts and device status out, waiting for the job to run or to
 * have consumed its input, and cancelling it ({@link #close()}, so a {@code try}-with-resources tears it down).
 *
 * <pre>{@code
 * try (DetectionJobRun job = DetectionJobRun.on(KAFKA, checkpoints).group("erasure").checkpointInterval("500ms")
 *         .args("--idleness", "1s").start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Shared by the stream-jobs Kafka ITs and, through the stream-jobs test jar, by the fleet simulator's live and
 * replay ITs. It cannot live in test-support: it runs the job, and stream-jobs depends on test-support.
 */
public final class DetectionJobRun implements AutoCloseable {

    private final JobClient client;
    private final String bootstrap;
    private final String group;
    private boolean closed;

    private DetectionJobRun(JobClient client, String bootstrap, String group) {
        this.client = client;
        this.bootstrap = bootstrap;
        this.group = group;
    }

    // ----------------------------------------------------------------------------------------
    // Cluster and topics

    /** A MiniCluster for the job: one TaskManager with two slots (parallelism 2), no restarts (a failure fails the test). */
    public static MiniClusterExtension miniCluster() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return miniCluster(c);
    }

    /** A MiniCluster of one TaskManager with two slots and the given configuration (e.g. a restart strategy). */
    public static MiniClusterExtension miniCluster(Configuration configuration) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(configuration).build());
    }

    /**
     * Every platform topic (the job refuses to start without the ones it reads), configured as the platform configures
     * it, with at most {@code maxPartitions} partitions each.
     */
    public static List<TopicSpec> platformTopics(int maxPartitions) {
        return TopicSpec.platform(maxPartitions);
    }

    // ----------------------------------------------------------------------------------------
    // Starting the job

    /** A run against {@code kafka}, checkpointing into {@code checkpointDir}. */
    public static Builder on(KafkaEndpoint kafka, Path checkpointDir) {
        return on(kafka.bootstrapServers(), checkpointDir);
    }

    /** A run against the Kafka at {@code bootstrap}, checkpointing into {@code checkpointDir}. */
    public static Builder on(String bootstrap, Path checkpointDir) {
        return new Builder(bootstrap, checkpointDir);
    }

    /** The job's client, e.g. for its status. */
    public JobClient client() {
        return client;
    }

    /** The job's status now. */
    public JobStatus status() throws Exception {
        return client.getJobStatus().get(30, TimeUnit.SECONDS);
    }

    /** Waits until the job is RUNNING; fails at once if it ended. */
    public void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus s = status();
            if (s == JobStatus.RUNNING) {
                return;
            }
            if (s.isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended as " + s + " before it ran");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job was not RUNNING within " + timeout + " (" + s + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the job's committed offsets (committed on checkpoints) reach the current end of both input topics. */
    public void awaitConsumed(Duration timeout) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.TELEMETRY, Topics.SECURITY_EVENTS)) {
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(pi -> latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                List<String> behind = new ArrayList<>();
                end.forEach((tp, e) -> {
                    OffsetAndMetadata c = committed.get(tp);
                    if (c == null || c.offset() < e) {
                        behind.add(tp + " at " + (c == null ? "-" : c.offset()) + " of " + e);
                    }
                });
                if (behind.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not consume its input within " + timeout + ": " + behind);
                }
                Thread.sleep(1_000);
            }
        }
    }

    /** Cancels the job and waits until it is cancelled; does nothing the second time. */
    @Override
    public void close() throws Exception {
        if (!closed) {
            closed = true;
            client.cancel().get();
        }
    }

    // ----------------------------------------------------------------------------------------
    // Records in, results out

    /** A producer of raw records (the job's own codecs make the bytes); close it to flush. */
    public static KafkaProducer<byte[], byte[]> producer(KafkaEndpoint kafka) {
        return new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A reading on {@code fleet.telemetry}, keyed by its device key, in the partition Kafka chooses. */
    public static ProducerRecord<byte[], byte[]> telemetry(Telemetry t) {
        return telemetry(t, null);
    }

    /** A reading on {@code fleet.telemetry}, keyed by its device key, in {@code partition} (null: Kafka chooses). */
    public static ProducerRecord<byte[], byte[]> telemetry(Telemetry t, Integer partition) {
        return new ProducerRecord<>(Topics.TELEMETRY, partition,
                DeviceKeys.of(t.getTenant(), t.getDeviceId()).getBytes(StandardCharsets.UTF_8), Codecs.TELEMETRY.encode(t));
    }

    /** Every alert revision on {@code fleet.alerts} (read_committed), reading for {@code wait}. */
    public static List<Alert> alerts(KafkaEndpoint kafka, Duration wait) {
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.consume(Topics.ALERTS, Integer.MAX_VALUE, wait,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            out.add(Codecs.ALERT.tryDecode(r.value()).value());
        }
        return out;
    }

    /** Every device status on {@code fleet.device-status} (read_committed; tombstones skipped), reading for {@code wait}. */
    public static List<DeviceStatus> statuses(KafkaEndpoint kafka, Duration wait) {
        List<DeviceStatus> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : kafka.consume(Topics.DEVICE_STATUS, Integer.MAX_VALUE, wait,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            if (r.value() != null) {
                out.add(Codecs.DEVICE_STATUS.tryDecode(r.value()).value());
            }
        }
        return out;
    }

    /**
     * The job's options: the deployed defaults with parallelism 2, checkpoints every 2 s unless set, consumer group and
     * transactional ids from {@link #group}; more options through {@link #args}. Reusable: every {@link #start()}
     * builds and submits a new job.
     */
    public static final class Builder {
        private final String bootstrap;
        private final Path checkpointDir;
        private String group = "detection";
        private String jobName;
        private String checkpointInterval = "2s";
        private final List<String> extraArgs = new ArrayList<>();
        private String restoreFrom;
        private StreamExecutionEnvironment env;

        private Builder(String bootstrap, Path checkpointDir) {
            this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
            this.checkpointDir = Objects.requireNonNull(checkpointDir, "checkpointDir");
        }

        /** Consumer group id and transactional id prefix of the job; also its name unless {@link #jobName} is set. */
        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        public Builder jobName(String name) {
            this.jobName = name;
            return this;
        }

        /** {@code --checkpoint-interval}, e.g. {@code 500ms}. */
        public Builder checkpointInterval(String interval) {
            this.checkpointInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** More job options, e.g. {@code --idleness 1s} or {@code --rule offline.min=5s}. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** Resumes the next {@link #start()} from this checkpoint or savepoint (a URI or path); null: a fresh start. */
        public Builder restoreFrom(String checkpoint) {
            this.restoreFrom = checkpoint;
            return this;
        }

        /** The environment to build the job in; the test's default environment when not set. */
        public Builder env(StreamExecutionEnvironment env) {
            this.env = env;
            return this;
        }

        /** The job's parsed options. */
        public JobOptions options() {
            List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap,
                    "--checkpoint-dir", checkpointDir.toString(), "--checkpoint-interval", checkpointInterval,
                    "--group-id", group, "--transactional-id-prefix", group, "--parallelism", "2"));
            args.addAll(extraArgs);
            return JobOptions.parse(args.toArray(String[]::new));
        }

        /** Builds the job and submits it; returns once it is submitted (see {@link DetectionJobRun#awaitRunning}). */
        public DetectionJobRun start() throws Exception {
            StreamExecutionEnvironment e = env != null ? env : StreamExecutionEnvironment.getExecutionEnvironment();
            FleetDetectionJobMain.build(e, options());
            StreamGraph graph = e.getStreamGraph();
            graph.setJobName(jobName != null ? jobName : group);
            if (restoreFrom != null) {
                graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
            }
            return new DetectionJobRun(e.executeAsync(graph), bootstrap, group);
        }
    }
}
