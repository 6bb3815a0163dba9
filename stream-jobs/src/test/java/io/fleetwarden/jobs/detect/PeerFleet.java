package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Telemetry;

/**
 * The path a report takes through the rules of both keyed stages, without Flink: the per-device units that
 * feed the model-peer stage (behaviour and resources, each device with its own state, writing on the report's
 * {@link PeerObservation} as the per-device operator lends it), then {@link ModelPeerRules} with one state per
 * model, and each closed hour it hands on ({@link ModelPeerRules#vote}, judged by {@link ModelPeerRules#judge} once the
 * watermark passes {@link ModelPeerRules#finalAt}) to {@link PeerRatioRules} with one state per device. Reports are fed
 * in the order given (a scenario gives them in event-time order); the watermark trails the newest report by 1 ms, and
 * {@link #reports} ends with the end of input (every pending hour judged).
 */
public final class PeerFleet {

    private final DetectionConfig cfg;
    private final BehaviourRules behaviour;
    private final ResourceRules resources;
    private final ModelPeerRules peers;
    private final PeerRatioRules ratios;
    /** The per-device state of CMP-NET-004's slow horizon. */
    public final Map<String, PeerRatioState> ratioStates = new HashMap<>();
    /** Every closed hour the model stage handed on, in order. */
    public final List<PeerHour> hours = new ArrayList<>();
    private final Map<String, BehaviourState> behaviourStates = new HashMap<>();
    private final Map<String, ResourceState> resourceStates = new HashMap<>();
    /** The model-peer state of each model (tests look at it to check what the model learnt). */
    public final Map<String, ModelPeerState> models = new HashMap<>();
    private final List<Finding> findings = new ArrayList<>();
    /** Voted hours waiting for their hour's final figures, by the time they are final. */
    private final java.util.TreeMap<Long, List<PeerHour>> pending = new java.util.TreeMap<>();
    private long watermark = Long.MIN_VALUE;

    public PeerFleet(DetectionConfig cfg) {
        this.cfg = cfg;
        this.behaviour = new BehaviourRules(cfg);
        this.resources = new ResourceRules(cfg);
        this.peers = new ModelPeerRules(cfg);
        this.ratios = new PeerRatioRules(cfg);
    }

    /** Feeds one report through both stages; returns the findings it caused. */
    public List<Finding> report(Telemetry t) {
        DeviceReport r = DeviceReport.of(t);
        PeerObservation o = BehaviourRules.observation(r);
        List<Finding> out = new ArrayList<>();
        advanceWatermark(r.deviceTime() - 1, out);
        DeviceOutput output = new DeviceOutput() {
            @Override
            public void finding(Finding f) {
                out.add(f);
            }

            @Override
            public PeerObservation peerObservation() {
                return o;
            }
        };
        DeviceContext ctx = Events.context(null, List.of(), 1);
        behaviour.onReport(behaviourStates.computeIfAbsent(r.deviceId(), k -> new BehaviourState()), r, ctx, output);
        resources.onReport(resourceStates.computeIfAbsent(r.deviceId(), k -> new ResourceState()), r, ctx, output);
        ModelPeerState model = models.computeIfAbsent(o.modelKey(), k -> new ModelPeerState());
        out.addAll(peers.onObservation(model, o));
        PeerHour hour = peers.vote(model, o, watermark);
        if (hour != null) {
            pending.computeIfAbsent(peers.finalAt(hour.hourStart), k -> new ArrayList<>()).add(hour);
        }
        findings.addAll(out);
        return out;
    }

    /** Moves the watermark: judges every voted hour final by then, in the order of their hours and votes, into {@code out}. */
    private List<Finding> advanceWatermark(long to, List<Finding> out) {
        watermark = Math.max(watermark, to);
        while (!pending.isEmpty() && pending.firstKey() <= watermark) {
            for (PeerHour hour : pending.pollFirstEntry().getValue()) {
                ModelPeerState model = models.get(PeerObservation.modelKey(hour.tenant, hour.model));
                if (peers.judge(model, hour)) {
                    hours.add(hour);
                    out.addAll(ratios.onHour(ratioStates.computeIfAbsent(hour.deviceId, k -> new PeerRatioState()), hour));
                }
            }
        }
        return out;
    }

    /** Feeds every report in order, then ends the input; returns every finding so far. */
    public List<Finding> reports(List<Telemetry> ts) {
        ts.forEach(this::report);
        findings.addAll(advanceWatermark(Long.MAX_VALUE, new ArrayList<>()));
        return findings();
    }

    public List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The model-peer state of the test model. */
    public ModelPeerState model() {
        return models.get(PeerObservation.modelKey(Events.TENANT, Events.MODEL));
    }

    public DetectionConfig config() {
        return cfg;
    }
}
