package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;

/**
 * A job started on a backlog: the sources read hours of it before their first watermark (ReplayDetectionIT's runs: the
 * per-device operator's first watermark came 4.5 to 5.3 h into the replay's event time), so the reachability changes made
 * until then, and those made when the per-device subtasks release their held security events at that first watermark,
 * reach the cohort operator before it has any watermark, each per-device subtask's on its own channel, interleaved as
 * the channels happen to deliver. These are the first outage's verdicts when one subtask's channel delivers all its
 * changes before the other's, either way round.
 */
class BacklogStartHarnessTest {

    private static final long MIN = 60_000;
    private static final long H = 3_600_000;

    /** The history's devices split as two per-device subtasks would hold them (by the device's number). */
    private static int subtask(ConnectivityChange c) {
        return Integer.parseInt(c.deviceId.substring(4)) % 2;
    }

    @Test
    void theChangesBeforeTheCohortsFirstWatermarkAreAppliedInEventTimeWhicheverChannelDeliversFirst() throws Exception {
        List<CohortInterleavingHarnessTest.In> history = ReadAheadHoldHarnessTest.asFromTheBroker(CohortInterleavingHarnessTest.history(4 * H));
        List<Finding> inStep = CohortInterleavingHarnessTest.run(
                ReadAheadHoldHarnessTest.asFromTheBroker(CohortInterleavingHarnessTest.history(0)), 0, ReadAheadHoldHarnessTest.bounded());
        // The first watermark ten minutes of telemetry after the first outage began (its disconnects read hours before).
        long firstWatermark = CohortInterleavingHarnessTest.OUTAGE_1 + 10 * MIN;
        Comparator<ConnectivityChange> evenFirst = Comparator.comparingInt(BacklogStartHarnessTest::subtask);
        List<Finding> evenChannelFirst = CohortInterleavingHarnessTest.run(history, 0, ReadAheadHoldHarnessTest.bounded(), firstWatermark, evenFirst);
        List<Finding> oddChannelFirst = CohortInterleavingHarnessTest.run(history, 0, ReadAheadHoldHarnessTest.bounded(), firstWatermark,
                evenFirst.reversed());

        assertThat(CohortInterleavingHarnessTest.folds(inStep).values()).extracting(Set::size).containsExactlyInAnyOrder(21, 43);
        assertThat(CohortInterleavingHarnessTest.verdicts(evenChannelFirst)).as("one subtask's channel first: the verdicts read in step")
                .containsExactlyElementsOf(CohortInterleavingHarnessTest.verdicts(inStep));
        assertThat(CohortInterleavingHarnessTest.verdicts(oddChannelFirst)).as("the other's first: the same")
                .containsExactlyElementsOf(CohortInterleavingHarnessTest.verdicts(inStep));
    }
}
