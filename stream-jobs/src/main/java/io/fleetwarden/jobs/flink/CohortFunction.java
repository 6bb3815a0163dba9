package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.CohortState;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * Cohort outage and reconnect-storm rules (key = {@code tenant|dimension=value}). Emits the incident
 * alert's findings and FOLD findings that attach each member's offline alert to the incident.
 */
public class CohortFunction extends KeyedProcessFunction<String, ConnectivityChange, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private transient CohortRules rules;
    private transient ValueState<CohortState> state;
    private transient ValueState<Long> timer;

    public CohortFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new CohortRules(cfg);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("cohort", CohortState.class), cfg));
        timer = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("timer", Types.LONG), cfg));
    }

    @Override
    public void processElement(ConnectivityChange c, Context ctx, Collector<Finding> out) throws Exception {
        CohortState s = state.value();
        if (s == null) {
            s = new CohortState();
        }
        rules.onChange(s, c).forEach(out::collect);
        save(s, ctx);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        timer.clear();
        CohortState s = state.value();
        if (s == null) {
            return;
        }
        String key = ctx.getCurrentKey();
        int bar = key.indexOf('|');
        int eq = key.indexOf('=', bar);
        rules.onTimer(s, key.substring(0, bar), key.substring(bar + 1, eq), key.substring(eq + 1), ts).forEach(out::collect);
        save(s, ctx);
    }

    private void save(CohortState s, Context ctx) throws Exception {
        state.update(s);
        // Never ask for a timer at or before the current watermark: it would fire at once, again and again.
        long next = Math.max(rules.nextTimer(s), ctx.timerService().currentWatermark() + 1);
        Long current = timer.value();
        if (current != null && current == next) {
            return;
        }
        if (current != null) {
            ctx.timerService().deleteEventTimeTimer(current);
            timer.clear();
        }
        if (next != Long.MAX_VALUE && rules.nextTimer(s) != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(next);
            timer.update(next);
        }
    }
}
