package io.fleetwarden.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.simulator.score.AlertView;
import io.fleetwarden.simulator.score.GroundTruth;
import io.fleetwarden.simulator.score.ScorecardPrinter;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * A compact replay through the REAL detection job: every attack kind twice, each at a seeded random time,
 * over a day of benign life, written to real Kafka (KRaft, test-support) and run through stream-jobs'
 * {@code FleetDetectionJobMain.build} on a Flink MiniCluster with parallelism 2, then scored in event
 * time.
 *
 * <p>The build asserts the current truth: the scorecard's gaps (missed expected rules, false alerts,
 * time to detect over target) must be exactly {@link #KNOWN_GAPS}. A fixed rule removes a gap and fails
 * this test until the line is deleted; a regression adds one and fails it too. So the list only
 * shrinks deliberately.
 */
class ReplayDetectionIT {

    /**
     * 200 devices x 24 simulated hours (~1.3 M records), every attack kind twice. The brief's 1,000 devices x 2 days is ~13 M
     * records; on this shared 2-core machine that is far beyond the few minutes an IT may take.
     */
    static final ReplayOptions OPTIONS = new ReplayOptions(42, 200, Duration.ofHours(24), "acme", ReplayOptions.DEFAULT_START, 2,
            Duration.ofMinutes(2), ReplayKind.parseAttacks("all"), 2);

    /** Every gap of the current rules on this replay, with why. See the README, "Detection quality". */
    static final List<String> KNOWN_GAPS = List.of(
            // low-and-slow exfiltration (x4 over 11 h; x2.8 over 17 h from the device's first minutes, so its usual ratio
            // is seeded while it ramps) is found by CMP-NET-004's same-hour peer horizon 3.9 h and 7.9 h into the ramp: a
            // ramp's first hours are within any device's noise, so hours after it starts, over the 1 h target; a camera
            // joining at x7.1 its traffic is found 1.8 h after its first report (its first, partial hour stays under
            // the peers' fence)
            "slow CMP-NET-004 (baseline: p95 > 1 h)");

    /** Rules whose alerts are cohort incidents (their members' alerts fold into them). */
    private static final Set<String> COHORT_RULES = Set.of("RES-COH-001", "RES-STORM-001");

    @RegisterExtension
    static final KafkaExtension KAFKA = ReplayPipeline.kafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = DetectionJobRun.miniCluster();

    @TempDir
    Path work;

    @Test
    @Timeout(900)
    void everyAttackDetectedNoFalseAlertTimeToDetectOnTargetExceptTheKnownGaps() throws Exception {
        ReplayPipeline.Outcome out = ReplayPipeline.run(OPTIONS, KAFKA.bootstrapServers(), work,
                StreamExecutionEnvironment.getExecutionEnvironment(), Duration.ofMinutes(10));
        System.out.printf("replay: %,d telemetry + %,d security events, %,.0f device-hours, written in %.1f s; job %.1f s; total %.1f s%n",
                out.replay().telemetry(), out.replay().securityEvents(), out.replay().deviceHours(),
                out.replay().elapsed().toMillis() / 1000.0, out.jobSeconds(), out.totalSeconds());
        System.out.print(ScorecardPrinter.text(out.report()));
        Path json = Path.of("target", "replay-it-scorecard.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, ScorecardPrinter.json(out.report()));

        Files.copy(work.resolve("ground-truth.jsonl"), Path.of("target", "replay-it-ground-truth.jsonl"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        StringBuilder dump = new StringBuilder();
        for (var a : DetectionGaps.distinct(out.alerts())) {
            dump.append(line(a)).append('\n');
        }
        Files.writeString(Path.of("target", "replay-it-alerts.txt"), dump);
        StringBuilder revisions = new StringBuilder();
        for (AlertView a : out.alerts()) {
            revisions.append(line(a)).append(' ').append(a.alertId())
                    .append(a.parentAlertId() == null ? "" : " folded into " + a.parentAlertId()).append('\n');
        }
        Files.writeString(Path.of("target", "replay-it-alert-revisions.txt"), revisions);
        GroundTruth truth = GroundTruth.read(work.resolve("ground-truth.jsonl"));
        Map<String, Integer> gaps = DetectionGaps.of(truth, out.alerts(), out.report(), Duration.ofMinutes(5));
        gaps.forEach((g, n) -> System.out.println("gap: " + g + " (x" + n + ")"));

        assertThat(out.report().overall().attackScenarios()).as("every attack kind played, twice")
                .isEqualTo(2 * ReplayKind.parseAttacks("all").size());
        assertThat(new TreeSet<>(gaps.keySet())).as("gaps of the current rules (a fixed gap must be removed from KNOWN_GAPS); the run's cohort alerts:%n%s",
                        cohortRevisions(out.alerts()))
                .containsExactlyElementsOf(new TreeSet<>(KNOWN_GAPS));
    }

    /** An alert as the dumps name it: opened at, rule, device or cohort. */
    private static String line(AlertView a) {
        return a.openedAt() + " " + a.ruleId() + " " + (a.deviceId() != null ? a.deviceId() : a.cohortDimension() + "=" + a.cohortValue());
    }

    /**
     * Every revision of the cohort alerts (RES-COH-001, RES-STORM-001) and of the folds naming them, in event time: what a
     * failing run's gap needs to be explained (the CI log keeps the assertion message, not the job's output).
     */
    static String cohortRevisions(List<AlertView> alerts) {
        Set<String> incidents = new HashSet<>();
        for (AlertView a : alerts) {
            if (a.deviceId() == null && COHORT_RULES.contains(a.ruleId())) {
                incidents.add(a.alertId());
            }
        }
        StringBuilder b = new StringBuilder();
        Map<String, Integer> folds = new TreeMap<>();
        alerts.stream().sorted(Comparator.comparing(AlertView::openedAt)).forEach(a -> {
            if (incidents.contains(a.alertId())) {
                b.append(String.format("  %s %s %s=%s %s%n", a.openedAt(), a.ruleId(), a.cohortDimension(), a.cohortValue(), a.alertId()));
            } else if (a.parentAlertId() != null) {
                folds.merge(a.parentAlertId(), 1, Integer::sum);
            }
        });
        folds.forEach((id, n) -> b.append(String.format("  %d fold(s) into %s%s%n", n, id, incidents.contains(id) ? "" : " (no such incident read)")));
        return b.toString();
    }
}
