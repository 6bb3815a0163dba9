package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.ConnectivityRules;
import io.fleetwarden.jobs.detect.ConnectivityState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * Offline, flapping and identity-clone rules per device (key = device key), fed by telemetry and
 * verified security events. Reachability changes go to {@link #CHANGES} for the cohort stage. One
 * event-time timer per device, at the next offline deadline or burst quiet time.
 */
public class ConnectivityFunction extends KeyedCoProcessFunction<String, Telemetry, SecurityEvent, Finding> {

    private static final long serialVersionUID = 1L;

    /** Reachability changes, for the cohort stage and fleet health. */
    public static final OutputTag<ConnectivityChange> CHANGES = new OutputTag<>("connectivity-changes") {
        private static final long serialVersionUID = 1L;
    };

    private final DetectionConfig cfg;
    private transient ConnectivityRules rules;
    private transient ValueState<ConnectivityState> state;
    private transient ValueState<Long> timer;

    public ConnectivityFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new ConnectivityRules(cfg);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("connectivity", ConnectivityState.class), cfg));
        timer = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("timer", Types.LONG), cfg));
    }

    @Override
    public void processElement1(Telemetry t, Context ctx, Collector<Finding> out) throws Exception {
        ConnectivityState s = current();
        emit(rules.onTelemetry(s, t), out, ctx);
        save(s, ctx);
    }

    @Override
    public void processElement2(SecurityEvent e, Context ctx, Collector<Finding> out) throws Exception {
        ConnectivityState s = current();
        emit(rules.onSecurityEvent(s, e), out, ctx);
        save(s, ctx);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        timer.clear();
        ConnectivityState s = state.value();
        if (s == null) {
            return;
        }
        String[] key = DeviceKeys.parse(ctx.getCurrentKey());
        emit(rules.onTimer(s, key[0], key[1], ts), out, ctx);
        save(s, ctx);
    }

    private ConnectivityState current() throws Exception {
        ConnectivityState s = state.value();
        return s == null ? new ConnectivityState() : s;
    }

    private void emit(ConnectivityRules.Result r, Collector<Finding> out, Context ctx) {
        r.findings().forEach(out::collect);
        r.changes().forEach(c -> ctx.output(CHANGES, c));
    }

    private void save(ConnectivityState s, Context ctx) throws Exception {
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
