package io.fleetwarden.dashboard.device;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceKeys;

/**
 * Materialised {@code fleet.erasures} (compacted, key = device key, JSON {@link Erasure}): the devices
 * whose personal data was erased by decommission. Every view honours it on every replay, whatever
 * order the topics arrive in: an alert of the device opened at or before {@code erasedAt}, or a
 * status whose {@code lastSeen} is at or before it, is never materialised again (the raw records may
 * still sit in {@code fleet.alerts} until its retention deletes them, and a stream job may re-publish
 * a status from old keyed state). Records after {@code erasedAt} are new facts (for example a
 * connect attempt with the revoked certificate) and are shown. Thread-safe.
 */
public final class ErasureStore {

    /** One erasure: which device, when, by whom (no reason text: it could itself be personal data). */
    public record Erasure(String tenant, String deviceId, Instant erasedAt, String erasedBy) {
    }

    private final Map<String, Erasure> byKey = new ConcurrentHashMap<>();

    /** @throws IllegalArgumentException when the record disagrees with its key (the record is skipped) */
    public void apply(String key, Erasure e) {
        DeviceKeys.parse(key);
        if (e == null) {
            // a tombstone cannot un-erase: deleted data stays deleted; the record is kept
            return;
        }
        if (!key.equals(DeviceKeys.of(e.tenant(), e.deviceId())) || e.erasedAt() == null) {
            throw new IllegalArgumentException("erasure record does not match its key " + key);
        }
        byKey.merge(key, e, (old, neu) -> neu.erasedAt().isAfter(old.erasedAt()) ? neu : old);
    }

    /** Whether a record of this device stamped {@code at} falls under an erasure. */
    public boolean covers(String tenant, String deviceId, Instant at) {
        if (deviceId == null || tenant == null) {
            return false;
        }
        Erasure e = byKey.get(tenant + "/" + deviceId);
        return e != null && (at == null || !at.isAfter(e.erasedAt()));
    }

    public Optional<Erasure> erasure(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public int size() {
        return byKey.size();
    }
}
