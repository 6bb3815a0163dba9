package io.fleetwarden.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * The cohort's pruning walks a map only when something in it may have expired ({@link CohortRules#expire} and the
 * floors in {@link CohortState}); these pin that it still forgets exactly what expired, when it expired.
 */
class CohortPruningTest {

    private static final long T0 = 1_800_000_000_000L;
    private final DetectionConfig cfg = DetectionConfig.defaults();
    private final CohortRules rules = new CohortRules(cfg);

    @Test
    void expireRemovesExactlyWhatIsAtOrBeforeTheHorizonAndReturnsTheOldestLeft() {
        Map<String, Long> times = new HashMap<>(Map.of("a", 10L, "b", 20L, "c", 30L));
        assertThat(CohortRules.expire(times, Long.MIN_VALUE, 20)).isEqualTo(30);
        assertThat(times).containsOnlyKeys("c");
        assertThat(CohortRules.expire(times, 30, 29)).as("nothing can be that old: no walk").isEqualTo(30);
        assertThat(CohortRules.expire(times, 30, 30)).isEqualTo(Long.MAX_VALUE);
        assertThat(times).isEmpty();
    }

    @Test
    void aFloorBelowTheOldestEntryStillLeadsToExactlyTheSameExpiry() {
        Map<String, Long> times = new HashMap<>(Map.of("b", 20L, "c", 30L));
        // floor 10: an entry at 10 was removed otherwise (a member came back); the walk happens and is exact
        assertThat(CohortRules.expire(times, 10, 15)).isEqualTo(20);
        assertThat(times).containsOnlyKeys("b", "c");
    }

    @Test
    void aDropWhoseDeviceCameBackMovesTheTimerEarlyOnceThenTheOtherDropExpiresAtItsOwnTime() {
        CohortState s = threeJoined();
        drop(s, "a", T0 + 1_000);
        drop(s, "b", T0 + 2_000);
        assertThat(rules.nextTimer(s)).isEqualTo(T0 + 1_000 + cfg.cohortWindowMs);
        back(s, "a", T0 + 3_000);
        // the floor still says T0 + 1 s: a timer may fire early (so may the storm rule's), and then finds the exact oldest
        // drop; b's drop stays until its own expiry
        long due = T0 + 2_000 + cfg.cohortWindowMs;
        int early = 0;
        for (long next = rules.nextTimer(s); next < due; next = rules.nextTimer(s)) {
            assertThat(++early).as("early timers").isLessThanOrEqualTo(2);
            rules.onTimer(s, "t", "region", "eu", next);
            assertThat(CohortRules.dropsOf(s)).containsOnlyKeys("b");
        }
        assertThat(rules.nextTimer(s)).isEqualTo(due);
        rules.onTimer(s, "t", "region", "eu", T0 + 2_000 + cfg.cohortWindowMs - 1);
        assertThat(CohortRules.dropsOf(s)).as("not expired a millisecond early").containsOnlyKeys("b");
        rules.onTimer(s, "t", "region", "eu", T0 + 2_000 + cfg.cohortWindowMs);
        assertThat(CohortRules.dropsOf(s)).isEmpty();
    }

    @Test
    void stateWrittenBeforeTheFloorsIsPrunedAsBefore() {
        CohortState s = threeJoined();
        drop(s, "a", T0 + 1_000);
        s.dropsFloor = 0; // as restored from state without the field (or any stale low bound)
        s.lostFloor = 0;
        rules.onTimer(s, "t", "region", "eu", T0 + 1_000 + cfg.cohortWindowMs);
        assertThat(CohortRules.dropsOf(s)).isEmpty();
        assertThat(s.lost).isEmpty();
    }

    /** A cohort of three devices (a, b, c) that all joined at {@code T0}. */
    private CohortState threeJoined() {
        CohortState s = new CohortState();
        for (String device : new String[] {"a", "b", "c"}) {
            join(s, device, T0);
        }
        return s;
    }

    private void join(CohortState s, String device, long ts) {
        rules.onChange(s, change(device, true, ts, ConnectivityChange.FIRST_SEEN));
    }

    private void drop(CohortState s, String device, long ts) {
        rules.onChange(s, change(device, false, ts, SecurityEventReasons.CONNECTION_LOST));
    }

    private void back(CohortState s, String device, long ts) {
        rules.onChange(s, change(device, true, ts, "connected"));
    }

    private static ConnectivityChange change(String device, boolean online, long ts, String reason) {
        ConnectivityChange c = new ConnectivityChange("t", device, null, "eu", null, online, ts, reason);
        c.cohortDimension = "region";
        c.cohortValue = "eu";
        return c;
    }
}
