package io.fleetwarden.dashboard.auth;

import java.util.Collection;
import java.util.Set;

import io.fleetwarden.dashboard.web.ApiException;

/**
 * An authenticated caller: a name (for the audit trail), one role, and the tenants the grant
 * covers. {@code platformWide} grants (admins only) cover every tenant.
 */
public record Principal(String name, Role role, Set<String> tenants, boolean platformWide) {

    public Principal {
        tenants = Set.copyOf(tenants);
        if (platformWide && role != Role.ADMIN) {
            throw new IllegalArgumentException("only admins can have platform-wide grants");
        }
        if (!platformWide && tenants.isEmpty()) {
            throw new IllegalArgumentException("a grant needs at least one tenant");
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
