package io.fleetwarden.dashboard.device;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;

/**
 * Materialised {@code fleet.device-status} and {@code fleet.device-controls}, keyed by device key
 * ({@code tenant/deviceId}). Controls only move forward in {@code issuedAt}; statuses in
 * {@code updatedAt}; tombstones remove. Thread-safe.
 */
public final class DeviceStore {

    private final ConcurrentHashMap<String, DeviceStatus> status = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DeviceControl> controls = new ConcurrentHashMap<>();

    /** @throws IllegalArgumentException for a key that is not {@code tenant/deviceId} (the record is skipped) */
    public void applyStatus(String key, DeviceStatus s) {
        DeviceKeys.parse(key);
        if (s == null) {
            status.remove(key);
            return;
        }
        status.merge(key, s, (old, neu) -> !neu.getUpdatedAt().isBefore(old.getUpdatedAt()) ? neu : old);
    }

    /** @throws IllegalArgumentException for a key that is not {@code tenant/deviceId} (the record is skipped) */
    public void applyControl(String key, DeviceControl c) {
        DeviceKeys.parse(key);
        if (c == null) {
            controls.remove(key);
            return;
        }
        controls.merge(key, c, (old, neu) -> !neu.getIssuedAt().isBefore(old.getIssuedAt()) ? neu : old);
    }

    public Optional<DeviceStatus> status(String key) {
        return Optional.ofNullable(status.get(key));
    }

    public Optional<DeviceControl> control(String key) {
        return Optional.ofNullable(controls.get(key));
    }

    /** Every known device key, sorted. */
    public Set<String> keys() {
        Set<String> all = new TreeSet<>(status.keySet());
        all.addAll(controls.keySet());
        return all;
    }

    public java.util.Collection<DeviceStatus> statuses() {
        return status.values();
    }
}
