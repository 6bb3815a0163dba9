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

    private Scopes() {
    }

    /** Whether {@code scope} is a reserved scope rather than a tenant id. */
    public static boolean isReserved(String scope) {
        return FRONT_DOOR.equals(scope);
    }
}
