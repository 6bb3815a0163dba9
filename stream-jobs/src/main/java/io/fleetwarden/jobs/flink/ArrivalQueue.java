package io.fleetwarden.jobs.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A keyed first-in first-out queue: each input under its sequence number in a {@link MapState}, and the queue's span
 * (head, tail) in a {@link ValueState} that exists only while something is queued. Adding an input and taking one from
 * the head cost one state access each however long the queue is. A list state rewritten on every release, as the
 * per-device read-ahead hold used to be, costs the whole list per release: quadratic in what one key holds, and one key
 * can hold a lot (a device, or a claimed identity, with thousands of security events in a backlog).
 *
 * @param <T> the queued input type
 */
final class ArrivalQueue<T> {

    private final MapState<Long, T> items;
    /** {head, tail}: the items head .. tail - 1 are queued; no value when the queue is empty. */
    private final ValueState<long[]> span;

    private ArrivalQueue(MapState<Long, T> items, ValueState<long[]> span) {
        this.items = items;
        this.span = span;
    }

    /** Opens the queue's keyed state in {@code ctx} under {@code name} (from the operator's {@code open}). */
    static <T> ArrivalQueue<T> open(RuntimeContext ctx, String name, TypeInformation<T> type) {
        return new ArrivalQueue<>(ctx.getMapState(new MapStateDescriptor<>(name, Types.LONG, type)),
                ctx.getState(new ValueStateDescriptor<>(name + "-span", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)));
    }

    /** Appends {@code value} at the tail. */
    void add(T value) throws Exception {
        long[] s = span.value();
        long head = s == null ? 0 : s[0];
        long tail = s == null ? 0 : s[1];
        items.put(tail, value);
        span.update(new long[] {head, tail + 1});
    }

    /** Removes and returns the inputs at the head for as long as {@code due} accepts them, in arrival order. */
    List<T> pollWhile(Predicate<? super T> due) throws Exception {
        long[] s = span.value();
        if (s == null) {
            return List.of();
        }
        long head = s[0];
        List<T> out = new ArrayList<>();
        while (head < s[1]) {
            T v = items.get(head);
            if (!due.test(v)) {
                break;
            }
            items.remove(head);
            out.add(v);
            head++;
        }
        if (head == s[1]) {
            span.clear();
        } else if (head != s[0]) {
            span.update(new long[] {head, s[1]});
        }
        return out;
    }

    /** Keeps only the inputs {@code keep} accepts, in their order (a rare, whole-queue operation). */
    void retainIf(Predicate<? super T> keep) throws Exception {
        long[] s = span.value();
        if (s == null) {
            return;
        }
        List<T> kept = new ArrayList<>();
        for (long i = s[0]; i < s[1]; i++) {
            T v = items.get(i);
            items.remove(i);
            if (keep.test(v)) {
                kept.add(v);
            }
        }
        span.clear();
        for (T v : kept) {
            add(v);
        }
    }

    /** The input at the head, or null when nothing is queued. */
    T peek() throws Exception {
        long[] s = span.value();
        return s == null ? null : items.get(s[0]);
    }

    /** How many inputs are queued. */
    long size() throws Exception {
        long[] s = span.value();
        return s == null ? 0 : s[1] - s[0];
    }
}
