package io.fleetwarden.model;

/**
 * Reserved alert and event scopes that are not tenants.
 *
 * <p>A reserved scope starts with {@code _}, which no tenant id may (see {@link DeviceKeys#isValidId}),
 * so no tenant can ever be named like one and see or shadow its records.
 */
public final class Scopes {

    /**
     * Front-door attempts without a verified identity (no certificate, an untrusted one, or one that
     * failed verification): seen only by the platform SOC, never by a tenant.
     */
    public static final String FRONT_DOOR = "_front-door";

    /**
     * Revocations of one certificate regardless of the device that holds it, on
     * {@code fleet.device-controls}: key {@code _certificate/serial:<lowercase hex>} or
     * {@code _certificate/sha256:<64 lowercase hex>}; the record's tenant is this scope and its device id
     * the part after the slash. A serial revocation applies to a certificate of any trusted CA with that
     * serial (fail closed); a SHA-256 fingerprint names exactly one certificate.
     */
    public static final String CERTIFICATE = "_certificate";

    /**
     * The platform operator's own obligations, such as EU CRA Article 14 reporting deadlines (rule
     * {@code CRA-DEADLINE-001}): alerts in this scope are raised by the dashboard API, not the stream
     * jobs, and only platform-wide roles (the ones that can act on a reporting case) see them.
     */
    public static final String PLATFORM = "_platform";

    /** Prefix of a certificate-serial revocation's id (after {@code _certificate/}). */
    public static final String SERIAL_PREFIX = "serial:";

    /** Prefix of a certificate-fingerprint revocation's id (after {@code _certificate/}). */
    public static final String SHA256_PREFIX = "sha256:";

    private Scopes() {
    }

    /** Whether {@code scope} is a reserved scope rather than a tenant id. */
    public static boolean isReserved(String scope) {
        return FRONT_DOOR.equals(scope) || CERTIFICATE.equals(scope) || PLATFORM.equals(scope);
    }
}
