package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerHour;
import io.fleetwarden.jobs.detect.PeerRatioRules;
import io.fleetwarden.jobs.detect.PeerRatioState;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * CMP-NET-004's slow horizon per device (key = {@code tenant/deviceId}): each closed hour of the device's outbound
 * traffic against its model's same-hour peer median ({@link ModelPeerFunction#HOURS}), judged by
 * {@link PeerRatioRules}. One input per device and hour, so the state (about 60 bytes per device) carries Flink state
 * TTL ({@code state.ttl}) like the other low-rate operators instead of a retention timer.
 */
public class PeerRatioFunction extends KeyedProcessFunction<String, PeerHour, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private transient PeerRatioRules rules;
    private transient ValueState<PeerRatioState> state;

    public PeerRatioFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new PeerRatioRules(cfg);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("peer-ratio", PeerRatioState.class), cfg));
    }

    @Override
    public void processElement(PeerHour hour, Context ctx, Collector<Finding> out) throws Exception {
        PeerRatioState s = state.value();
        if (s == null) {
            s = rules.newState();
        }
        rules.onInput(s, ctx.getCurrentKey(), hour).forEach(out::collect);
        state.update(s);
    }
}
