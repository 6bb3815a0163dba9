package io.fleetwarden.dashboard.device;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Scopes;

/**
 * Materialised {@code fleet.device-status} and {@code fleet.device-controls}, keyed by device key
 * ({@code tenant/deviceId}). Controls only move forward in {@code issuedAt}; statuses in
 * {@code updatedAt}; tombstones remove. Thread-safe.
 */
public final class DeviceStore {

    private final ConcurrentHashMap<String, DeviceStatus> status = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DeviceControl> controls = new ConcurrentHashMap<>();
    /** Certificate revocations by serial or fingerprint alone, keyed by {@code serial:<hex>} / {@code sha256:<hex>}. */
    private final ConcurrentHashMap<String, DeviceControl> certificates = new ConcurrentHashMap<>();
    private static final String CERTIFICATE_PREFIX = Scopes.CERTIFICATE + "/";

    /** @throws IllegalArgumentException for a key that is not {@code tenant/deviceId} (the record is skipped) */
    private volatile java.util.function.BiPredicate<String, DeviceStatus> suppressed = (k, s) -> false;

    /** Statuses that must never be materialised (erased devices); set once while wiring. */
    public void setSuppression(java.util.function.BiPredicate<String, DeviceStatus> suppressed) {
        this.suppressed = suppressed;
    }

    public void applyStatus(String key, DeviceStatus s) {
        DeviceKeys.parse(key);
        if (s != null && suppressed.test(key, s)) {
            return;
        }
        if (s == null) {
            status.remove(key);
            return;
        }
        status.merge(key, s, (old, neu) -> !neu.getUpdatedAt().isBefore(old.getUpdatedAt()) ? neu : old);
    }

    /** @throws IllegalArgumentException for a key that is not {@code tenant/deviceId} (the record is skipped) */
    public void applyControl(String key, DeviceControl c) {
        if (key != null && key.startsWith(CERTIFICATE_PREFIX)) {
            String id = key.substring(CERTIFICATE_PREFIX.length());
            if (c == null) {
                certificates.remove(id);
            } else {
                certificates.merge(id, c, (old, neu) -> !neu.getIssuedAt().isBefore(old.getIssuedAt()) ? neu : old);
            }
            return;
        }
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

    /** A certificate revocation by its id ({@code serial:<hex>} or {@code sha256:<hex>}). */
    public Optional<DeviceControl> certificate(String id) {
        return Optional.ofNullable(certificates.get(id));
    }

    /** Every certificate revocation, by id. */
    public java.util.Map<String, DeviceControl> certificates() {
        return new java.util.TreeMap<>(certificates);
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

    /** Drops a device's status from the view (erasure). */
    public void removeStatus(String key) {
        status.remove(key);
    }

    public java.util.Collection<DeviceStatus> statuses() {
        return status.values();
    }
}
