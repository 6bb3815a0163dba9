package io.fleetwarden.broker.control;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

    /**
     * A device's latest record with its revoked serials normalised once, when the record arrives, so that a
     * connect compares one string instead of parsing every listed serial as a number.
     *
     * @param allCertificates the record revokes and lists no serials: every certificate of the device
     * @param serials         the listed serials in {@link #canonicalSerial} form (unreadable ones never match)
     */
    private record Entry(DeviceControl control, boolean allCertificates, Set<String> serials) {

        static Entry of(DeviceControl control) {
            List<String> listed = control.getRevokedCertificateSerials();
            Set<String> serials = new HashSet<>();
            if (listed != null) {
                for (String s : listed) {
                    String canonical = canonicalSerial(s);
                    if (canonical != null) {
                        serials.add(canonical);
                    }
                }
            }
            return new Entry(control, listed == null || listed.isEmpty(), Set.copyOf(serials));
        }
    }

    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    /** Record id ({@code serial:<hex>} as written) to the serial it revokes, so a tombstone can undo it. */
    private final Map<String, String> serialRecords = new ConcurrentHashMap<>();
    /**
     * Index of certificate revocations by serial: canonical serial to the record ids revoking it. Several ids can
     * name one number ({@code serial:0a}, {@code serial:A}); the serial stays revoked until every one is withdrawn.
     * Looked up by exact equality of the canonical form at every connect and every sweep.
     */
    private final Map<String, Set<String>> revokedSerials = new ConcurrentHashMap<>();
    /** Revoked SHA-256 fingerprints (64 lowercase hex; the record id is {@code sha256:} and the fingerprint). */
    private final Set<String> revokedFingerprints = ConcurrentHashMap.newKeySet();

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
        byKey.put(recordKey, Entry.of(control));
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
                serialRecords.put(id, serial);
                revokedSerials.compute(serial, (k, ids) -> with(ids, id));
            } else if (serialRecords.remove(id) != null) {
                revokedSerials.computeIfPresent(serial, (k, ids) -> without(ids, id));
            }
        } else if (id.startsWith(Scopes.SHA256_PREFIX) && isFingerprint(id.substring(Scopes.SHA256_PREFIX.length()))) {
            if (revoke) {
                revokedFingerprints.add(id.substring(Scopes.SHA256_PREFIX.length()));
            } else {
                revokedFingerprints.remove(id.substring(Scopes.SHA256_PREFIX.length()));
            }
        } else {
            throw new IllegalArgumentException("certificate revocation must name serial:<hex> or sha256:<64 hex>: " + id);
        }
        return new Change(Scopes.CERTIFICATE + "/" + id, false, revoke);
    }

    private static Set<String> with(Set<String> ids, String id) {
        Set<String> out = ids == null ? new HashSet<>() : new HashSet<>(ids);
        out.add(id);
        return Set.copyOf(out);
    }

    private static Set<String> without(Set<String> ids, String id) {
        Set<String> out = new HashSet<>(ids);
        out.remove(id);
        return out.isEmpty() ? null : Set.copyOf(out);
    }

    /** 64 lowercase hex digits. */
    private static boolean isFingerprint(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String normalisedSerial(String hex) {
        String canonical = canonicalSerial(hex);
        if (canonical == null) {
            throw new IllegalArgumentException("certificate serial must be hex: " + hex);
        }
        return canonical;
    }

    /**
     * The one spelling of a serial number: lowercase hex without leading zeros, as {@link BigInteger#toString(int)}
     * writes it ({@code -} first for a negative number, which a conforming CA never issues but a certificate can
     * carry). Equal numbers have equal canonical forms and different numbers different ones, so the indexes compare
     * them as strings, exactly. Null when {@code hex} is not a hexadecimal number.
     */
    static String canonicalSerial(String hex) {
        if (hex == null) {
            return null;
        }
        if (isCanonical(hex)) {
            return hex; // what ConnectVerifier.serialHex writes: no parsing at connect
        }
        try {
            return new BigInteger(hex.trim(), 16).toString(16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isCanonical(String hex) {
        int start = hex.startsWith("-") ? 1 : 0;
        int n = hex.length() - start;
        if (n == 0 || (hex.charAt(start) == '0' && (n > 1 || start == 1))) {
            return false; // empty, a leading zero, or "-0"
        }
        for (int i = start; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
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
        return fp != null && revokedFingerprints.contains(fp.toLowerCase(Locale.ROOT));
    }

    /** Whether the device is quarantined (may stay connected, but every publish is refused). */
    public boolean isQuarantined(String deviceKey) {
        Entry e = byKey.get(deviceKey);
        return e != null && e.control().getQuarantined();
    }

    /**
     * Whether the device is revoked: all its certificates when the record lists no serials, otherwise
     * only the listed serials. Two lookups, whatever the number of revocations.
     */
    @Override
    public boolean isRevoked(String tenant, String deviceId, String serialHex) {
        String serial = canonicalSerial(serialHex);
        if (serial != null && revokedSerials.containsKey(serial)) {
            return true;
        }
        Entry e = byKey.get(DeviceKeys.of(tenant, deviceId));
        if (e == null || !e.control().getRevoked()) {
            return false;
        }
        return e.allCertificates() || (serial != null && e.serials().contains(serial));
    }

    /** Serials compare as numbers, so leading zeros and letter case do not matter. */
    static boolean sameSerial(String a, String b) {
        String ca = canonicalSerial(a);
        return ca != null && ca.equals(canonicalSerial(b));
    }

    /** Number of devices with a control record. */
    public int size() {
        return byKey.size();
    }

    /** Number of certificate revocations by serial or fingerprint alone. */
    public int certificateRevocations() {
        return serialRecords.size() + revokedFingerprints.size();
    }
}
