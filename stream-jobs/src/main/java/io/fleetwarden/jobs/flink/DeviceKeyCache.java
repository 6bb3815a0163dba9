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

    /** Device id to its key {@code tenant/deviceId}. */
    private final Map<String, String> keys = new HashMap<>();

    String of(String tenant, String deviceId) {
        String key = keys.get(deviceId);
        if (key != null && tenant != null && key.length() == tenant.length() + 1 + deviceId.length()
                && key.charAt(tenant.length()) == '/' && key.startsWith(tenant)) {
            return key; // ends with deviceId: it is the map key and the lengths match
        }
        key = DeviceKeys.of(tenant, deviceId);
        if (keys.size() >= MAX_ENTRIES) {
            keys.clear();
        }
        keys.put(deviceId, key);
        return key;
    }
}
