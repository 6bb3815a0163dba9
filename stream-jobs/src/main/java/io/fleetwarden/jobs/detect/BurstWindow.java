package io.fleetwarden.jobs.detect;

import java.util.Arrays;

/**
 * Exact "at least N events within W" over event time that keeps only the N latest timestamps, so
 * its state is bounded by the threshold (8 bytes per counted event) whatever the event rate.
 * Out-of-order events are inserted in order. A Flink POJO (public fields) kept in keyed state.
 *
 * <p>Once open, an update is reported each time the number of events since opening doubles, so a
 * brute force of a million attempts produces about twenty alert revisions, not a million.
 */
public class BurstWindow {

    /** Outcome of recording one event. */
    public enum Transition {
        NONE, OPENED, UPDATED,
        /**
         * The open burst's condition held earlier than it was first seen to: an earlier event arrived after later ones
         * (e.g. a campaign's attempts from addresses on different partitions, read at different speeds) and
         * {@link #openedAt} moved back to the time the condition first held.
         */
        BACKDATED
    }

    /** The latest timestamps, ascending, at most {@code threshold} of them (the larger threshold with a long horizon). */
    public long[] recent = new long[0];
    public boolean open;
    public long openedAt;
    public long lastEvent = Long.MIN_VALUE;
    public long eventsSinceOpen;
    public long reportedEvents;
    /** The open burst was opened by the long horizon (M within V), not by the short window. */
    public boolean slow;
    /**
     * Distinct sources (source addresses) of the events since the window was created, at most {@link #SOURCES_KEPT}, in
     * the order first seen; null until {@link #recordSource} is used (most windows never are). Device-chosen values:
     * bounded, and compared by equality.
     */
    public String[] sources;
    /** Events whose source was not in {@link #sources} once it was full (the campaign used more addresses). */
    public long unlistedSourceEvents;

    /** How many distinct sources a window lists. */
    public static final int SOURCES_KEPT = 16;

    public BurstWindow() {
    }

    /**
     * Records an event at {@code ts} and says whether the burst condition became true.
     *
     * @param threshold events needed (N, at least 1)
     * @param windowMs  width of the window (W): the N-th latest event must be within W of the latest
     */
    public Transition record(long ts, int threshold, long windowMs) {
        return record(ts, threshold, windowMs, 0, 0, false);
    }

    /**
     * Records an event at {@code ts} and says whether the burst condition became true: N events within W, or (a
     * second, longer horizon for the same behaviour spread out in time, e.g. password guessing at one attempt every
     * few minutes) M events within V. Keeps the max(N, M) latest timestamps, so the state stays bounded by the
     * thresholds whatever the event rate.
     *
     * @param threshold     events needed within {@code windowMs} (N, at least 1)
     * @param windowMs      width of the short window (W)
     * @param slowThreshold events needed within {@code slowWindowMs} (M), or 0 for no long horizon
     * @param slowWindowMs  width of the long horizon (V)
     * @param backdate      whether an event that arrives after later ones may move {@link #openedAt} back to the time
     *                      the condition first held ({@link Transition#BACKDATED}): for a threshold of 1 any such event
     *                      does; otherwise only as far as the kept timestamps show
     */
    public Transition record(long ts, int threshold, long windowMs, int slowThreshold, long slowWindowMs, boolean backdate) {
        int keep = Math.max(threshold, slowThreshold);
        long[] next;
        if (recent.length < keep) {
            next = Arrays.copyOf(recent, recent.length + 1);
            insert(next, recent.length, ts);
        } else if (ts > recent[recent.length - keep]) {
            // Drop the oldest, insert the new one in order.
            next = new long[keep];
            System.arraycopy(recent, recent.length - keep + 1, next, 0, keep - 1);
            insert(next, keep - 1, ts);
        } else if (!open) {
            return Transition.NONE; // older than everything we keep: cannot complete a burst
        } else {
            Transition t = countOnly(ts);
            // Older than everything kept: on its own a burst only when one event is one.
            return backdate && threshold == 1 && ts < openedAt ? backdateTo(ts) : t;
        }
        recent = next;
        lastEvent = Math.max(lastEvent, ts);
        if (open) {
            Transition t = countOnly(ts);
            if (backdate && ts < openedAt) {
                long since = Math.min(earliest(recent, threshold, windowMs),
                        slowThreshold > 0 ? earliest(recent, slowThreshold, slowWindowMs) : Long.MAX_VALUE);
                if (since < openedAt) {
                    return backdateTo(since);
                }
            }
            return t;
        }
        boolean burst = within(recent, threshold, windowMs);
        if (burst || (slowThreshold > 0 && within(recent, slowThreshold, slowWindowMs))) {
            open = true;
            openedAt = ts;
            slow = !burst;
            eventsSinceOpen = burst ? threshold : slowThreshold;
            reportedEvents = eventsSinceOpen;
            return Transition.OPENED;
        }
        return Transition.NONE;
    }

