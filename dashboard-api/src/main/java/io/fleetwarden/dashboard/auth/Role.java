package io.fleetwarden.dashboard.auth;

import java.util.Locale;

/** Roles in increasing power: each role may do everything the roles below it may. */
public enum Role {
    /** Reads alerts, devices, fleet health, posture, firmware and advisories. */
    VIEWER,
    /** Also triages alerts, quarantines and releases devices, triages vulnerability reports. */
    ANALYST,
    /** Also revokes and decommissions devices, manages catalog, advisories and API tokens. */
    ADMIN;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    /** Parses {@code viewer}, {@code analyst} or {@code admin}; throws naming the bad value. */
    public static Role parse(String text) {
        if (text != null) {
            for (Role r : values()) {
                if (r.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("role must be viewer, analyst or admin: " + text);
    }
}
