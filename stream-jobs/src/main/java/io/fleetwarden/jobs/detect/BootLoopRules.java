package io.fleetwarden.jobs.detect;

import java.util.List;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.DeviceEventType;

/**
 * RES-BOOT-001: many boots of one device within a short window, from its boot events on
 * {@code fleet.device-events}. A {@link BurstWindow} of the last {@code boots.count} boot times (event time,
 * bounded by broker time, so a device cannot spread or bunch its boots beyond what the broker saw); resolves
 * itself {@code burst.quiet} after the last boot, at that deadline. A device repeating boot events only raises
 * this alert about itself, and keeps at most {@code boots.count} timestamps.
 */
public final class BootLoopRules implements DeviceRule<BootState> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;

    public BootLoopRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "boots";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.BOOT_LOOP.id());
    }

    @Override
    public Class<BootState> stateClass() {
        return BootState.class;
    }

    @Override
    public BootState newState() {
        return new BootState();
    }

    @Override
    public void onReport(BootState s, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
    }

    @Override
    public void onLifecycleEvent(BootState s, DeviceLifecycle e, DeviceContext ctx, DeviceOutput out) {
        if (e.type() != DeviceEventType.BOOT) {
            return;
        }
        s.boots = BurstWindow.orNew(s.boots);
        Transition t = s.boots.record(e.time(), cfg.bootCount, cfg.bootWindowMs);
        if (t != Transition.NONE) {
            Finding f = Finding.device(RuleCatalogue.BOOT_LOOP.id(), Action.OPEN, e.tenant(), e.deviceId(), e.time(),
                            s.boots.eventsSinceOpen + " boots")
                    .with("boots", s.boots.eventsSinceOpen).with("windowSeconds", cfg.bootWindowMs / 1000);
            if (e.firmwareVersion() != null) {
                f.with("firmwareVersion", e.firmwareVersion());
            }
            out.finding(f);
        }
    }

    @Override
    public long nextDeadline(BootState s) {
        return BurstWindow.isOpen(s.boots) ? s.boots.lastEvent + cfg.burstQuietMs : NO_DEADLINE;
    }

    @Override
    public void onDeadline(BootState s, String tenant, String deviceId, long now, DeviceOutput out) {
        if (BurstWindow.quietExpired(s.boots, now, cfg.burstQuietMs)) {
            s.boots = null; // nothing left to remember
            out.finding(Finding.device(RuleCatalogue.BOOT_LOOP.id(), Action.CLEAR, tenant, deviceId, now,
                    "no boot for " + cfg.burstQuietMs / 1000 + " s"));
        }
    }
}
