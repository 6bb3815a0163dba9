package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.ModelPeerRules;
import io.fleetwarden.jobs.detect.ModelPeerState;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/** Devices against their model's peers (key = {@code tenant|model=...}). State per model, not per device. */
public class ModelPeerFunction extends KeyedProcessFunction<String, PeerObservation, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private transient ModelPeerRules rules;
    private transient ValueState<ModelPeerState> state;

    public ModelPeerFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new ModelPeerRules(cfg);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("model-peers", ModelPeerState.class), cfg));
    }

    @Override
    public void processElement(PeerObservation o, Context ctx, Collector<Finding> out) throws Exception {
        ModelPeerState s = state.value();
        if (s == null) {
            s = new ModelPeerState();
        }
        rules.onObservation(s, o).forEach(out::collect);
        state.update(s);
    }
}
