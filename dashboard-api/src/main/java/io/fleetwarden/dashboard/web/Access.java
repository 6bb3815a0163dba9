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
    /** An admin whose grant is platform-wide (not scoped to tenants): token management. */
    PLATFORM_ADMIN(Role.ADMIN);

    private final Role minimumRole;

    Access(Role minimumRole) {
        this.minimumRole = minimumRole;
    }

    /** The lowest role that may call the route; {@code null} for {@link #PUBLIC}. */
    public Role minimumRole() {
        return minimumRole;
    }
}
