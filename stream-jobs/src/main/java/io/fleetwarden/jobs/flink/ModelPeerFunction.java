package io.fleetwarden.jobs.flink;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
 *
 * <p>Time: a device's closed hour is its vote for that hour at once, but it is judged only when the watermark passes the
 * hour's end plus {@code traffic.peerGrace} ({@link ModelPeerRules#finalAt}, an event-time timer per model and hour),
 * against the hour's final figures; until then it waits in {@code pending} (a map state entry per device that voted,
 * gone after the grace). So which hour's median judges a device, and which votes are in it, depends on event time only,
 * not on how the sources interleave.
 */
public class ModelPeerFunction extends KeyedProcessFunction<String, PeerBatch, Finding> {

    private static final long serialVersionUID = 1L;

    /** A device's closed hour against its model's same-hour peers (CMP-NET-004's slow horizon), one per device and hour. */
    public static final OutputTag<PeerHour> HOURS = new OutputTag<>("peer-hours") {
    };

    private final DetectionConfig cfg;
    private transient ModelPeerRules rules;
    private transient ValueState<ModelPeerState> state;
    /** Voted hours waiting for their hour's final figures, by "hourStart|deviceId". */
    private transient MapState<String, PeerHour> pending;

    public ModelPeerFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new ModelPeerRules(cfg);
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("model-peers", ModelPeerState.class));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("model-peers-pending-hours", String.class, PeerHour.class));
    }

    @Override
    public void processElement(PeerBatch batch, Context ctx, Collector<Finding> out) throws Exception {
        ModelPeerState s = state.value();
        if (s == null) {
            s = rules.newState();
        }
        String key = ctx.getCurrentKey();
        long watermark = ctx.timerService().currentWatermark();
        // In the order the observations were made (one device-detectors subtask), as if they had come one by one.
        for (PeerObservation o : batch.observations()) {
            rules.onInput(s, key, o).forEach(out::collect);
            PeerHour hour = rules.vote(s, o, watermark);
            if (hour != null) {
                pending.put(hour.hourStart + "|" + hour.deviceId, hour);
                ctx.timerService().registerEventTimeTimer(rules.finalAt(hour.hourStart)); // one per model and hour
            }
            s.lastObservation = Math.max(s.lastObservation, o.timestamp);
        }
        ensureTimer(s, ctx.timerService());
        state.update(s);
    }

    /**
     * Judges the voted hours whose figures are final by {@code ts} (an hour's timer); drops the model's state when it saw
     * nothing for state.ttl (the retention timer), else waits for the moved deadline.
     */
    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        ModelPeerState s = state.value();
        if (s == null) {
            pending.clear();
            return;
        }
        List<PeerHour> judged = null;
        for (Iterator<Map.Entry<String, PeerHour>> it = pending.iterator(); it.hasNext();) {
            PeerHour h = it.next().getValue();
            if (rules.finalAt(h.hourStart) <= ts) {
                it.remove();
                if (rules.judge(s, h)) {
                    judged = judged == null ? new ArrayList<>() : judged;
                    judged.add(h);
                }
            }
        }
        if (judged != null) {
            judged.forEach(h -> ctx.output(HOURS, h));
        }
        if (pending.isEmpty()) {
            pending.clear(); // no empty map left behind in the state backend
        }
        if (ts != s.timer) {
            return; // an hour's timer only
        }
        s.timer = Long.MIN_VALUE;
        if (ts >= s.lastObservation + cfg.deviceStateTtlMs) {
            state.clear();
            pending.clear();
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
