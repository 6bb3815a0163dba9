package io.fleetwarden.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.kafka.KafkaClientSecurity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Creates the platform's Kafka topics ({@link Topics#ALL}) on a running cluster, idempotently, and
 * doubles as the local runner's Kafka health check: it waits until the cluster answers.
 *
 * <pre>
 * java -cp 'deploy/target/deploy-*.jar:deploy/target/lib/*' io.fleetwarden.deploy.TopicInitializer \
 *      --bootstrap localhost:9092 [--replication 1] [--min-insync-replicas N] [--max-partitions 3] [--wait 60s | --wait-seconds 60] [--help]
 * </pre>
 *
 * <p>A topic that already exists keeps its partitions, but its configs are checked against the
 * spec: a topic the spec compacts that is on delete retention is switched to compaction and
 * differing extra configs are set (both keep at least what the topic holds: this is how a cluster
 * from before {@code fleet.alerts} was compacted is upgraded); a compacted topic the spec keeps on
 * delete retention is an error (exit code 3), never switched, because retention would then delete
 * state. {@code --max-partitions} caps partition counts for a
 * one-machine run; production uses the counts in {@link TopicSpec#partitions()}.
 */
public final class TopicInitializer {

    private TopicInitializer() {
    }

    /** Parsed command line (picocli). */
    @Command(name = "topic-init", sortOptions = false, usageHelpWidth = 110,
            description = "Creates the topics of event-model Topics.ALL on a running Kafka cluster, idempotently, "
                    + "and checks the cleanup.policy of existing ones (exit 3 when one differs).")
    static final class Options {

        @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,..]", description = "Kafka (required)")
        private String bootstrap;

        @Option(names = "--replication", paramLabel = "N", description = "replication factor (default ${DEFAULT-VALUE})")
        private short replication = 1;

        @Option(names = "--min-insync-replicas", paramLabel = "N",
                description = "min.insync.replicas of the topics it creates (default: replication - 1 from replication 3 on, else 1)")
        private short minInsyncReplicas = 0;

        @Option(names = "--max-partitions", paramLabel = "N",
                description = "cap on partitions per topic, for a one-machine run (default: the counts in Topics)")
        private int maxPartitions = Integer.MAX_VALUE;

        @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "how long to wait for the cluster to answer (default 60s; ISO-8601 or 500ms/90s/10m)")
        private Duration waitFor = Duration.ofSeconds(60);

        @Option(names = "--wait-seconds", paramLabel = "S", converter = DurationConverter.Seconds.class,
                description = "the same as --wait, in whole seconds")
        private void waitSeconds(Duration d) {
            waitFor = d;
        }

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        private boolean help;

        String bootstrap() {
            return bootstrap;
        }

        short replication() {
            return replication;
        }

        /** The explicit value, or replication - 1 from replication 3 on (one replica may fail, writes go on), else 1. */
        short minInsyncReplicas() {
            return minInsyncReplicas > 0 ? minInsyncReplicas : (short) (replication >= 3 ? replication - 1 : 1);
        }

        int maxPartitions() {
            return maxPartitions;
        }

        Duration waitFor() {
            return waitFor;
        }

        boolean helpRequested() {
            return help;
        }

        /**
         * @throws IllegalArgumentException naming the option and the bad value
         */
        static Options parse(String[] args) {
            Options o = new Options();
            try {
                new CommandLine(o).parseArgs(args);
            } catch (ParameterException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (o.help) {
                return o;
            }
            if (o.bootstrap.isBlank()) {
                throw new IllegalArgumentException("--bootstrap host:port is required");
            }
            if (o.replication < 1) {
                throw new IllegalArgumentException("Invalid value for option '--replication': '" + o.replication
                        + "' must be >= 1");
            }
            if (o.minInsyncReplicas < 0 || o.minInsyncReplicas > o.replication) {
                throw new IllegalArgumentException("Invalid value for option '--min-insync-replicas': '" + o.minInsyncReplicas
                        + "' must be between 1 and the replication factor " + o.replication);
            }
            if (o.maxPartitions < 1) {
                throw new IllegalArgumentException("Invalid value for option '--max-partitions': '" + o.maxPartitions
                        + "' must be >= 1");
            }
            return o;
        }

        static String usage() {
            return new CommandLine(new Options()).getUsageMessage();
        }
    }

    /** The topics to create for the given options: names and compaction exactly as in the spec. */
    static List<NewTopic> plannedTopics(Collection<TopicSpec> specs, short replication, int maxPartitions) {
        return plannedTopics(specs, replication, (short) 1, maxPartitions);
    }

    /** As above, with {@code min.insync.replicas} set on every topic (unless its spec sets it). */
    static List<NewTopic> plannedTopics(Collection<TopicSpec> specs, short replication, short minInsyncReplicas, int maxPartitions) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec spec : specs) {
            java.util.Map<String, String> configs = new java.util.HashMap<>(spec.configs());
            configs.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Short.toString(minInsyncReplicas));
            topics.add(new NewTopic(spec.name(), Math.min(spec.partitions(), maxPartitions), replication).configs(configs));
        }
        return topics;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("topic-init: " + e.getMessage());
            System.err.print(Options.usage());
            System.exit(2);
            return;
        }
        if (options.helpRequested()) {
            System.out.print(Options.usage());
            return;
        }
        System.exit(run(options));
    }

    static int run(Options options) throws InterruptedException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        KafkaClientSecurity.configured().applyTo(props);
        try (Admin admin = Admin.create(props)) {
            if (!awaitCluster(admin, options.waitFor())) {
                System.err.println("topic-init: Kafka at " + options.bootstrap() + " did not answer within "
                        + options.waitFor().toSeconds() + " s");
                return 1;
            }
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            for (NewTopic topic : plannedTopics(Topics.ALL, options.replication(), options.minInsyncReplicas(), options.maxPartitions())) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                    System.out.println("topic-init: created " + topic.name() + " (" + topic.numPartitions()
                            + " partitions, replication " + topic.replicationFactor() + ", min.insync.replicas "
                            + topic.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                            + ", cleanup.policy=" + topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG) + ")");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        System.err.println("topic-init: cannot create " + topic.name() + ": " + e.getCause());
                        return 1;
                    }
                }
            }
            return verifyCleanupPoliciesWithRetry(admin);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("topic-init: " + e);
            return 1;
        }
    }

    private static boolean awaitCluster(Admin admin, Duration waitFor) throws InterruptedException {
        Instant deadline = Instant.now().plus(waitFor);
        while (Instant.now().isBefore(deadline)) {
            try {
                admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                Thread.sleep(500);
            }
        }
        return false;
    }

    /** Freshly created topics reach the metadata of every listener a moment later: retry briefly. */
    private static int verifyCleanupPoliciesWithRetry(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            try {
                return verifyCleanupPolicies(admin);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Checks every topic's configs against its spec. A delete-retention topic whose spec is now
     * compacted (fleet.alerts before 0.1.0) is switched to compaction, and differing extra configs
     * (such as {@code min.compaction.lag.ms}) are set: both keep at least what the topic holds. A
     * compacted topic whose spec says delete is refused (switching would let retention delete state).
     */
    private static int verifyCleanupPolicies(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = Topics.ALL.stream()
                .map(spec -> new ConfigResource(ConfigResource.Type.TOPIC, spec.name()))
                .toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
        int status = 0;
        for (TopicSpec spec : Topics.ALL) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            Config config = configs.get(resource);
            String actual = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!spec.cleanupPolicy().equals(actual) && !spec.compacted()) {
                System.err.println("topic-init: " + spec.name() + " has cleanup.policy=" + actual + " but must be "
                        + spec.cleanupPolicy() + "; fix or delete the topic");
                status = 3;
                continue;
            }
            List<AlterConfigOp> changes = new ArrayList<>();
            spec.configs().forEach((key, value) -> {
                ConfigEntry entry = config.get(key);
                if (entry == null || !value.equals(entry.value())) {
                    changes.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
                }
            });
            if (!changes.isEmpty()) {
                admin.incrementalAlterConfigs(Map.of(resource, changes)).all().get(30, TimeUnit.SECONDS);
                System.out.println("topic-init: updated " + spec.name() + ": " + changes.stream()
                        .map(c -> c.configEntry().name() + "=" + c.configEntry().value()).toList());
            }
        }
        if (status == 0) {
            System.out.println("topic-init: " + Topics.ALL.size() + " topics ready");
        }
        return status;
    }
}
