package io.fleetwarden.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.jobs.ops.HealthServer;
import io.fleetwarden.jobs.ops.JobHealth;

/**
 * One local run of the detection job ({@link LocalMain}): submitted to its own MiniCluster, with the
 * optional Prometheus reporter and health endpoint. Closing it cancels the job.
 */
public final class LocalRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRun.class);

    private final JobClient job;
    private final HealthServer health;
    private final JobHealth jobHealth;

    private LocalRun(JobClient job, HealthServer health, JobHealth jobHealth) {
        this.job = job;
        this.health = health;
        this.jobHealth = jobHealth;
    }

    /** Submits the job (returns once it is submitted, not when it ends). */
    public static LocalRun start(JobOptions o) throws Exception {
        Path dir = LocalMain.checkpointDir(o);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(o.parallelism,
                LocalMain.configuration(o, dir));
        FleetDetectionJobMain.build(env, o);
        JobClient job = env.executeAsync("fleetwarden-detection-local");
        Path jobCheckpoints = dir.resolve(job.getJobID().toHexString());
        JobHealth jobHealth = new JobHealth(() -> status(job), () -> latestCompleted(jobCheckpoints),
                maxCheckpointAge(o.checkpointInterval), Clock.systemUTC());
        HealthServer health = null;
        if (o.healthPort >= 0) {
            health = HealthServer.start(o.healthBindAddress, o.healthPort, jobHealth);
            LOG.info("health on http://{}:{}/health/ready", o.healthBindAddress, health.port());
        }
        return new LocalRun(job, health, jobHealth);
    }

    /** Readiness tolerates a few missed checkpoints, never less than a minute. */
    static Duration maxCheckpointAge(Duration interval) {
        Duration six = interval.multipliedBy(6);
        return six.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : six;
    }

    public JobHealth health() {
        return jobHealth;
    }

    /** Port of the health endpoint, or -1 when it is not served. */
    public int healthPort() {
        return health == null ? -1 : health.port();
    }

    /** Blocks until the job ends (it only ends by failing for good or being cancelled). */
    public void awaitTermination() throws Exception {
        job.getJobExecutionResult().get();
    }

    private static Optional<JobStatus> status(JobClient job) {
        try {
            return Optional.of(job.getJobStatus().get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** When the newest completed checkpoint ({@code chk-N/_metadata}) of this job was written. */
    static Optional<Instant> latestCompleted(Path jobCheckpoints) {
        if (!Files.isDirectory(jobCheckpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(jobCheckpoints)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .map(p -> p.resolve("_metadata")).filter(Files::isRegularFile)
                    .map(LocalRun::modified).flatMap(Optional::stream).max(Instant::compareTo);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> modified(Path p) {
        try {
            return Optional.of(Files.getLastModifiedTime(p).toInstant());
        } catch (IOException e) {
            return Optional.empty(); // removed between listing and reading: Flink keeps only the newest
        }
    }

    @Override
    public void close() throws Exception {
        try {
            JobStatus s = status(job).orElse(null);
            if (s != null && !s.isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } finally {
            if (health != null) {
                health.close();
            }
        }
    }
}
