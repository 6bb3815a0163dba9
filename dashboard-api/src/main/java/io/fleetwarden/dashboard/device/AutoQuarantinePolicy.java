package io.fleetwarden.dashboard.device;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;

/**
 * Quarantines a device automatically when an open alert of one of the named critical rules
 * arrives (config {@code autoquarantine.rules}). Acts only on live alerts, after the initial
 * replay ({@code live}), because during replay the device's control history may not be loaded yet
 * and old alerts were already handled by the previous run.
 */
public final class AutoQuarantinePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(AutoQuarantinePolicy.class);
    static final String ISSUER = "policy:auto-quarantine";

    private final Set<String> rules;
    private final DeviceService devices;
    private final BooleanSupplier live;
    private final AtomicLong issued = new AtomicLong();

    public AutoQuarantinePolicy(Set<String> rules, DeviceService devices, BooleanSupplier live) {
        this.rules = Set.copyOf(rules);
        this.devices = devices;
        this.live = live;
    }

    public void onAlert(Alert a) {
        if (rules.isEmpty() || !live.getAsBoolean() || a.getStatus() != AlertStatus.OPEN || a.getDeviceId() == null
                || !rules.contains(a.getRuleId())) {
            return;
        }
        try {
            if (devices.autoQuarantine(a, ISSUER)) {
                issued.incrementAndGet();
                LOG.info("auto-quarantined {}/{} on rule {}", a.getTenant(), a.getDeviceId(), a.getRuleId());
            }
        } catch (RuntimeException e) {
            LOG.warn("auto-quarantine of {}/{} failed: {}", a.getTenant(), a.getDeviceId(), e.getMessage());
        }
    }

    public long issued() {
        return issued.get();
    }

    public Set<String> rules() {
        return rules;
    }
}
