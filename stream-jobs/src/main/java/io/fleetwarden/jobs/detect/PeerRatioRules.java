package io.fleetwarden.jobs.detect;

import java.util.Arrays;
import java.util.List;

import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * CMP-NET-004's slow horizon (low-and-slow exfiltration), the per-device half: each closed hour of the device's outbound
 * traffic against its model's same-hour peer median ({@link PeerHour}, from {@link ModelPeerRules#peerHour}). The
 * peers share the daily curve, so the device's RATIO to them stays level over the day while its own rate swings with
 * it (a camera's trough-to-peak is ~2.6x, which an own baseline cannot tell from a ramp, and an EWMA learns any ramp).
 * The device's reference is its own long-run ratio: the median of its first {@link #SEED_HOURS} hours, then learnt only
 * from hours within the square root of {@code traffic.peerRatio} of it (weight {@link #ALPHA} per hour, so at most ~1 %
 * an hour at the default), never while the rule is open. A ratio of {@code traffic.peerRatio} times the reference for
 * {@code traffic.peerHours} closed hours in a row opens the rule; it clears once an hour is back under the square root
 * of that ratio. Time is the event time of the report that closed the hour.
 *
 * <p>Hostile devices: a device cannot move its peers' median (one vote per device and hour, a median of votes), and it
 * cannot teach its reference a ramp faster than the learning cap: a ramp steeper than ~1 % an hour outruns it. Not
 * covered: a device exfiltrating from its very first hours (its reference is then the exfiltration; the model's other
 * peer rule, CMP-RATE-002, sees only a large excess) and a ramp slower than the cap.
 */
public final class PeerRatioRules implements FleetRule<PeerHour, PeerRatioState> {

    private static final long serialVersionUID = 1L;

    /** Hours whose median ratio seeds the reference (the first, often partial, hour alone is a poor one). */
    static final int SEED_HOURS = 3;
    /** Weight of one closed hour in the reference (only hours near it are learnt). */
    static final double ALPHA = 0.03;
    /** Rates below this many bytes per second count as this (a silent hour is not an infinite ratio). */
    static final double RATE_FLOOR = 1.0;

    private final DetectionConfig cfg;

    public PeerRatioRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "peer-ratios";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.TRAFFIC_SPIKE.id());
    }

    @Override
    public Class<PeerRatioState> stateClass() {
        return PeerRatioState.class;
    }

    @Override
    public PeerRatioState newState() {
        return new PeerRatioState();
    }

    @Override
    public List<Finding> onInput(PeerRatioState s, String key, PeerHour h) {
        return onHour(s, h);
    }

    public List<Finding> onHour(PeerRatioState s, PeerHour h) {
        s.lastInput = Math.max(s.lastInput, h.timestamp);
        if (h.hourStart <= s.lastHour || !Double.isFinite(h.deviceBytesOut) || !Double.isFinite(h.peerBytesOut)) {
            return List.of();
        }
        s.lastHour = h.hourStart;
        double ratio = Math.log(Math.max(h.deviceBytesOut, RATE_FLOOR) / Math.max(h.peerBytesOut, RATE_FLOOR));
        if (s.seeded < SEED_HOURS) {
            s.seed = Arrays.copyOf(s.seed, s.seeded + 1);
            s.seed[s.seeded++] = ratio;
            if (s.seeded == SEED_HOURS) {
                double[] v = s.seed.clone();
                Arrays.sort(v);
                s.reference = v[v.length / 2];
                s.seed = new double[0];
            }
            return List.of();
        }
        double threshold = Math.log(cfg.trafficPeerRatio);
        double excess = ratio - s.reference;
        s.streak = excess >= threshold ? Math.min(s.streak + 1, 1_000_000) : 0;
        List<Finding> out = List.of();
        if (!s.open && s.streak >= cfg.trafficPeerHours) {
            s.open = true;
            out = List.of(Finding.device(RuleCatalogue.TRAFFIC_SPIKE.id(), Action.OPEN, h.tenant, h.deviceId, h.timestamp,
                            String.format(java.util.Locale.ROOT, "outbound %.0f B/s, %.1fx its usual ratio to its %d model peers at the same hour for %d h",
                                    h.deviceBytesOut, Math.exp(excess), h.peers, s.streak))
                    .with("horizon", "peers")
                    .with("hourlyBytesOutPerSecond", BehaviourRules.round(h.deviceBytesOut))
                    .with("peerMedianBytesOutPerSecond", BehaviourRules.round(h.peerBytesOut))
                    .with("peers", h.peers)
                    .with("ratioToPeers", BehaviourRules.round(Math.exp(ratio)))
                    .with("usualRatioToPeers", BehaviourRules.round(Math.exp(s.reference)))
                    .with("excess", BehaviourRules.round(Math.exp(excess)))
                    .with("hours", s.streak)
                    // the event-time window the alert judged: the start of the first elevated hour of the streak
                    .with("evidenceFrom", h.hourStart - (long) (s.streak - 1) * 3_600_000L)
                    .with("threshold", cfg.trafficPeerRatio)
                    .with("model", h.model).with("region", h.region));
        } else if (s.open && excess < threshold / 2) {
            s.open = false;
            out = List.of(Finding.device(RuleCatalogue.TRAFFIC_SPIKE.id(), Action.CLEAR, h.tenant, h.deviceId, h.timestamp,
                            "outbound traffic back near its usual ratio to its model peers")
                    .with("ratioToPeers", BehaviourRules.round(Math.exp(ratio)))
                    .with("usualRatioToPeers", BehaviourRules.round(Math.exp(s.reference))));
        }
        if (!s.open && Math.abs(excess) < threshold / 2) {
            s.reference += ALPHA * excess;
        }
        return out;
    }
}
