package io.fleetwarden.broker.control;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;

/**
 * The latest control record per device from the compacted {@code fleet.device-controls} topic:
 * whether it is quarantined and whether it (or some of its certificates) is revoked. Thread-safe;
 * readers see each device's latest state.
 *
 * <p>Each record carries the device's full state (see the event model), so applying the latest
 * record per key is the whole algorithm; a tombstone ({@code null}) clears the device.
 */
public final class ControlState {

    private final Map<String, DeviceControl> byKey = new ConcurrentHashMap<>();

    /** What changed for a device after applying a record. */
    public record Change(String deviceKey, boolean quarantined, boolean revokedNow) {
    }

    /**
     * Applies one record.
     *
     * @param key     record key (device key); used for tombstones
     * @param control the record, or {@code null} for a tombstone
     * @return the device's new state
     * @throws IllegalArgumentException when the record names an invalid device or disagrees with its key
     */
    public Change apply(String key, DeviceControl control) {
        if (control == null) {
            DeviceKeys.parse(key);
            byKey.remove(key);
            return new Change(key, false, false);
        }
        String recordKey = DeviceKeys.of(control.getTenant(), control.getDeviceId());
        if (key != null && !key.equals(recordKey)) {
            throw new IllegalArgumentException("record key " + key + " does not match its device " + recordKey);
        }
        byKey.put(recordKey, control);
        return new Change(recordKey, control.getQuarantined(), control.getRevoked());
    }

    /** Whether the device is quarantined (may connect and receive commands, publishes nothing). */
    public boolean isQuarantined(String deviceKey) {
        DeviceControl c = byKey.get(deviceKey);
        return c != null && c.getQuarantined();
    }

    /**
     * Whether the device is revoked: all its certificates when the record lists no serials, otherwise
     * only the listed serials.
     */
    public boolean isRevoked(String tenant, String deviceId, String serialHex) {
        DeviceControl c = byKey.get(DeviceKeys.of(tenant, deviceId));
        if (c == null || !c.getRevoked()) {
            return false;
        }
        List<String> serials = c.getRevokedCertificateSerials();
        return serials == null || serials.isEmpty() || serials.stream().anyMatch(s -> sameSerial(s, serialHex));
    }

    /** Serials compare as numbers, so leading zeros and letter case do not matter. */
    static boolean sameSerial(String a, String b) {
        try {
            return new BigInteger(a.trim(), 16).equals(new BigInteger(b.trim(), 16));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Number of devices with a control record. */
    public int size() {
        return byKey.size();
    }
}
