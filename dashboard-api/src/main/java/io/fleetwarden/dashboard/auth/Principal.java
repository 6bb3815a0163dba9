package io.fleetwarden.dashboard.auth;

import java.util.Collection;
import java.util.Set;

import io.fleetwarden.dashboard.web.ApiException;

/**
 * An authenticated caller: a name (for the audit trail), one role, and the tenants the grant
 * covers. A {@code platformWide} grant covers every tenant AND the reserved scopes (front-door
 * attempts without a verified identity, certificate revocations); a platform-wide viewer or analyst
 * is the platform SOC, a platform-wide admin the platform admin. A tenant grant can never name a
 * reserved scope: tenant ids start with a letter or digit, reserved scopes with {@code _}.
 */
public record Principal(String name, Role role, Set<String> tenants, boolean platformWide) {

    public Principal {
        tenants = Set.copyOf(tenants);
        if (!platformWide && tenants.isEmpty()) {
            throw new IllegalArgumentException("a grant needs at least one tenant");
        }
        for (String t : tenants) {
            if (!io.fleetwarden.model.DeviceKeys.isValidId(t)) {
                throw new IllegalArgumentException("a grant names tenant ids only (1-64 of [A-Za-z0-9._-], no reserved"
                        + " scope): " + t);
            }
        }
    }

    public boolean canSee(String tenant) {
        return platformWide || tenants.contains(tenant);
    }

    /**
     * Throws 404 (not 403) for another tenant's object, so that its existence does not leak.
     */
    public void requireTenant(String tenant, String what) {
        if (tenant == null || !canSee(tenant)) {
            throw ApiException.notFound(what + " not found");
        }
    }

    /** Whether the principal may act on every tenant in {@code requested}. */
    public boolean canSeeAll(Collection<String> requested) {
        return requested.stream().allMatch(this::canSee);
    }
}
