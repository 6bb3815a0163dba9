package io.fleetwarden.broker.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.DeviceKeys;

/**
 * Derives tenant and device id from a (verified) device certificate, by the profile in
 * {@link DeviceIdentities}.
 *
 * <p>The rule, in order:
 * <ol>
 *   <li>If the certificate has exactly one subject-alternative-name URI starting with
 *       {@code urn:device:}, it must be {@code urn:device:<tenant>:<deviceId>} and both parts name the
 *       identity. A malformed or duplicated {@code urn:device:} URI makes the identity unreadable (it is
 *       never silently ignored in favour of the CN).</li>
 *   <li>Otherwise the device id is the subject CN (exactly one CN) and the tenant is the subject O
 *       (exactly one O) or, without an O, the configured default tenant.</li>
 * </ol>
 * Every id must satisfy {@link DeviceKeys#isValidId(String)}, which keeps it safe inside MQTT topic levels.
 */
public final class IdentityRule {

    private static final int SAN_URI = 6;

    private final String defaultTenant;

    public IdentityRule(String defaultTenant) {
        this.defaultTenant = DeviceKeys.requireValidId("default tenant", defaultTenant);
    }

    /** Tenant and device id, or a reason why the certificate names no usable identity. */
    public record Names(String tenant, String deviceId) {
    }

    /**
     * @throws IllegalArgumentException with a readable reason when no valid identity can be read
     */
    public Names names(X509Certificate cert) {
        List<String> urns = deviceUrns(cert);
        if (urns.size() > 1) {
            throw new IllegalArgumentException("certificate carries " + urns.size() + " urn:device: SAN URIs");
        }
        if (urns.size() == 1) {
            DeviceIdentities.Names n = DeviceIdentities.parseUri(urns.get(0));
            return new Names(n.tenant(), n.deviceId());
        }
        LdapName dn;
        try {
            dn = new LdapName(cert.getSubjectX500Principal().getName());
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("unreadable subject: " + e.getMessage(), e);
        }
        String cn = single(dn, "CN").orElseThrow(() -> new IllegalArgumentException("subject has no single CN"));
        if (!DeviceKeys.isValidId(cn)) {
            throw new IllegalArgumentException("subject CN is not a valid device id: " + cn);
        }
        String tenant = single(dn, "O").orElse(defaultTenant);
        if (!DeviceKeys.isValidId(tenant)) {
            throw new IllegalArgumentException("subject O is not a valid tenant id: " + tenant);
        }
        return new Names(tenant, cn);
    }

    private static Optional<String> single(LdapName dn, String type) {
        List<String> values = dn.getRdns().stream().filter(r -> r.getType().equalsIgnoreCase(type))
                .map(Rdn::getValue).map(String::valueOf).toList();
        if (values.size() > 1) {
            throw new IllegalArgumentException("subject has " + values.size() + " " + type + " attributes");
        }
        return values.stream().findFirst();
    }

    private static List<String> deviceUrns(X509Certificate cert) {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subject alternative names", e);
        }
        if (sans == null) {
            return List.of();
        }
        return sans.stream()
                .filter(san -> san.size() >= 2 && Integer.valueOf(SAN_URI).equals(san.get(0)))
                .map(san -> String.valueOf(san.get(1)))
                .filter(DeviceIdentities::isDeviceUri)
                .toList();
    }
}
