package io.fleetwarden.jobs.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;

class JobHealthTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static JobHealth health(JobStatus status, Instant checkpoint) {
        return new JobHealth(() -> Optional.ofNullable(status), () -> Optional.ofNullable(checkpoint),
                Duration.ofMinutes(1), CLOCK);
    }

    @Test
    void readyWhenRunningWithACheckpointAtTheMaximumAge() {
        assertThat(health(JobStatus.RUNNING, NOW.minusSeconds(60)).readiness().ok()).isTrue();
        assertThat(health(JobStatus.RUNNING, NOW.minusSeconds(61)).readiness().ok()).isFalse();
    }

    @Test
    void notReadyBeforeTheFirstCheckpoint() {
        JobHealth.Report r = health(JobStatus.RUNNING, null).readiness();
        assertThat(r.ok()).isFalse();
        assertThat(r.checks()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("checkpoint");
            assertThat(c.detail()).contains("no completed checkpoint");
        });
        assertThat(health(JobStatus.RUNNING, null).liveness().ok()).isTrue();
    }

    @Test
    void restartingIsLiveButNotReady() {
        JobHealth h = health(JobStatus.RESTARTING, NOW);
        assertThat(h.liveness().ok()).isTrue();
        assertThat(h.readiness().ok()).isFalse();
    }

    @Test
    void terminalOrUnknownStatusIsNeitherLiveNorReady() {
        for (JobStatus s : new JobStatus[] {JobStatus.FAILED, JobStatus.CANCELED, JobStatus.FINISHED, JobStatus.FAILING}) {
            assertThat(health(s, NOW).liveness().ok()).as(s.name()).isFalse();
            assertThat(health(s, NOW).readiness().ok()).as(s.name()).isFalse();
        }
        assertThat(health(null, NOW).liveness().checks().get(0).detail()).isEqualTo("unknown");
        assertThat(health(null, NOW).readiness().ok()).isFalse();
    }

    @Test
    void aCheckpointFromTheFutureCountsAsFresh() {
        // file times can run ahead of the clock by a little; never negative in the report
        JobHealth.Report r = health(JobStatus.RUNNING, NOW.plusSeconds(5)).readiness();
        assertThat(r.ok()).isTrue();
        assertThat(r.checks().get(1).detail()).startsWith("latest completed 0 ms ago");
    }
}
