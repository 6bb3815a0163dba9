package io.fleetwarden.jobs.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.flink.api.common.JobStatus;

/**
 * Liveness and readiness of the detection job.
 *
 * <p><b>Live</b>: the job is not in a terminal state and not failing (created, initializing, running,
 * restarting or reconciling); a job that finished, failed or was cancelled needs its process restarted.
 *
 * <p><b>Ready</b>: the job is RUNNING and its latest completed checkpoint is at most the configured age.
 * Alerts are only visible once a checkpoint commits the exactly-once sinks, so a job that runs but
 * cannot checkpoint (a sink's Kafka away, state too slow to snapshot) publishes nothing and is not ready.
 * Thread-safe; each call asks the job afresh.
 */
public final class JobHealth {

    /** One named check. */
    public record Check(String name, boolean ok, String detail) {
    }

    /** The verdict and every check that went into it. */
    public record Report(boolean ok, List<Check> checks) {
    }

    private static final Set<JobStatus> LIVE = Set.of(JobStatus.CREATED, JobStatus.INITIALIZING, JobStatus.RUNNING,
            JobStatus.RESTARTING, JobStatus.RECONCILING);

    private final Supplier<Optional<JobStatus>> status;
    private final Supplier<Optional<Instant>> lastCheckpoint;
    private final Duration maxCheckpointAge;
    private final Clock clock;

    /**
     * @param status           the job's status, empty when it cannot be told (the cluster does not answer)
     * @param lastCheckpoint   when the job's latest checkpoint completed, empty before the first one
     * @param maxCheckpointAge readiness fails when the latest checkpoint is older
     */
    public JobHealth(Supplier<Optional<JobStatus>> status, Supplier<Optional<Instant>> lastCheckpoint,
                     Duration maxCheckpointAge, Clock clock) {
        this.status = status;
        this.lastCheckpoint = lastCheckpoint;
        this.maxCheckpointAge = maxCheckpointAge;
        this.clock = clock;
    }

    public Report liveness() {
        return report(List.of(statusCheck(LIVE)));
    }

    public Report readiness() {
        List<Check> checks = new ArrayList<>();
        checks.add(statusCheck(Set.of(JobStatus.RUNNING)));
        Optional<Instant> last = lastCheckpoint.get();
        if (last.isEmpty()) {
            checks.add(new Check("checkpoint", false, "no completed checkpoint yet"));
        } else {
            Duration age = Duration.between(last.get(), clock.instant());
            checks.add(new Check("checkpoint", age.compareTo(maxCheckpointAge) <= 0,
                    "latest completed " + Math.max(0, age.toMillis()) + " ms ago (not ready after " + maxCheckpointAge + ")"));
        }
        return report(checks);
    }

    private Check statusCheck(Set<JobStatus> accepted) {
        Optional<JobStatus> s = status.get();
        return new Check("job", s.isPresent() && accepted.contains(s.get()), s.map(JobStatus::name).orElse("unknown"));
    }

    private static Report report(List<Check> checks) {
        return new Report(checks.stream().allMatch(Check::ok), List.copyOf(checks));
    }
}
