package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.BehaviourState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Telemetry;

/**
 * Device behaviour against its own baseline (key = device key). No timers: state is bounded by
 * construction and dropped by TTL when the device goes away. Every report is also sent to
 * {@link #PEERS} for the model-peer stage.
 */
public class BehaviourFunction extends KeyedProcessFunction<String, Telemetry, Finding> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<PeerObservation> PEERS = new OutputTag<>("peer-observations") {
        private static final long serialVersionUID = 1L;
    };

    private final DetectionConfig cfg;
    private transient BehaviourRules rules;
    private transient ValueState<BehaviourState> state;

    public BehaviourFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new BehaviourRules(cfg);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("behaviour", BehaviourState.class), cfg));
    }

    @Override
    public void processElement(Telemetry t, Context ctx, Collector<Finding> out) throws Exception {
        BehaviourState s = state.value();
        if (s == null) {
            s = new BehaviourState();
        }
        rules.onTelemetry(s, t).forEach(out::collect);
        state.update(s);
        ctx.output(PEERS, BehaviourRules.observation(t));
    }
}
