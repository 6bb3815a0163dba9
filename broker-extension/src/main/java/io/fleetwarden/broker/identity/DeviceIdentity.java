package io.fleetwarden.broker.identity;

import java.time.Instant;

import io.fleetwarden.model.DeviceKeys;

/**
 * The verified identity of a connected device, taken from its client certificate.
 *
 * @param tenant       tenant from the certificate (SAN URI, subject O, or the configured default)
 * @param deviceId     device id from the certificate (SAN URI or subject CN)
 * @param serialHex    certificate serial number, lowercase hex
 * @param fingerprint  SHA-256 of the certificate DER, lowercase hex
 * @param notAfter     end of the certificate's validity
 */
public record DeviceIdentity(String tenant, String deviceId, String serialHex, String fingerprint, Instant notAfter) {

    /** The device key {@code tenant/deviceId}. */
    public String key() {
        return DeviceKeys.of(tenant, deviceId);
    }
}
