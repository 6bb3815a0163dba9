package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * Devices against their model's peers: CMP-RATE-002 (traffic far above the model's robust
 * baseline) and CMP-NET-002 (a listening port no device of the model had while the model was
 * learnt). Time is the observation's event time.
 */
public final class ModelPeerRules implements FleetRule<PeerObservation, ModelPeerState> {

    private static final long serialVersionUID = 1L;

    static final int RATE = 1;
    static final int PORT = 2;
    /** At most this many ports are learnt per model; more is itself suspicious and not learnt. */
    static final int MAX_PORTS = 64;

    private final DetectionConfig cfg;

    public ModelPeerRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "model-peers";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.PUBLISH_RATE_PEERS.id(), RuleCatalogue.NEW_MODEL_PORT.id());
    }

    @Override
    public Class<ModelPeerState> stateClass() {
        return ModelPeerState.class;
    }

    @Override
    public ModelPeerState newState() {
        return new ModelPeerState();
    }

    @Override
    public List<Finding> onInput(ModelPeerState s, String key, PeerObservation o) {
        return onObservation(s, o);
    }

    public List<Finding> onObservation(ModelPeerState s, PeerObservation o) {
        List<Finding> out = new ArrayList<>(0);
        if (s.firstSeen == Long.MIN_VALUE) {
            s.firstSeen = o.timestamp;
        }
        int open = s.open.getOrDefault(o.deviceId, 0);

        boolean anomalous = false;
        if (s.traffic.ready(cfg.peerMinSamples)) {
            double score = s.traffic.score(o.bytesOutPerSecond, 0.25, 1024.0);
            anomalous = score >= cfg.peerK;
            if (anomalous && (open & RATE) == 0) {
                open |= RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                                String.format("bytes out %.0f/s vs model %s median %.0f/s", o.bytesOutPerSecond, o.model, s.traffic.center))
                        .with("bytesOutPerSecond", BehaviourRules.round(o.bytesOutPerSecond))
                        .with("modelBaseline", BehaviourRules.round(s.traffic.center))
                        .with("robustScore", BehaviourRules.round(score)).with("model", o.model));
            } else if ((open & RATE) != 0 && score < cfg.peerK / 2) {
                open &= ~RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                        "back within model peers").with("bytesOutPerSecond", BehaviourRules.round(o.bytesOutPerSecond)));
            }
        }
        if (!anomalous) {
            s.traffic.update(o.bytesOutPerSecond, cfg.baselineAlpha);
        }

        boolean learning = o.timestamp - s.firstSeen < cfg.peerPortLearningMs;
        TreeSet<Integer> novel = null; // allocated only for a device with an unknown port
        for (Integer p : o.listeningPorts) {
            if (!s.knownPorts.contains(p)) {
                if (learning && s.knownPorts.size() < MAX_PORTS) {
                    s.knownPorts.add(p);
                } else if (!learning) {
                    if (novel == null) {
                        novel = new TreeSet<>();
                    }
                    novel.add(p);
                }
            }
        }
        if (novel != null && (open & PORT) == 0) {
            open |= PORT;
            out.add(Finding.device(RuleCatalogue.NEW_MODEL_PORT.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                            "listening on " + novel + ", never seen on model " + o.model)
                    .with("ports", novel).with("modelPorts", new TreeSet<>(s.knownPorts)).with("model", o.model));
        } else if (novel == null && (open & PORT) != 0) {
            open &= ~PORT;
            out.add(Finding.device(RuleCatalogue.NEW_MODEL_PORT.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                    "no unknown ports").with("listeningPorts", o.listeningPorts));
        }
        if (open == 0) {
            s.open.remove(o.deviceId);
        } else {
            s.open.put(o.deviceId, open);
        }
        return out;
    }
}
