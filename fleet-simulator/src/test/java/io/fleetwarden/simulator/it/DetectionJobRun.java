package io.fleetwarden.simulator.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * The real detection job ({@code FleetDetectionJobMain.build}, exactly as deployed: Kafka sources with per-partition
 * watermarks, exactly-once sinks) started on a test's Flink environment, and the platform's topics for it. Shared by
 * the live run ({@code LiveDetectionIT}) and the replays ({@code ReplayDetectionIT}, {@code ReplayBenchmark}).
 */
public final class DetectionJobRun {

    private DetectionJobRun() {
    }

    /** A MiniCluster for the job: one TaskManager with two slots (parallelism 2), no restarts (a failure fails the test). */
    public static MiniClusterExtension miniCluster() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(c).build());
    }

    /**
     * Every platform topic of {@link Topics#ALL} (the job refuses to start without the ones it reads), compacted where
     * the platform compacts, with at most {@code maxPartitions} partitions each.
     */
    public static List<TopicSpec> platformTopics(int maxPartitions) {
        List<TopicSpec> out = new ArrayList<>();
        for (io.fleetwarden.model.TopicSpec t : Topics.ALL) {
            TopicSpec s = TopicSpec.of(t.name()).withPartitions(Math.min(t.partitions(), maxPartitions));
            for (Map.Entry<String, String> c : t.configs().entrySet()) {
                s = s.withConfig(c.getKey(), c.getValue());
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Builds the job with the deployed defaults plus {@code extraArgs} (job options, e.g. {@code --idleness 10m}),
     * parallelism 2, checkpoints every 2 s into {@code workDir}, consumer group and transactional ids {@code group},
     * and submits it.
     */
    public static JobClient start(StreamExecutionEnvironment env, String bootstrap, Path workDir, String group, String jobName,
                                  String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap,
                "--checkpoint-dir", workDir.resolve("checkpoints").toString(), "--checkpoint-interval", "2s",
                "--group-id", group, "--transactional-id-prefix", group, "--parallelism", "2"));
        args.addAll(List.of(extraArgs));
        FleetDetectionJobMain.build(env, JobOptions.parse(args.toArray(String[]::new)));
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        return env.executeAsync(graph);
    }

    /** Waits until the job's committed offsets (committed on checkpoints) reach the current end of both input topics. */
    public static void awaitConsumed(String bootstrap, String group, Duration timeout) throws Exception {
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
}
