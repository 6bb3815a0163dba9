package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEvent;

/**
 * Who a security event counts against. Failures without a verified identity are counted per
 * claimed client id and per source address; everything else per verified device.
 *
 * @param kind   device, claimed identity or source address
 * @param tenant verified tenant, or {@link Scopes#FRONT_DOOR} when the certificate did not verify
 * @param id     device id, claimed client id or address
 */
public record SecuritySubject(Kind kind, String tenant, String id) {

    /** Subject kinds; the dimension names appear in alerts as {@code cohortDimension}. */
    public enum Kind {
        DEVICE(null), CLAIMED_IDENTITY("claimed-identity"), SOURCE_ADDRESS("source-address");

        public final String dimension;

        Kind(String dimension) {
            this.dimension = dimension;
        }
    }

    /** The Flink key of this subject. */
    public String key() {
        return kind == Kind.DEVICE ? DeviceKeys.of(tenant, id) : tenant + "|" + kind.dimension + "=" + id;
    }

    /** The subject of a {@link #key()}. */
    public static SecuritySubject fromKey(String key) {
        int bar = key.indexOf('|');
        if (bar < 0) {
            int slash = key.indexOf('/');
            return new SecuritySubject(Kind.DEVICE, key.substring(0, slash), key.substring(slash + 1));
        }
        int eq = key.indexOf('=', bar);
        String dimension = key.substring(bar + 1, eq);
        for (Kind k : Kind.values()) {
            if (dimension.equals(k.dimension)) {
                return new SecuritySubject(k, key.substring(0, bar), key.substring(eq + 1));
            }
        }
        throw new IllegalStateException("unknown subject dimension " + dimension);
    }

    /** Whether the event names an identity (verified device or a claimed client id) to count a campaign against. */
    public static boolean hasIdentity(SecurityEvent e) {
        return (DeviceKeys.isValidId(e.getTenant()) && DeviceKeys.isValidId(e.getDeviceId()))
                || (e.getClaimedClientId() != null && !e.getClaimedClientId().isBlank());
    }

    /** Every subject the event counts against (possibly none, e.g. a connect without identity). */
    public static List<SecuritySubject> of(SecurityEvent e) {
        List<SecuritySubject> out = new ArrayList<>(2);
        boolean verified = DeviceKeys.isValidId(e.getTenant()) && DeviceKeys.isValidId(e.getDeviceId());
        String tenant = verified ? e.getTenant() : (DeviceKeys.isValidId(e.getTenant()) ? e.getTenant() : Scopes.FRONT_DOOR);
        if (verified) {
            out.add(new SecuritySubject(Kind.DEVICE, tenant, e.getDeviceId()));
        }
        switch (e.getType()) {
            case AUTHENTICATION_FAILURE, DEFAULT_CREDENTIAL_ATTEMPT -> {
                if (!verified && e.getClaimedClientId() != null && !e.getClaimedClientId().isBlank()) {
                    out.add(new SecuritySubject(Kind.CLAIMED_IDENTITY, tenant, e.getClaimedClientId()));
                }
                String address = e.getBroker() == null ? null : e.getBroker().getSourceAddress();
                if (address != null) {
                    out.add(new SecuritySubject(Kind.SOURCE_ADDRESS, tenant, address));
                }
            }
            default -> {
            }
        }
        return out;
    }
}
