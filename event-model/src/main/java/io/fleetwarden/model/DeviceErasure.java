package io.fleetwarden.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An erasure record of {@link Topics#ERASURES} (key = device key, value = JSON
 * {@code {"tenant", "deviceId", "erasedAt" (ISO-8601 instant), "erasedBy"}}): the device's personal data up to
 * {@code erasedAt} must not be served or re-created by any reader.
 *
 * @param tenant   tenant of the erased device
 * @param deviceId device id
 * @param erasedAt when it was erased
 * @param erasedBy who erased it (a principal name; may be null)
 */
public record DeviceErasure(String tenant, String deviceId, Instant erasedAt, String erasedBy) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The device key of this record. */
    public String key() {
        return DeviceKeys.of(tenant, deviceId);
    }

    /**
     * Reads one record. Refuses, naming the problem: a value that is not a JSON object, missing or invalid tenant or
     * device id, a tenant in a reserved scope ({@code _...}, such as {@link Scopes#FRONT_DOOR}: no device lives there),
     * a missing or unreadable {@code erasedAt}, and a key that is not the record's device key.
     *
     * @return the record, or null for a tombstone (a null value: it cannot un-erase anything)
     * @throws IllegalArgumentException when the record is malformed
     */
    public static DeviceErasure parse(String key, byte[] value) {
        if (value == null) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("erasure record of key " + key + " is not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("erasure record of key " + key + " is not a JSON object");
        }
        String tenant = text(n, "tenant");
        String deviceId = text(n, "deviceId");
        if (tenant == null || tenant.startsWith("_") || Scopes.isReserved(tenant)) {
            throw new IllegalArgumentException("erasure record of key " + key + " names a reserved or missing tenant: " + tenant);
        }
        if (!DeviceKeys.isValidId(tenant) || !DeviceKeys.isValidId(deviceId)) {
            throw new IllegalArgumentException("erasure record of key " + key + " has an invalid tenant or device id");
        }
        if (key == null || !key.equals(DeviceKeys.of(tenant, deviceId))) {
            throw new IllegalArgumentException("erasure record does not match its key " + key);
        }
        String at = text(n, "erasedAt");
        if (at == null) {
            throw new IllegalArgumentException("erasure record of key " + key + " has no erasedAt");
        }
        Instant erasedAt;
        try {
            erasedAt = Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("erasure record of key " + key + " has an unreadable erasedAt: " + at);
        }
        return new DeviceErasure(tenant, deviceId, erasedAt, text(n, "erasedBy"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
