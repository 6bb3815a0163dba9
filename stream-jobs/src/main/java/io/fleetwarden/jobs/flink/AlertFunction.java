package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.alerts.AlertLifecycle;
import io.fleetwarden.jobs.alerts.AlertState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.model.Alert;

/**
 * The alert stage (key = subject and rule, {@link Finding#alertKey()}): deduplicates findings into
 * one open alert per key and emits its revisions. State is dropped as soon as an alert resolves
 * (unless an incident fold is pending, which expires by event-time timer).
 */
public class AlertFunction extends KeyedProcessFunction<String, Finding, Alert> {

    private static final long serialVersionUID = 1L;
    /** How long an incident's fold waits for the member's own alert to open. */
    static final long PENDING_PARENT_MS = 30 * 60_000L;
    /**
     * How long (event time) a resolved RES-OFF-001 is kept for its incident's fold still on the way: the fold takes
     * the longer path (device-detectors, cohorts, this stage) than the member's own alert, and a member may come back
     * before it arrives.
     */
    static final long KEEP_RESOLVED_MS = 2 * 60_000L;
    /** How long (event time) an erased subject's tombstone drops findings up to its erasure: the allowed lateness. */
    static final long ERASED_KEPT_MS = FleetDetectionJob.ALLOWED_LATENESS.toMillis();

    private transient AlertLifecycle lifecycle;
    private transient ValueState<AlertState> state;
    private transient Counter revisions;

    @Override
    public void open(OpenContext ctx) {
        lifecycle = new AlertLifecycle(PENDING_PARENT_MS, KEEP_RESOLVED_MS);
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("alert", AlertState.class));
        revisions = getRuntimeContext().getMetricGroup().counter("alertRevisions");
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Alert> out) throws Exception {
        AlertState s = state.value();
        if (f.action == Finding.Action.ERASE) {
            // The device was erased: its alert is forgotten without a revision (the dashboard removes what it served),
            // and findings up to the erasure still on their way are dropped while the tombstone lasts.
            AlertState tombstone = new AlertState();
            tombstone.erasedAt = Math.max(f.timestamp, s == null ? Long.MIN_VALUE : s.erasedAt);
            state.update(tombstone);
            ctx.timerService().registerEventTimeTimer(tombstone.erasedAt + ERASED_KEPT_MS);
            return;
        }
        if (s == null) {
            s = new AlertState();
        } else if (s.erasedAt != Long.MIN_VALUE && f.timestamp <= s.erasedAt) {
            return;
        }
        lifecycle.apply(s, f).ifPresent(a -> {
            revisions.inc();
            out.collect(a);
        });
        // A kept resolved alert whose time already passed (e.g. the watermark moved on) is not kept at all.
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE) {
            lifecycle.expire(s, watermark);
        }
        if (s.isEmpty()) {
            state.clear();
        } else {
            state.update(s);
            if (s.pendingParent != null) {
                ctx.timerService().registerEventTimeTimer(s.pendingParentAt + PENDING_PARENT_MS + 1);
            }
            if (!s.open && s.alertId != null) {
                ctx.timerService().registerEventTimeTimer(s.keepResolvedUntil);
            }
        }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        AlertState s = state.value();
        if (s == null) {
            return;
        }
        lifecycle.expire(s, ts);
        if (s.erasedAt != Long.MIN_VALUE && ts >= s.erasedAt + ERASED_KEPT_MS) {
            s.erasedAt = Long.MIN_VALUE;
        }
        if (s.isEmpty()) {
            state.clear();
        } else {
            state.update(s);
        }
    }
}