    private Transition backdateTo(long since) {
        openedAt = since;
        reportedEvents = eventsSinceOpen;
        return Transition.BACKDATED;
    }

    /** The earliest timestamp of the sorted {@code ts} that completes n within the window, or MAX_VALUE. */
    private static long earliest(long[] ts, int n, long windowMs) {
        for (int i = 0; i + n <= ts.length; i++) {
            if (ts[i + n - 1] - ts[i] < windowMs) {
                return ts[i + n - 1];
            }
        }
        return Long.MAX_VALUE;
    }

    /** Whether some {@code n} consecutive timestamps of the sorted {@code ts} span less than {@code windowMs}. */
    private static boolean within(long[] ts, int n, long windowMs) {
        return earliest(ts, n, windowMs) != Long.MAX_VALUE;
    }

    private Transition countOnly(long ts) {
        lastEvent = Math.max(lastEvent, ts);
        eventsSinceOpen++;
        if (eventsSinceOpen >= 2 * reportedEvents) {
            reportedEvents = eventsSinceOpen;
            return Transition.UPDATED;
        }
        return Transition.NONE;
    }

    private static void insert(long[] arr, int used, long ts) {
        int i = used;
        while (i > 0 && arr[i - 1] > ts) {
            arr[i] = arr[i - 1];
            i--;
        }
        arr[i] = ts;
    }

    /** Remembers the source of an event (a bounded list of distinct values plus a count of the ones not listed). */
    public void recordSource(String source) {
        if (source == null) {
            return;
        }
        String[] cur = sources == null ? new String[0] : sources;
        for (String s : cur) {
            if (s.equals(source)) {
                return;
            }
        }
        if (cur.length < SOURCES_KEPT) {
            String[] next = Arrays.copyOf(cur, cur.length + 1);
            next[cur.length] = source;
            sources = next;
        } else {
            unlistedSourceEvents++;
        }
    }

    /** Events kept whose timestamp is within {@code windowMs} before (and including) {@code end}. */
    public int countWithin(long end, long windowMs) {
        int n = 0;
        for (long t : recent) {
            if (t <= end && end - t < windowMs) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@code w}, or a new window when it is null. Rule states keep a window null until its first event: most
     * devices never need most windows, and a null field is neither allocated nor read (nor a cache miss) per record.
     */
    public static BurstWindow orNew(BurstWindow w) {
        return w == null ? new BurstWindow() : w;
    }

    /** Whether {@code w} is an open burst (a null window is not). */
    public static boolean isOpen(BurstWindow w) {
        return w != null && w.open;
    }

    /** {@link #quietExpired(long, long)} of a window that may be null (never used). */
    public static boolean quietExpired(BurstWindow w, long now, long quietMs) {
        return w != null && w.quietExpired(now, quietMs);
    }

    /** Whether an open burst has been quiet long enough at {@code now} to resolve itself. */
    public boolean quietExpired(long now, long quietMs) {
        return open && now - lastEvent >= quietMs;
    }

    /** Closes the burst and forgets its events (they are older than the quiet period anyway). */
    public void close() {
        open = false;
        recent = new long[0];
        eventsSinceOpen = 0;
        reportedEvents = 0;
        slow = false;
    }
}
