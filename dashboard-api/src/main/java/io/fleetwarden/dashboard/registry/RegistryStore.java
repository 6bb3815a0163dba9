package io.fleetwarden.dashboard.registry;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.EnrolmentCa;

/**
 * Materialised {@code fleet.device-registry} (compacted, key = device key, JSON {@link DeviceRegistration}), plus when
 * each certificate of a device last connected (from the brokers' CONNECT security events, which carry the certificate
 * fingerprint the broker saw), and the enrolment CAs of just-in-time registration carried in the same topic
 * ({@link EnrolmentCa}, keys {@code enrolment-ca:<fingerprint>}). Thread-safe.
 */
public final class RegistryStore {

    private final Map<String, DeviceRegistration> byKey = new ConcurrentHashMap<>();
    /** Enrolment CAs by CA fingerprint. */
    private final Map<String, EnrolmentCa> enrolmentCas = new ConcurrentHashMap<>();
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

    /**
     * Applies one record of the registry topic, whichever kind it is (a registration, or an enrolment CA).
     *
     * @throws IllegalArgumentException when the record is malformed (the materialiser skips and counts it)
     */
    public void applyRecord(String key, byte[] value) {
        if (EnrolmentCa.isKey(key)) {
            applyEnrolmentCa(key, EnrolmentCa.parse(key, value));
        } else {
            apply(key, DeviceRegistration.parse(key, value));
        }
    }

    /** Applies one enrolment CA record; null (tombstone) removes it. */
    public void applyEnrolmentCa(String key, EnrolmentCa ca) {
        if (!EnrolmentCa.isKey(key)) {
            throw new IllegalArgumentException("not an enrolment CA key: " + key);
        }
        String fingerprint = key.substring(EnrolmentCa.KEY_PREFIX.length());
        if (ca == null) {
            enrolmentCas.remove(fingerprint);
        } else {
            enrolmentCas.put(fingerprint, ca);
        }
    }

    /** The enrolment CA with this fingerprint (any tenant). */
    public Optional<EnrolmentCa> enrolmentCa(String fingerprint) {
        return Optional.ofNullable(fingerprint == null ? null : enrolmentCas.get(fingerprint));
    }

    /** The enrolment CAs of one tenant, by fingerprint. */
    public List<EnrolmentCa> enrolmentCasOf(String tenant) {
        return enrolmentCas.values().stream().filter(c -> c.tenant().equals(tenant))
                .sorted(Comparator.comparing(EnrolmentCa::fingerprint)).toList();
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
