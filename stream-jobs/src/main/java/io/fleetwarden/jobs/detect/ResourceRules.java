package io.fleetwarden.jobs.detect;

import java.util.List;

import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The device's own half of CMP-RES-001 (resource abuse): CPU and memory use against the device's own
 * baseline. It emits nothing itself: it puts its verdict on the report's {@link PeerObservation}, and the
 * model-peer stage ({@link ModelPeerRules}) opens CMP-RES-001 when the same quantity is also far above the
 * model's peers, for several reports in a row. A device without a baseline of its own yet is judged against
 * its peers alone (a device mining from its first report must not learn that as its normal: values far from
 * its own baseline are never learnt, and until it has one the peers decide).
 */
public final class ResourceRules implements DeviceRule<ResourceState> {

    private static final long serialVersionUID = 1L;

    /**
     * Scale floors, own and model baselines alike. The scale is the baseline's robust spread (1.4826 MAD: for the model's
     * baseline, the band its genuine devices report in), never below 10 % of the level nor 2 percentage points. The
     * absolute floor only stops a perfectly regular device (MAD near 0) from being flagged for a wobble; it must stay
     * under the spread of a low-CPU model, or it, not the model, sets the bar: at the former 5 points x {@code resources.k}
     * 6 a smart plug idling at 4 % (genuine band about 5 points) needed 30 extra points, so a resident bot adding 25 went
     * unseen. At 2 points: 12 points above a plug's or thermostat's level, still several times their genuine spread.
     */
    static final double RELATIVE_FLOOR = 0.10;
    static final double ABSOLUTE_FLOOR = 2.0;

    private final DetectionConfig cfg;

    public ResourceRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "resources";
    }

    @Override
    public List<String> emits() {
        return List.of(); // CMP-RES-001 is emitted by the model-peer stage, which needs this unit's verdict
    }

    @Override
    public Class<ResourceState> stateClass() {
        return ResourceState.class;
    }

    @Override
    public ResourceState newState() {
        return new ResourceState();
    }

    @Override
    public void onReport(ResourceState s, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
        byte verdict = verdict(s, report.cpuPercent(), report.memoryPercent());
        PeerObservation o = out.peerObservation();
        if (o != null) {
            o.resourcesOwn = verdict;
        }
    }

    /** Scores and learns one report's CPU and memory use; the verdict as in {@link PeerObservation#resourcesOwn}. */
    public byte verdict(ResourceState s, double cpu, double memory) {
        if (!Double.isFinite(cpu) || !Double.isFinite(memory)) {
            return 0; // the broker validates 0-100; anything else is not evidence either way
        }
        if (!s.cpu.ready(cfg.baselineMinSamples)) {
            s.cpu.update(cpu, cfg.baselineAlpha);
            s.memory.update(memory, cfg.baselineAlpha);
            return 0;
        }
        byte v = PeerObservation.OWN_KNOWN;
        if (s.cpu.score(cpu, RELATIVE_FLOOR, ABSOLUTE_FLOOR) >= cfg.resourcesK) {
            v |= PeerObservation.OWN_CPU_HIGH;
        } else {
            s.cpu.update(cpu, cfg.baselineAlpha);
        }
        if (s.memory.score(memory, RELATIVE_FLOOR, ABSOLUTE_FLOOR) >= cfg.resourcesK) {
            v |= PeerObservation.OWN_MEMORY_HIGH;
        } else {
            s.memory.update(memory, cfg.baselineAlpha);
        }
        return v;
    }
}
