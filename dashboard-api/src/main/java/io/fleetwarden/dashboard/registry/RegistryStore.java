package io.fleetwarden.dashboard.registry;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;

/**
 * Materialised {@code fleet.device-registry} (compacted, key = device key, JSON {@link DeviceRegistration}), plus when
 * each certificate of a device last connected (from the brokers' CONNECT security events, which carry the certificate
 * fingerprint the broker saw). Thread-safe.
 */
public final class RegistryStore {

    private final Map<String, DeviceRegistration> byKey = new ConcurrentHashMap<>();
    /** device key -> fingerprint -> last accepted connect with it (broker time). */
    private final Map<String, Map<String, Instant>> lastUsed = new ConcurrentHashMap<>();

    /** Applies one topic record; a null registration (tombstone) removes the device. */
    public void apply(String key, DeviceRegistration r) {
        DeviceKeys.parse(key);
        if (r == null) {
            byKey.remove(key);
        } else {
            byKey.put(key, r);
        }
    }

    /** Notes an accepted connect of a device with the certificate {@code fingerprint} at {@code at}. */
    public void noteConnect(String tenant, String deviceId, String fingerprint, Instant at) {
        String key = DeviceKeys.ofValid(tenant, deviceId);
        if (key == null || !DeviceRegistration.isFingerprint(fingerprint) || at == null) {
            return;
        }
        Map<String, Instant> m = lastUsed.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        if (m.size() >= 8 && !m.containsKey(fingerprint)) {
            // bounded: a device cycling through certificates keeps only its most recent ones
            m.entrySet().stream().min(Map.Entry.comparingByValue()).ifPresent(e -> m.remove(e.getKey()));
        }
        m.merge(fingerprint, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    public Optional<DeviceRegistration> get(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** When the certificate was last used to connect, if it was. */
    public Optional<Instant> lastUsed(String key, String fingerprint) {
        Map<String, Instant> m = lastUsed.get(key);
        return m == null ? Optional.empty() : Optional.ofNullable(m.get(fingerprint));
    }

    /** Registrations of one tenant, by device id. */
    public List<DeviceRegistration> ofTenant(String tenant) {
        return byKey.values().stream().filter(r -> r.tenant().equals(tenant))
                .sorted(Comparator.comparing(DeviceRegistration::deviceId)).toList();
    }

    public int size() {
        return byKey.size();
    }
}
