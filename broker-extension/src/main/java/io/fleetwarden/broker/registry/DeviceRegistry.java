package io.fleetwarden.broker.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * This broker's copy of the device registry ({@code fleet.device-registry}, replayed and followed by the controls
 * reader) and the one rule that judges a verified identity against it. Thread-safe.
 *
 * <p>When enforcement is on, a device is admitted only when it has a registration, the registration's state admits it
 * ({@code enrolled} or {@code active}) and the presented certificate is one of its registered fingerprints or was
 * issued by one of its registered CAs. Fail closed: a device whose registration record could not be read is treated
 * as unregistered (the bad record is skipped and counted by the reader).
 */
public final class DeviceRegistry {

    /** A refusal by the registry: the CONNACK reason, the security event reason code and a readable detail. */
    public record Refusal(Connack connack, String reason, String detail) {
    }

    private final Map<String, DeviceRegistration> byKey = new ConcurrentHashMap<>();

    /**
     * Applies one topic record (null value = tombstone: the device is no longer registered).
     *
     * @throws IllegalArgumentException when the record is malformed (the reader skips and counts it)
     */
    public void apply(String key, byte[] value) {
        DeviceKeys.parse(key);
        DeviceRegistration r = DeviceRegistration.parse(key, value);
        if (r == null) {
            byKey.remove(key);
        } else {
            byKey.put(key, r);
        }
    }

    /** The registration of a device, if it has one. */
    public Optional<DeviceRegistration> get(String tenant, String deviceId) {
        String key = DeviceKeys.ofValid(tenant, deviceId);
        return key == null ? Optional.empty() : Optional.ofNullable(byKey.get(key));
    }

    public int size() {
        return byKey.size();
    }

    /**
     * Judges a verified identity.
     *
     * @param identity          the identity verified from the certificate
     * @param issuerFingerprints SHA-256 fingerprints of the CA certificates above the leaf in its verified path (the
     *                           presented intermediates and the trust anchor)
     * @return the refusal, or empty when the registry admits the device
     */
    public Optional<Refusal> check(DeviceIdentity identity, List<String> issuerFingerprints) {
        DeviceRegistration r = byKey.get(identity.key());
        if (r == null) {
            return Optional.of(new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_NOT_REGISTERED,
                    "device " + identity.key() + " is not registered; enrol it before it connects"));
        }
        switch (r.state()) {
            case SUSPENDED:
                return Optional.of(new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_SUSPENDED,
                        "device " + identity.key() + " is suspended in the registry"));
            case DECOMMISSIONED:
                return Optional.of(new Refusal(Connack.BANNED, SecurityEventReasons.DEVICE_DECOMMISSIONED,
                        "device " + identity.key() + " is decommissioned"));
            default:
                break;
        }
        if (!r.allowsCertificate(identity.fingerprint())
                && !r.allowsIssuerOf(issuerFingerprints)) {
            return Optional.of(new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.CERTIFICATE_NOT_REGISTERED,
                    "certificate sha256:" + identity.fingerprint() + " is not registered for device " + identity.key()));
        }
        return Optional.empty();
    }
}
