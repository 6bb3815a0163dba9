package io.fleetwarden.jobs.flink;

import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.BurstWindow;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.SecurityRules;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * Burst rules over security events, keyed by subject ({@link SubjectEvent#key}). State: one
 * {@link BurstWindow} per rule that has seen events; an event-time timer resolves quiet bursts and
 * clears the state once nothing is left.
 */
public class SecurityBurstFunction extends KeyedProcessFunction<String, SubjectEvent, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private transient SecurityRules rules;
    private transient ValueState<Map<String, BurstWindow>> bursts;
    private transient ValueState<Long> timer;

    public SecurityBurstFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new SecurityRules(cfg);
        bursts = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("bursts",
                Types.MAP(Types.STRING, TypeInformation.of(BurstWindow.class))), cfg));
        timer = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("timer", Types.LONG), cfg));
    }

    @Override
    public void processElement(SubjectEvent in, Context ctx, Collector<Finding> out) throws Exception {
        Map<String, BurstWindow> state = bursts.value();
        if (state == null) {
            state = rules.newState();
        }
        rules.onInput(state, ctx.getCurrentKey(), in.event).forEach(out::collect);
        // Never ask for a timer at or before the current watermark: it would fire at once, again and again.
        save(state, ctx, ctx.timerService().currentWatermark() + 1);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        Map<String, BurstWindow> state = bursts.value();
        timer.clear();
        if (state == null) {
            return;
        }
        rules.onDeadline(state, ctx.getCurrentKey(), ts).forEach(out::collect);
        // Strictly after ts (terminates); may be at or before the watermark if it jumped: then it fires in this
        // same advance at exactly the time it would have fired had it been registered all along.
        save(state, ctx, ts + 1);
    }

    /**
     * Keeps one timer per subject at or before the rules' next time. A pending earlier timer is kept rather than
     * moved later (every counted event moves the next time): it fires, finds nothing due (the rules' timer
     * conditions are "now at or after a time", checked against the firing time) and registers the real one.
     */
    private void save(Map<String, BurstWindow> state, Context ctx, long earliest) throws Exception {
        if (rules.idle(state)) {
            bursts.clear();
            deleteTimer(ctx);
            return;
        }
        bursts.update(state);
        long next = Math.max(rules.nextDeadline(state), earliest);
        Long current = timer.value();
        if (current == null || next < current) {
            deleteTimer(ctx);
            ctx.timerService().registerEventTimeTimer(next);
            timer.update(next);
        }
    }

    private void deleteTimer(Context ctx) throws Exception {
        Long current = timer.value();
        if (current != null) {
            ctx.timerService().deleteEventTimeTimer(current);
            timer.clear();
        }
    }
}
