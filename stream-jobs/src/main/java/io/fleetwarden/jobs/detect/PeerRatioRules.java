package io.fleetwarden.jobs.detect;

import java.util.Arrays;
import java.util.List;

import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * CMP-NET-004's slow horizon (low-and-slow exfiltration), the per-device half: each closed hour of the device's outbound
 * traffic against its model's same-hour peer median ({@link PeerHour}, from {@link ModelPeerRules#judge}, once the hour's
 * figures are final). The peers share the daily curve, so the device's RATIO to them stays level over the day while its
 * own rate swings with it (a camera's trough-to-peak is ~2.6x, which an own baseline cannot tell from a ramp, and an EWMA
 * learns any ramp).
 *
 * <p>A sequential test (one-sided CUSUM on the log ratio): each hour adds its log excess over the device's usual ratio
 * minus an allowance (the larger of {@code traffic.peerExcess} and twice the device's own hour-to-hour spread) to a sum
 * that never goes below zero; the rule opens when the sum reaches the larger of {@code traffic.peerRatio} and five
 * spreads (in logs). So a large excess opens in one hour and a modest one in a few, while an excess within the allowance
 * never accumulates. A device without a usual ratio yet (its first {@link #SEED_HOURS} hours within the fence) is judged
 * by its model's peers instead: its ratio to their median against their upper fence ({@link PeerHour#peerFence}: how far
 * above the median a device may sit by its own level), so a device exfiltrating steadily from its first report is
 * judged from its first complete hour. The usual ratio is the median of those first hours, then learnt only from hours
 * within the allowance that leave the sum at zero (weight {@link #ALPHA} per hour), never while the rule is open; the
 * spread likewise, capped at {@link #SPREAD_CAP}. While open the sum is capped at the decision level; the rule clears
 * when it is back to zero or an hour is at or under the usual ratio. Time is the event time the hour was judged.
 *
 * <p>Hostile devices: a device cannot move its peers' median (one vote per device and hour, a median of votes, its own
 * vote left out). It can teach its usual ratio a ramp only as fast as the learning allows (the allowance times
 * {@link #ALPHA} per hour, ~0.3 % an hour at the default) and its spread at most {@link #SPREAD_CAP} (a noisy device is
 * judged with a wider allowance, at most 1.5x). Not covered: a ramp slower than that, and a device exfiltrating from
 * its first report at a rate within its peers' fence (the levels of the model's devices differ that much anyway).
 */
public final class PeerRatioRules implements FleetRule<PeerHour, PeerRatioState> {

    private static final long serialVersionUID = 1L;

    /** Hours whose median ratio seeds the reference (the first, often partial, hour alone is a poor one). */
    static final int SEED_HOURS = 3;
    /** Weight of one closed hour in the reference and the spread (only hours within the allowance are learnt). */
    static final double ALPHA = 0.03;
    static final double SPREAD_ALPHA = 0.05;
    /** The largest hour-to-hour spread (log) a device's allowance follows: a device cannot widen it beyond ~1.5x. */
    static final double SPREAD_CAP = 0.2;
    /** Rates below this many bytes per second count as this (a silent hour is not an infinite ratio). */
    static final double RATE_FLOOR = 1.0;
    private static final long HOUR = 3_600_000L;

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
        long at = h.judgedAt != 0 ? h.judgedAt : h.timestamp;
        if (h.hourStart <= s.lastHour || !Double.isFinite(h.deviceBytesOut) || !Double.isFinite(h.peerBytesOut)) {
            return List.of();
        }
        s.lastHour = h.hourStart;
        double ratio = Math.log(Math.max(h.deviceBytesOut, RATE_FLOOR) / Math.max(h.peerBytesOut, RATE_FLOOR));
        boolean prior = s.seeded < SEED_HOURS;
        double excess;
        double allowance;
        double decision;
        if (prior) {
            // no usual ratio yet: the model's peers are the prior (the typical device sits at their median)
            double fence = Double.isFinite(h.peerFence) ? h.peerFence : 0;
            excess = ratio;
            allowance = Math.log(Math.max(fence, cfg.trafficPeerExcess));
            decision = Math.log(cfg.trafficPeerRatio);
        } else {
            double sigma = sigma(s);
            excess = ratio - s.reference;
            allowance = Math.max(Math.log(cfg.trafficPeerExcess), 2 * sigma);
            decision = Math.max(Math.log(cfg.trafficPeerRatio), 5 * sigma);
        }
        double sum = Math.max(0, s.cusum + excess - allowance);
        if (s.open) {
            sum = Math.min(sum, decision); // bounded: it clears within decision / allowance hours of the excess ending
        }
        s.cusum = (float) sum;
        s.streak = sum > 0 ? Math.min(s.streak + 1, 1_000_000) : 0;
        List<Finding> out = List.of();
        if (!s.open && sum >= decision) {
            s.open = true;
            out = List.of(Finding.device(RuleCatalogue.TRAFFIC_SPIKE.id(), Action.OPEN, h.tenant, h.deviceId, at,
                            String.format(java.util.Locale.ROOT, "outbound %.0f B/s, %.1fx %s to its %d model peers at the same hour, %.1fx accumulated over %d h",
                                    h.deviceBytesOut, Math.exp(excess), prior ? "their median (no usual ratio of its own yet)" : "its usual ratio",
                                    h.peers, Math.exp(sum), s.streak))
                    .with("horizon", "peers")
                    .with("prior", prior ? "model" : "own")
                    .with("hourlyBytesOutPerSecond", BehaviourRules.round(h.deviceBytesOut))
                    .with("peerMedianBytesOutPerSecond", BehaviourRules.round(h.peerBytesOut))
                    .with("peers", h.peers)
                    .with("ratioToPeers", BehaviourRules.round(Math.exp(ratio)))
                    .with("usualRatioToPeers", BehaviourRules.round(prior ? 1 : Math.exp(s.reference)))
                    .with("excess", BehaviourRules.round(Math.exp(excess)))
                    .with("allowance", BehaviourRules.round(Math.exp(allowance)))
                    .with("accumulated", BehaviourRules.round(Math.exp(sum)))
                    .with("hours", s.streak)
                    // the event-time window the alert judged: the start of the first hour of the accumulation
                    .with("evidenceFrom", h.hourStart - (long) (s.streak - 1) * HOUR)
                    .with("threshold", cfg.trafficPeerRatio)
                    .with("model", h.model).with("region", h.region));
        } else if (s.open && (sum == 0 || excess <= 0)) {
            s.open = false;
            s.cusum = 0;
            s.streak = 0;
            out = List.of(Finding.device(RuleCatalogue.TRAFFIC_SPIKE.id(), Action.CLEAR, h.tenant, h.deviceId, at,
                            "outbound traffic back near its usual ratio to its model peers")
                    .with("ratioToPeers", BehaviourRules.round(Math.exp(ratio)))
                    .with("usualRatioToPeers", BehaviourRules.round(prior ? 1 : Math.exp(s.reference))));
        }
        if (s.open || s.cusum > 0) {
            return out; // an hour with unexplained excess teaches nothing
        }
        if (prior) {
            if (excess < allowance) {
                seed(s, ratio);
            }
        } else if (Math.abs(excess) < allowance) {
            s.reference += ALPHA * excess;
            s.spread += (float) (SPREAD_ALPHA * (Math.abs(excess) - s.spread));
        } else if (excess < 0) {
            s.spread += (float) (SPREAD_ALPHA * (Math.min(-excess, 2 * allowance) - s.spread)); // a dip is noise too
        }
        return out;
    }

    /** The device's hour-to-hour standard deviation of its log ratio (from its mean absolute deviation), capped. */
    static double sigma(PeerRatioState s) {
        return Math.min(SPREAD_CAP, 1.25 * s.spread);
    }

    /**
     * Seeds the usual ratio with the median of the first hours within the fence, and the spread with the larger of their
     * second difference (|x1 - 2 x2 + x3| / sqrt 6: the noise, blind to a linear trend) and half their mean absolute
     * deviation from the median: a device ramping from its first hours does not start with the ramp as its noise (which
     * would widen its allowance), while a noisy device does not start at zero.
     */
    private static void seed(PeerRatioState s, double ratio) {
        s.seed = s.seed == null ? new double[1] : Arrays.copyOf(s.seed, s.seeded + 1);
        s.seed[s.seeded++] = ratio;
        if (s.seeded == SEED_HOURS) {
            double[] v = s.seed.clone();
            Arrays.sort(v);
            s.reference = v[v.length / 2];
            double dev = 0;
            for (double x : v) {
                dev += Math.abs(x - s.reference);
            }
            double secondDifference = Math.abs(s.seed[0] - 2 * s.seed[1] + s.seed[2]) / Math.sqrt(6);
            s.spread = (float) Math.max(secondDifference, dev / v.length / 2);
            s.seed = null;
            s.cusum = 0;
            s.streak = 0;
        }
    }
}
