package io.fleetwarden.jobs.flink;

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
 */
public class CohortFunction extends KeyedProcessFunction<String, ConnectivityChange, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private final List<FleetRule<ConnectivityChange, ?>> rules;
    private transient ValueState<Object>[] states;
    private transient ValueState<Long> timer;

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
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void processElement(ConnectivityChange c, Context ctx, Collector<Finding> out) throws Exception {
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
            ctx.timerService().deleteEventTimeTimer(current);
            timer.clear();
        }
        if (wanted != FleetRule.NO_DEADLINE) {
            ctx.timerService().registerEventTimeTimer(next);
            timer.update(next);
        }
    }
}
