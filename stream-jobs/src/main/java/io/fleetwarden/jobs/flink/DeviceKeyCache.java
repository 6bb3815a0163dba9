package io.fleetwarden.jobs.flink;

import java.util.HashMap;
import java.util.Map;

import io.fleetwarden.model.DeviceKeys;

/**
 * {@link DeviceKeys#of} for the records of a fleet that report again and again: each (tenant, device id)
 * pair is validated (a regular expression) and concatenated once, later records of the device get the
 * same key string from a map. Invalid ids are never cached, so they throw exactly as {@code DeviceKeys.of}
 * does. Bounded (cleared when full); one instance per operator instance, not thread-safe.
 */
final class DeviceKeyCache {

    static final int MAX_ENTRIES = 100_000;

    /** Device id to {tenant, key {@code tenant/deviceId}}. */
    private final Map<String, String[]> keys = new HashMap<>();

    /**
     * The key when both ids are valid, else null (no exception: unverified security events, whose ids are
     * null, take this path at full rate).
     */
    String ofValid(String tenant, String deviceId) {
        if (tenant == null || deviceId == null) {
            return null;
        }
        String[] cached = keys.get(deviceId);
        if (cached != null && cached[0].equals(tenant)) {
            return cached[1];
        }
        return DeviceKeys.isValidId(tenant) && DeviceKeys.isValidId(deviceId) ? of(tenant, deviceId) : null;
    }

    String of(String tenant, String deviceId) {
        String[] cached = keys.get(deviceId);
        if (cached != null && cached[0].equals(tenant)) {
            return cached[1];
        }
        String key = DeviceKeys.of(tenant, deviceId);
        if (keys.size() >= MAX_ENTRIES) {
            keys.clear();
        }
        keys.put(deviceId, new String[] {tenant, key});
        return key;
    }
}
