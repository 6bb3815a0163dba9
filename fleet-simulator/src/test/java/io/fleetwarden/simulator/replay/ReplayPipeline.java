package io.fleetwarden.simulator.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.model.Topics;
import io.fleetwarden.simulator.score.AlertReader;
import io.fleetwarden.simulator.score.AlertView;
import io.fleetwarden.simulator.score.GroundTruth;
import io.fleetwarden.simulator.score.Scorecard;
import io.fleetwarden.simulator.score.ScorecardReport;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Replay → Kafka → the real detection job ({@code FleetDetectionJobMain.build}, exactly as deployed:
 * Kafka sources with per-partition watermarks, exactly-once sinks) → {@code fleet.alerts} → scorecard.
 * Shared by {@code ReplayDetectionIT} and {@code ReplayBenchmark}.
 */
final class ReplayPipeline {

    /**
     * What one pass measured.
     *
     * @param replay      the replay's own figures
     * @param jobSeconds  job start to every input record consumed and checkpointed
     * @param totalSeconds replay start to alerts read
     * @param alerts      every alert revision read
     * @param report      the scorecard
     */
    record Outcome(Replay.Result replay, double jobSeconds, double totalSeconds, List<AlertView> alerts, ScorecardReport report) {
    }

    private ReplayPipeline() {
    }

    /**
     * Kafka with the topics the job reads and writes, two partitions for the keyed streams and one for the others
     * (the partitioning the replay's known gaps were judged on).
     */
    static KafkaExtension kafka() {
        return KafkaExtension.builder()
                .topic(TopicSpec.of(Topics.TELEMETRY).withPartitions(2))
                .topic(TopicSpec.of(Topics.SECURITY_EVENTS).withPartitions(2))
                .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG))
                .topic(TopicSpec.compacted(Topics.ADVISORIES))
                .topic(TopicSpec.of(Topics.ALERTS).withPartitions(2))
                .topic(TopicSpec.compacted(Topics.DEVICE_STATUS).withPartitions(2))
                .topic(TopicSpec.of(Topics.DEAD_LETTERS))
                .topic(TopicSpec.of(Topics.DEVICE_EVENTS))
                .topic(TopicSpec.compacted(Topics.ERASURES))
                .build();
    }

    static Outcome run(ReplayOptions o, String bootstrap, Path workDir, StreamExecutionEnvironment env, Duration timeout)
            throws Exception {
        long t0 = System.nanoTime();
        Path truthFile = workDir.resolve("ground-truth.jsonl");
        Replay.Result replay = Replay.toKafka(o, bootstrap, truthFile);
        long t1 = System.nanoTime();
        String group = "replay-" + Long.toHexString(System.nanoTime());
        // Deployed defaults except the idleness: a processing-time idleness of 30 s on a loaded CPU declared busy
        // telemetry splits idle, so the watermark jumped ahead and every device looked offline at once (phantom cohort
        // outages; see the README, "Detection quality"). Not 10 min either: with watermark alignment a security-events
        // partition whose last record lies more than --watermark-drift before the end of the replay holds the others
        // back until it is declared idle.
        try (DetectionJobRun job = DetectionJobRun.on(bootstrap, workDir.resolve("checkpoints")).group(group)
                .jobName("fleetwarden-replay").args("--idleness", "2m").env(env).start()) {
            job.awaitConsumed(timeout);
            Thread.sleep(6_000); // two more checkpoints: the last alerts' transactions commit
        }
        long t2 = System.nanoTime();
        List<AlertView> alerts = AlertReader.readAll(bootstrap, Duration.ofSeconds(60), w -> System.err.println("warning: " + w));
        ScorecardReport report = new Scorecard(Duration.ofMinutes(5)).score(GroundTruth.read(truthFile), alerts);
        return new Outcome(replay, (t2 - t1) / 1e9, (System.nanoTime() - t0) / 1e9, alerts, report);
    }
}
