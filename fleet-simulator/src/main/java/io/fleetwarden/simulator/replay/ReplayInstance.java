package io.fleetwarden.simulator.replay;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One planned scenario instance of a replay and what it actually did. Its start and end in the
 * ground truth are the event times of the first and last record it produced (what a detector could
 * see), not the planned times: a device's next report may come seconds after the planned instant.
 */
final class ReplayInstance {

    final String id;
    final ReplayKind kind;
    final Set<String> devices = new LinkedHashSet<>();
    final Map<String, Set<String>> cohort = new LinkedHashMap<>();
    final Set<String> expectedRules = new TreeSet<>();
    /** A condition that lasts (e.g. a device running stale firmware): the instance ends with the replay. */
    boolean persistent;
    long firstAt = Long.MAX_VALUE;
    long lastAt = Long.MIN_VALUE;
    String note;

    ReplayInstance(String id, ReplayKind kind) {
        this.id = id;
        this.kind = kind;
    }

    /** Marks a record of this instance at {@code eventTime}. */
    void touch(long eventTime) {
        firstAt = Math.min(firstAt, eventTime);
        lastAt = Math.max(lastAt, eventTime);
    }

    boolean happened() {
        return firstAt != Long.MAX_VALUE;
    }

    void cohort(String dimension, String value) {
        cohort.computeIfAbsent(dimension, d -> new LinkedHashSet<>()).add(value);
    }
}
