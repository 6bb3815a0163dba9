package io.fleetwarden.jobs.flink;

import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.FleetRule;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The cohort rules (key = {@code tenant|dimension=value}): a list of {@link FleetRule}s over connectivity changes,
 * by default {@link CohortRules} (outage incidents with their members' folds, reconnect storms). Knows no rule by
 * name: each rule's state is kept under its name, and one event-time timer per cohort serves the earliest deadline.
 *
 * <p><b>Event-time order.</b> The rules decide from the changes in the order they are handed over (the significance
 * test at each drop, the background rate's closed hours, an incident's onset members), so that order must be event time,
 * never arrival order: the changes come from several partitions, two sources read apart (telemetry, security events;
 * watermark alignment lets one run up to {@code --watermark-drift} ahead) and parallel device-stage subtasks, whose
 * interleaving differs from run to run. So every change ahead of the watermark is held in keyed state and handed to the
 * rules when the watermark reaches its timestamp; the changes of one millisecond in device-id order (one device's own
 * changes keep their order). Each watermark step is thus applied in event-time order with a deterministic tie-break, and
 * the verdicts depend on event time only ({@code CohortInterleavingHarnessTest}). A change at or behind the watermark
 * (late) goes to the rules at once. The changes before the operator's first watermark are held too: on a start on a
 * backlog they are hours of changes from both per-device subtasks, interleaved as their channels deliver
 * ({@code BacklogStartHarnessTest}). Cost: live, a change waits for the watermark, i.e. the sources' out-of-orderness
 * plus at most one watermark interval.
 *
 * <p>The hold is {@link EventTimeHold} (constant cost per change however many are held). The rules' timer is never
 * deleted while held changes share it, so no held change loses its timer.
 */
public class CohortFunction extends KeyedProcessFunction<String, ConnectivityChange, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private final List<FleetRule<ConnectivityChange, ?>> rules;
    private transient ValueState<Object>[] states;
    private transient ValueState<Long> timer;
    /** Changes ahead of the watermark, until it reaches them. */
    private transient EventTimeHold<ConnectivityChange> held;

    /** The order of the changes of one millisecond: by device (a stable sort keeps one device's changes in order). */
    private static final Comparator<ConnectivityChange> SAME_MILLISECOND =
            Comparator.comparing(c -> c.deviceId, Comparator.nullsFirst(Comparator.naturalOrder()));

    public CohortFunction(DetectionConfig cfg) {
        this(cfg, List.of(new CohortRules(cfg)));
    }

    /** With these cohort rules (names unique). */
    public CohortFunction(DetectionConfig cfg, List<FleetRule<ConnectivityChange, ?>> rules) {
        if (rules.stream().map(FleetRule::name).distinct().count() != rules.size()) {
            throw new IllegalArgumentException("two cohort rules share a name");
        }
        this.cfg = cfg;
        this.rules = List.copyOf(rules);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void open(OpenContext ctx) {
        states = new ValueState[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            FleetRule<ConnectivityChange, ?> r = rules.get(i);
            states[i] = getRuntimeContext().getState(States.withTtl(
                    new ValueStateDescriptor<>(r.name(), (TypeInformation) TypeInformation.of(r.stateClass())), cfg));
        }
        timer = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("timer", Types.LONG), cfg));
        // No TTL on the held changes: each is released (and removed) by its own event-time timer, which is checkpointed
        // with it. TTL's incremental clean-up would also walk another key's whole held map on every access, which on a
        // backlog (thousands held per cohort) cost more than the cohort rules themselves.
        held = EventTimeHold.open(getRuntimeContext(), TypeInformation.of(ConnectivityChange.class), SAME_MILLISECOND);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void processElement(ConnectivityChange c, Context ctx, Collector<Finding> out) throws Exception {
        if (held.holdIfAhead(c, c.timestamp, ctx.timerService())) {
            return;
        }
        apply(c, ctx, out);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void apply(ConnectivityChange c, Context ctx, Collector<Finding> out) throws Exception {
        String key = ctx.getCurrentKey();
        long next = FleetRule.NO_DEADLINE;
        for (int i = 0; i < rules.size(); i++) {
            FleetRule r = rules.get(i);
            Object s = states[i].value();
            if (s == null) {
                s = r.newState();
            }
            ((List<Finding>) r.onInput(s, key, c)).forEach(out::collect);
            next = Math.min(next, save(i, r, s));
        }
        schedule(next, ctx);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        timer.clear();
        String key = ctx.getCurrentKey();
        long next = FleetRule.NO_DEADLINE;
        for (int i = 0; i < rules.size(); i++) {
            FleetRule r = rules.get(i);
            Object s = states[i].value();
            if (s == null) {
                continue;
            }
            if (ts >= r.nextDeadline(s)) {
                ((List<Finding>) r.onDeadline(s, key, ts)).forEach(out::collect);
            }
            next = Math.min(next, save(i, r, s));
        }
        schedule(next, ctx);
        release(ts, ctx, out);
    }

    /**
     * Hands the changes held for {@code now} to the rules, by device id (they share one timestamp). Earlier timestamps
     * had their own timers, which fire in timestamp order, so the rules see the held changes in event-time order.
     */
    private void release(long now, Context ctx, Collector<Finding> out) throws Exception {
        for (ConnectivityChange c : held.release(now)) {
            apply(c, ctx, out);
        }
    }

    /** Keeps (or drops) a rule's state; returns its next deadline. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private long save(int i, FleetRule r, Object s) throws Exception {
        if (r.idle(s)) {
            states[i].clear();
            return FleetRule.NO_DEADLINE;
        }
        states[i].update(s);
        return r.nextDeadline(s);
    }

    private void schedule(long wanted, Context ctx) throws Exception {
        // Never ask for a timer at or before the current watermark: it would fire at once, again and again.
        long next = Math.max(wanted, ctx.timerService().currentWatermark() + 1);
        Long current = timer.value();
        if (current != null && current == next) {
            return;
        }
        if (current != null) {
            // Held changes may share the timer: it must still fire then (it finds no rule deadline due, only its changes).
            if (!held.holds(current)) {
                ctx.timerService().deleteEventTimeTimer(current);
            }
            timer.clear();
        }
        if (wanted != FleetRule.NO_DEADLINE) {
            ctx.timerService().registerEventTimeTimer(next);
            timer.update(next);
        }
    }
}
