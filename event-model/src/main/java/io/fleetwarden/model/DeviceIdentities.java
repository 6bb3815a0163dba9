package io.fleetwarden.model;

import java.util.Optional;

/**
 * The device identity profile, in one place: how a device's certificate names it, which MQTT client id
 * it must connect with and which topics are its own. The broker extension parses with it, and every
 * PKI helper (test-support {@code TestPki}, the simulator's {@code FleetPki}, {@code deploy/bin/dev-pki.sh}
 * through the simulator's {@code pki profile} command) builds with it.
 *
 * <h2>Certificate</h2>
 * A device certificate has subject {@code CN=<deviceId>, O=<tenant>}, the subject alternative name URI
 * {@code urn:device:<tenant>:<deviceId>} ({@link #uri}), key usage {@code digitalSignature} and the
 * extended key usage {@code clientAuth}. The URI is authoritative when present; without it the CN and O
 * name the device and tenant.
 *
 * <h2>Tenant isolation</h2>
 * Device ids are unique only within a tenant, so everything a broker keys on carries the tenant too:
 * <ul>
 *   <li>the MQTT client id is the device key {@code <tenant>/<deviceId>} ({@link #clientId}); MQTT
 *       sessions (and takeovers) are per client id, so two tenants' devices with the same id never
 *       share or take over a session;</li>
 *   <li>a device's topics live under {@code devices/<tenant>/<deviceId>/} ({@link #telemetryTopic},
 *       {@link #eventsTopic}, {@link #commandsTopic}), so no device can publish or subscribe into another
 *       tenant's namespace by naming a device id that happens to exist there.</li>
 * </ul>
 * Ids satisfy {@link DeviceKeys#isValidId}, so neither contains {@code /}, {@code :}, {@code +} or
 * {@code #}: the client id, the URI and the topics split back unambiguously.
 */
public final class DeviceIdentities {

    /** Prefix of the device SAN URI, matched case-insensitively when parsing. */
    public static final String URN_PREFIX = "urn:device:";
    /** First topic level of every device topic. */
    public static final String TOPIC_ROOT = "devices";

    private DeviceIdentities() {
    }

    /** A tenant and a device id, both valid ids. */
    public record Names(String tenant, String deviceId) {

        public Names {
            DeviceKeys.requireValidId("tenant", tenant);
            DeviceKeys.requireValidId("device id", deviceId);
        }

        /** The device key {@code tenant/deviceId}. */
        public String key() {
            return tenant + "/" + deviceId;
        }
    }

    /** The SAN URI {@code urn:device:<tenant>:<deviceId>}. */
    public static String uri(String tenant, String deviceId) {
        Names n = new Names(tenant, deviceId);
        return URN_PREFIX + n.tenant() + ":" + n.deviceId();
    }

    /** Whether {@code uri} is meant as a device URI (starts with {@code urn:device:}, any case). */
    public static boolean isDeviceUri(String uri) {
        return uri != null && uri.regionMatches(true, 0, URN_PREFIX, 0, URN_PREFIX.length());
    }

    /**
     * Parses {@code urn:device:<tenant>:<deviceId>}.
     *
     * @throws IllegalArgumentException with a readable reason when it is not one, or an id is invalid
     */
    public static Names parseUri(String uri) {
        if (!isDeviceUri(uri)) {
            throw new IllegalArgumentException("not a urn:device: URI: " + uri);
        }
        String rest = uri.substring(URN_PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("SAN URI is not urn:device:<tenant>:<id>: " + uri);
        }
        String tenant = rest.substring(0, colon);
        String id = rest.substring(colon + 1);
        if (!DeviceKeys.isValidId(tenant) || !DeviceKeys.isValidId(id)) {
            throw new IllegalArgumentException("SAN URI has an invalid tenant or device id: " + uri);
        }
        return new Names(tenant, id);
    }

    /** The subject DN of a device certificate in RFC 4514 order: {@code CN=<deviceId>,O=<tenant>}. */
    public static String subjectDn(String tenant, String deviceId) {
        Names n = new Names(tenant, deviceId);
        return "CN=" + n.deviceId() + ",O=" + n.tenant();
    }

    /** The MQTT client id a device must connect with: its device key {@code <tenant>/<deviceId>}. */
    public static String clientId(String tenant, String deviceId) {
        return new Names(tenant, deviceId).key();
    }

    /** The names in a tenant-qualified client id, or empty when it is not {@code <tenant>/<deviceId>}. */
    public static Optional<Names> parseClientId(String clientId) {
        int slash = clientId == null ? -1 : clientId.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String tenant = clientId.substring(0, slash);
        String id = clientId.substring(slash + 1);
        return DeviceKeys.isValidId(tenant) && DeviceKeys.isValidId(id) ? Optional.of(new Names(tenant, id)) : Optional.empty();
    }

    /** {@code devices/<tenant>/<deviceId>}: the device's own topic namespace. */
    public static String namespace(String tenant, String deviceId) {
        Names n = new Names(tenant, deviceId);
        return TOPIC_ROOT + "/" + n.tenant() + "/" + n.deviceId();
    }

    /** Topic a device publishes telemetry to: {@code devices/<tenant>/<deviceId>/telemetry}. */
    public static String telemetryTopic(String tenant, String deviceId) {
        return namespace(tenant, deviceId) + "/telemetry";
    }

    /** Topic a device publishes its own events to: {@code devices/<tenant>/<deviceId>/events}. */
    public static String eventsTopic(String tenant, String deviceId) {
        return namespace(tenant, deviceId) + "/events";
    }

    /** Topic (and filter root) of commands to a device: {@code devices/<tenant>/<deviceId>/commands}. */
    public static String commandsTopic(String tenant, String deviceId) {
        return namespace(tenant, deviceId) + "/commands";
    }

    /**
     * The tenant a topic or filter addresses when it has the shape of a device topic,
     * {@code devices/<tenant>/<deviceId>/(telemetry|events|commands)[/...]} with a literal, valid tenant and
     * device id; empty otherwise (wildcards in those levels, {@code $} topics, other shapes such as the old
     * flat {@code devices/<deviceId>/telemetry}).
     */
    public static Optional<String> topicTenant(String topic) {
        if (topic == null || !topic.startsWith(TOPIC_ROOT + "/")) {
            return Optional.empty();
        }
        String[] levels = topic.split("/", 5);
        if (levels.length < 4 || !DeviceKeys.isValidId(levels[1]) || !DeviceKeys.isValidId(levels[2])
                || !(levels[3].equals("telemetry") || levels[3].equals("events") || levels[3].equals("commands"))) {
            return Optional.empty();
        }
        return Optional.of(levels[1]);
    }
}
