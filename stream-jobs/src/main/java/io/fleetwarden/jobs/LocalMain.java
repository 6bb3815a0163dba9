package io.fleetwarden.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command local run: the detection job on an in-process Flink MiniCluster. Requires
 * {@code --checkpoint-dir} (a local directory); on start it resumes from the newest completed
 * checkpoint found there, so restarting the process neither loses nor repeats alerts. With
 * {@code --metrics-port} it runs Flink's Prometheus reporter, with {@code --health-port} it serves
 * {@code /health/live} and {@code /health/ready} ({@link io.fleetwarden.jobs.ops.JobHealth}).
 *
 * <pre>java -cp stream-jobs-&lt;version&gt;-local.jar io.fleetwarden.jobs.LocalMain \
 *     --bootstrap-servers 127.0.0.1:9092 --influx-url http://127.0.0.1:8086 --influx-db fleetwarden \
 *     --checkpoint-dir /var/lib/fleetwarden/checkpoints</pre>
 */
public final class LocalMain {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMain.class);

    private LocalMain() {
    }

    public static void main(String[] args) throws Exception {
        JobOptions o;
        try {
            o = JobOptions.parse(args);
            if (!o.helpRequested && (o.checkpointDir == null || o.checkpointDir.contains("://"))) {
                throw new IllegalArgumentException("--checkpoint-dir must be a local directory for the local run\n"
                        + JobOptions.usage());
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o.helpRequested) {
            System.out.print(JobOptions.usage());
            return;
        }
        try (LocalRun run = LocalRun.start(o)) {
            run.awaitTermination();
        }
    }

    /** The MiniCluster configuration: checkpointing, restarts, resuming, the Prometheus reporter. */
    static Configuration configuration(JobOptions o, Path dir) throws IOException {
        Configuration c = FleetDetectionJobMain.checkpointing(o);
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        latestCheckpoint(dir).ifPresent(p -> {
            LOG.info("resuming from checkpoint {}", p);
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toUri().toString());
        });
        if (o.metricsPort >= 0) {
            // Flink's reporter (flink-metrics-prometheus): every job, task and operator metric, ours included
            c.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            c.setString("metrics.reporter.prom.port", Integer.toString(o.metricsPort));
        }
        return c;
    }

    /** The local checkpoint directory of {@code o}; refuses a missing or remote one. */
    static Path checkpointDir(JobOptions o) throws IOException {
        if (o.checkpointDir == null || o.checkpointDir.contains("://")) {
            throw new IllegalArgumentException("--checkpoint-dir must be a local directory for the local run\n" + JobOptions.usage());
        }
        Path dir = Path.of(o.checkpointDir).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    /** The newest {@code chk-N} directory with a {@code _metadata} file under {@code dir} (any job id). */
    public static Optional<Path> latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.walk(dir, 3)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(LocalMain::modified));
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
