package io.fleetwarden.dashboard.web;

import io.fleetwarden.dashboard.auth.Role;

/**
 * Who may call a route. Every route declares one; there is no default, so a route cannot be
 * exposed by forgetting to protect it.
 */
public enum Access {
    /** No authentication (health, security.txt, the public report intake, the OpenAPI document). */
    PUBLIC(null),
    VIEWER(Role.VIEWER),
    ANALYST(Role.ANALYST),
    ADMIN(Role.ADMIN),
    /**
     * An analyst (or admin) whose grant is platform-wide, the platform SOC: platform-scoped work such
     * as vulnerability-report triage, which can publish a platform-wide advisory.
     */
    PLATFORM_ANALYST(Role.ANALYST),
    /**
     * An admin whose grant is platform-wide: platform-scoped resources (firmware catalog, advisories,
     * certificate revocations by serial or fingerprint, webhook status).
     */
    PLATFORM_ADMIN(Role.ADMIN);

    private final Role minimumRole;

    Access(Role minimumRole) {
        this.minimumRole = minimumRole;
    }

    /** Whether the route needs a platform-wide grant (a tenant-scoped grant is refused with 403). */
    public boolean platformOnly() {
        return this == PLATFORM_ANALYST || this == PLATFORM_ADMIN;
    }

    /** The lowest role that may call the route; {@code null} for {@link #PUBLIC}. */
    public Role minimumRole() {
        return minimumRole;
    }
}
