package io.fleetwarden.broker.control;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Scopes;

/**
 * The latest control record per device from the compacted {@code fleet.device-controls} topic:
 * whether it is quarantined and whether it (or some of its certificates) is revoked. Thread-safe;
 * readers see each device's latest state.
 *
 * <p>Each record carries the device's full state (see the event model), so applying the latest
 * record per key is the whole algorithm; a tombstone ({@code null}) clears the device.
 *
 * <p>Records in the reserved scope {@link Scopes#CERTIFICATE} revoke one certificate whoever holds it
 * (by serial or SHA-256 fingerprint), so an operator can revoke a leaked key before any device used it.
 * A record for a device that never connected is kept like any other, so it applies at its first CONNECT.
 */
public final class ControlState implements ConnectVerifier.RevocationCheck {

    private final Map<String, DeviceControl> byKey = new ConcurrentHashMap<>();
    /** Revoked serials (normalised: no leading zeros) and fingerprints, keyed by the record's id part. */
    private final Map<String, String> revokedSerials = new ConcurrentHashMap<>();
    private final Map<String, String> revokedFingerprints = new ConcurrentHashMap<>();

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
        String scope = control != null ? control.getTenant() : key == null ? null : key.substring(0, Math.max(0, key.indexOf('/')));
        if (Scopes.CERTIFICATE.equals(scope)) {
            return applyCertificate(key, control);
        }
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

    private Change applyCertificate(String key, DeviceControl control) {
        String id = control != null ? control.getDeviceId() : key.substring(key.indexOf('/') + 1);
        if (control != null && key != null && !key.equals(Scopes.CERTIFICATE + "/" + id)) {
            throw new IllegalArgumentException("record key " + key + " does not match its certificate " + id);
        }
        boolean revoke = control != null && control.getRevoked();
        if (id.startsWith(Scopes.SERIAL_PREFIX)) {
            String serial = normalisedSerial(id.substring(Scopes.SERIAL_PREFIX.length()));
            if (revoke) {
                revokedSerials.put(id, serial);
            } else {
                revokedSerials.remove(id);
            }
        } else if (id.startsWith(Scopes.SHA256_PREFIX) && id.substring(Scopes.SHA256_PREFIX.length()).matches("[0-9a-f]{64}")) {
            if (revoke) {
                revokedFingerprints.put(id, id.substring(Scopes.SHA256_PREFIX.length()));
            } else {
                revokedFingerprints.remove(id);
            }
        } else {
            throw new IllegalArgumentException("certificate revocation must name serial:<hex> or sha256:<64 hex>: " + id);
        }
        return new Change(Scopes.CERTIFICATE + "/" + id, false, revoke);
    }

    private static String normalisedSerial(String hex) {
        try {
            return new BigInteger(hex.trim(), 16).toString(16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("certificate serial must be hex: " + hex);
        }
    }

    /**
     * Whether this certificate is revoked: its device (all or this serial), its serial alone or its
     * fingerprint alone.
     */
    @Override
    public boolean isRevoked(DeviceIdentity identity) {
        if (isRevoked(identity.tenant(), identity.deviceId(), identity.serialHex())) {
            return true;
        }
        String fp = identity.fingerprint();
        return fp != null && revokedFingerprints.containsValue(fp.toLowerCase(java.util.Locale.ROOT));
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
    @Override
    public boolean isRevoked(String tenant, String deviceId, String serialHex) {
        if (serialHex != null && !revokedSerials.isEmpty()) {
            for (String s : revokedSerials.values()) {
                if (sameSerial(s, serialHex)) {
                    return true;
                }
            }
        }
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

    /** Number of certificate revocations by serial or fingerprint alone. */
    public int certificateRevocations() {
        return revokedSerials.size() + revokedFingerprints.size();
    }
}
