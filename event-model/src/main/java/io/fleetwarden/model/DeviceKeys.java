package io.fleetwarden.model;

import java.util.regex.Pattern;

/**
 * Identifiers of tenants and devices, and the device key used on per-device topics.
 *
 * <p>Tenant and device ids are 1–64 characters of {@code [A-Za-z0-9._-]}, starting with a letter or
 * digit. That keeps them safe inside MQTT topic levels (no {@code /}, {@code +}, {@code #}), Kafka
 * keys, InfluxDB tags and URLs.
 */
public final class DeviceKeys {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private DeviceKeys() {
    }

    /** Whether {@code id} is a valid tenant or device id. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Returns {@code id} or throws {@link IllegalArgumentException} naming {@code what}. */
    public static String requireValidId(String what, String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException(what + " must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit: " + id);
        }
        return id;
    }

    /** The device key {@code tenant/deviceId}. */
    public static String of(String tenant, String deviceId) {
        return requireValidId("tenant", tenant) + "/" + requireValidId("device id", deviceId);
    }

    /** Splits a device key into {@code [tenant, deviceId]}. */
    public static String[] parse(String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a device key (tenant/deviceId): " + key);
        }
        String tenant = key.substring(0, slash);
        String device = key.substring(slash + 1);
        requireValidId("tenant", tenant);
        requireValidId("device id", device);
        return new String[] {tenant, device};
    }
}
