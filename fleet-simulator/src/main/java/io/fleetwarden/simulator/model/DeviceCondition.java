package io.fleetwarden.simulator.model;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The changeable part of a device at one report: what it runs, when it booted, which scenario
 * effects are on. Immutable snapshot; the runner swaps snapshots as scenario steps fire.
 *
 * @param firmwareVersion firmware version the device reports
 * @param imageSha256     image hash the device reports
 * @param bootedAt        last boot (uptime counts from here)
 * @param effects         active effects
 * @param updateTarget    version an update is heading for, or null
 * @param updateAttempts  failed update attempts so far (for {@link Effect#UPDATE_FAILING})
 */
public record DeviceCondition(String firmwareVersion, String imageSha256, Instant bootedAt, Set<Effect> effects,
                              String updateTarget, int updateAttempts) {

    public DeviceCondition {
        effects = effects.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(effects));
    }

    /** A freshly booted genuine device running its spec's firmware. */
    public static DeviceCondition initial(DeviceSpec spec, Instant bootedAt) {
        return new DeviceCondition(spec.firmwareVersion(),
                FirmwareImages.genuineHash(spec.model().name(), spec.firmwareVersion()), bootedAt, Set.of(), null, 0);
    }

    public DeviceCondition with(Effect effect) {
        EnumSet<Effect> set = effects.isEmpty() ? EnumSet.noneOf(Effect.class) : EnumSet.copyOf(effects);
        set.add(effect);
        return new DeviceCondition(firmwareVersion, imageSha256, bootedAt, set, updateTarget, updateAttempts);
    }

    public DeviceCondition without(Effect effect) {
        EnumSet<Effect> set = effects.isEmpty() ? EnumSet.noneOf(Effect.class) : EnumSet.copyOf(effects);
        set.remove(effect);
        return new DeviceCondition(firmwareVersion, imageSha256, bootedAt, set, updateTarget, updateAttempts);
    }

    public DeviceCondition rebootedAt(Instant at) {
        return new DeviceCondition(firmwareVersion, imageSha256, at, effects, updateTarget, updateAttempts);
    }

    public DeviceCondition running(String version, String hash) {
        return new DeviceCondition(version, hash, bootedAt, effects, updateTarget, updateAttempts);
    }

    public DeviceCondition updating(String target, int attempts) {
        return new DeviceCondition(firmwareVersion, imageSha256, bootedAt, effects, target, attempts);
    }
}
