package io.fleetwarden.jobs.flink;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Keyed inputs held until the watermark reaches their event time, then handed over in event-time order with a fixed
 * order within one millisecond: for operators whose verdicts depend on the order of their inputs, which come from
 * parallel subtasks and sources read apart, so that the verdicts depend on event time only, never on arrival order.
 *
 * <p>Inputs are kept in a {@link MapState} by timestamp, each timestamp with its own event-time timer, so a timer
 * hands over exactly its own inputs and holding costs the same per input however many are held (a single list
 * scanned on every timer was quadratic). No state TTL: each held list is removed by its own timer, checkpointed with
 * it. The operator calls {@link #holdIfAhead} for every input and {@link #release} from {@code onTimer}.
 *
 * @param <T> the held input type
 */
final class EventTimeHold<T> {

    /** The state's name (kept from the operators that held by hand, so their savepoints restore). */
    static final String STATE_NAME = "held-by-release-time";

    private final MapState<Long, List<T>> held;
    private final Comparator<? super T> sameMillisecond;

    private EventTimeHold(MapState<Long, List<T>> held, Comparator<? super T> sameMillisecond) {
        this.held = held;
        this.sameMillisecond = sameMillisecond;
    }

    /** Opens the hold's keyed state in {@code ctx} (from the operator's {@code open}). */
    static <T> EventTimeHold<T> open(RuntimeContext ctx, TypeInformation<T> type, Comparator<? super T> sameMillisecond) {
        return new EventTimeHold<>(ctx.getMapState(new MapStateDescriptor<>(STATE_NAME, Types.LONG, Types.LIST(type))),
                sameMillisecond);
    }

    /**
     * Holds {@code value} when its {@code timestamp} is ahead of the watermark (true); false when it is to be applied at
     * once: at or behind the watermark (late).
     *
     * <p>Inputs before the operator's first watermark are held too, until it comes (their timers then fire in timestamp
     * order). On a start on a backlog the sources read hours of event time before their first watermark, and the upstream
     * subtasks release what they held at their own first watermarks: all of that reaches this operator before its first
     * watermark, one subtask's channel interleaved with another's as they happen to deliver. Applied at once, the verdicts
     * followed that arrival order (ReplayDetectionIT: a regional outage's members on one per-device subtask counted after
     * the incident had opened, {@code BacklogStartHarnessTest}).
     */
    boolean holdIfAhead(T value, long timestamp, TimerService timers) throws Exception {
        long wm = timers.currentWatermark();
        if (wm != Long.MIN_VALUE && timestamp <= wm) {
            return false;
        }
        List<T> before = held.get(timestamp);
        if (before == null) {
            timers.registerEventTimeTimer(timestamp);
        }
        // A new list (a bucket holds the few inputs of one millisecond): never a state object changed in place.
        List<T> bucket = new ArrayList<>(before == null ? 1 : before.size() + 1);
        if (before != null) {
            bucket.addAll(before);
        }
        bucket.add(value);
        held.put(timestamp, bucket);
        return true;
    }

    /**
     * The inputs held for {@code timestamp}, removed from the hold and sorted by the same-millisecond order (stable: one
     * source's inputs of one millisecond keep their arrival order); empty when none. Earlier timestamps had their own
     * timers, which fire in timestamp order, so successive releases are in event-time order.
     */
    List<T> release(long timestamp) throws Exception {
        List<T> due = held.get(timestamp);
        if (due == null) {
            return List.of();
        }
        held.remove(timestamp);
        List<T> ordered = new ArrayList<>(due);
        ordered.sort(sameMillisecond);
        return ordered;
    }

    /** Whether inputs are held for {@code timestamp} (its timer must then not be deleted). */
    boolean holds(long timestamp) throws Exception {
        return held.contains(timestamp);
    }
}
