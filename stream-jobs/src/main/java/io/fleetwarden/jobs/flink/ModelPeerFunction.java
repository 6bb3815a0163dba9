package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.ModelPeerRules;
import io.fleetwarden.jobs.detect.ModelPeerState;
import io.fleetwarden.jobs.detect.PeerHour;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * Devices against their model's peers (key = {@code tenant|model=...}). Input: the peer observations of
 * every telemetry report, in batches per model ({@link PeerBatchOperator}). State per model, not per device:
 * no Flink state TTL (per-access bookkeeping); a lazy retention timer drops a model's state
 * {@code state.ttl} of event time after its newest observation. Side output {@link #HOURS}: each device's closed hour of
 * outbound traffic next to its peers' median for that hour, for the per-device stage {@link PeerRatioFunction}.
 */
public class ModelPeerFunction extends KeyedProcessFunction<String, PeerBatch, Finding> {

    private static final long serialVersionUID = 1L;

    /** A device's closed hour against its model's same-hour peers (CMP-NET-004's slow horizon), one per device and hour. */
    public static final OutputTag<PeerHour> HOURS = new OutputTag<>("peer-hours") {
    };

    private final DetectionConfig cfg;
    private transient ModelPeerRules rules;
    private transient ValueState<ModelPeerState> state;

    public ModelPeerFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new ModelPeerRules(cfg);
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("model-peers", ModelPeerState.class));
    }

    @Override
    public void processElement(PeerBatch batch, Context ctx, Collector<Finding> out) throws Exception {
        ModelPeerState s = state.value();
        if (s == null) {
            s = rules.newState();
        }
        String key = ctx.getCurrentKey();
        // In the order the observations were made (one device-detectors subtask), as if they had come one by one.
        for (PeerObservation o : batch.observations()) {
            rules.onInput(s, key, o).forEach(out::collect);
            PeerHour hour = rules.peerHour(s, o);
            if (hour != null) {
                ctx.output(HOURS, hour);
            }
            s.lastObservation = Math.max(s.lastObservation, o.timestamp);
        }
        ensureTimer(s, ctx.timerService());
        state.update(s);
    }

    /** Drops the model's state when it saw nothing for state.ttl, else waits for the moved deadline. */
    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        ModelPeerState s = state.value();
        if (s == null) {
            return;
        }
        s.timer = Long.MIN_VALUE;
        if (ts >= s.lastObservation + cfg.deviceStateTtlMs) {
            state.clear();
            return;
        }
        ensureTimer(s, ctx.timerService());
        state.update(s);
    }

    /** At most one pending timer per model; a later deadline does not move it (it fires and re-registers). */
    private void ensureTimer(ModelPeerState s, TimerService timers) {
        if (s.timer == Long.MIN_VALUE && s.lastObservation != Long.MIN_VALUE) {
            s.timer = Math.max(s.lastObservation + cfg.deviceStateTtlMs, timers.currentWatermark() + 1);
            timers.registerEventTimeTimer(s.timer);
        }
    }
}
