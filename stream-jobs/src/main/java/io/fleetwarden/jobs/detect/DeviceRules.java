package io.fleetwarden.jobs.detect;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The per-device rules the per-device operator runs, in order. {@link #standard} is the catalogue's
 * per-device rules; {@link #with} adds one (a new rule is registered here, or passed by a test).
 * Immutable; unit names and emitted ids are unique.
 */
public final class DeviceRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<DeviceRule<?>> rules;

    private DeviceRules(List<DeviceRule<?>> rules) {
        Set<String> names = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (DeviceRule<?> r : rules) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("two per-device rules named " + r.name());
            }
            for (String id : r.emits()) {
                if (!ids.add(id)) {
                    throw new IllegalArgumentException("rule id " + id + " emitted by two per-device rules");
                }
            }
        }
        this.rules = List.copyOf(rules);
    }

    /** The per-device rules of the catalogue: connectivity, behaviour, firmware, resources (own half), boots and identity. */
    public static DeviceRules standard(DetectionConfig cfg) {
        return new DeviceRules(List.of(new ConnectivityRules(cfg), new BehaviourRules(cfg), new FirmwareRules(cfg),
                new ResourceRules(cfg), new BootLoopRules(cfg), new IdentityRules()));
    }

    /** These rules and {@code rule}. */
    public DeviceRules with(DeviceRule<?> rule) {
        List<DeviceRule<?>> list = new ArrayList<>(rules);
        list.add(rule);
        return new DeviceRules(list);
    }

    public List<DeviceRule<?>> all() {
        return rules;
    }

    /** Every rule id the rules emit. */
    public Set<String> ids() {
        Set<String> ids = new HashSet<>();
        rules.forEach(r -> ids.addAll(r.emits()));
        return ids;
    }

    /** The unit names, in order (the layout of the per-device state). */
    public String[] names() {
        return rules.stream().map(DeviceRule::name).toArray(String[]::new);
    }
}
