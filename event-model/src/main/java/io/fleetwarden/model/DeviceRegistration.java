package io.fleetwarden.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One device of the registry, {@link Topics#DEVICE_REGISTRY} (compacted, key = device key, value = JSON, written by the
 * control plane only). What a device is comes from here, not from what it claims: its model and region, which
 * certificates (or which issuing CAs) may authenticate it, and its state.
 *
 * <p>Certificates are named by the SHA-256 of their DER encoding (lowercase hex, as the broker's
 * {@code BrokerContext.certificateFingerprint}); at most {@link #MAX_CERTIFICATES} at a time, so a rollover holds
 * the old and the new one and nothing else. Issuers are SHA-256 fingerprints of CA certificates: any certificate whose
 * chain contains one of them is allowed (a fleet that issues per device from its own intermediate CA). A
 * registration names at least one certificate or one issuer.
 *
 * <p>Value (JSON): {@code {"tenant", "deviceId", "model", "region"?, "state", "certificates": [{"fingerprint",
 * "notAfter"?}], "issuers": [fingerprint], "updatedAt", "updatedBy"?, "source"?}}.
 *
 * <p>The same topic also carries the enrolment CAs of just-in-time registration ({@link EnrolmentCa}, keys
 * {@code enrolment-ca:<fingerprint>}); {@link EnrolmentCa#isKey} tells the two apart.
 *
 * @param tenant       tenant
 * @param deviceId     device id
 * @param model        registered model (1-64 of {@code [A-Za-z0-9._-]})
 * @param region       registered region (same syntax), or null
 * @param state        lifecycle state
 * @param certificates allowed certificates, at most {@link #MAX_CERTIFICATES}
 * @param issuers      fingerprints of CA certificates whose certificates are allowed, at most {@link #MAX_ISSUERS}
 * @param updatedAt    when the control plane wrote this revision
 * @param updatedBy    who wrote it (a principal name), or null
 * @param source       how the device came into the registry: {@link #SOURCE_API}, {@link #SOURCE_IMPORT},
 *                     {@link #SOURCE_JIT}, or null (records written before sources were recorded)
 */
public record DeviceRegistration(String tenant, String deviceId, String model, String region, State state,
                                 List<Certificate> certificates, List<String> issuers, Instant updatedAt,
                                 String updatedBy, String source) {

    /** Enrolled through the enrolment API. */
    public static final String SOURCE_API = "api";
    /** Enrolled by a bulk import. */
    public static final String SOURCE_IMPORT = "import";
    /** Registered just in time: a certificate of an enrolment CA connected ({@link EnrolmentCa}). */
    public static final String SOURCE_JIT = "jit";
    private static final Set<String> SOURCES = Set.of(SOURCE_API, SOURCE_IMPORT, SOURCE_JIT);

    /** Certificates a device may hold at once: the current one and its successor during a rollover. */
    public static final int MAX_CERTIFICATES = 2;
    /** Issuing CAs one registration may name. */
    public static final int MAX_ISSUERS = 4;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("tenant", "deviceId", "model", "region", "state", "certificates",
            "issuers", "updatedAt", "updatedBy", "source");
    private static final Set<String> CERTIFICATE_FIELDS = Set.of("fingerprint", "notAfter");

    /** Lifecycle state. Only {@link #admitted()} states may connect when the broker enforces the registry. */
    public enum State {
        /** Registered, not yet confirmed in service; admitted. */
        ENROLLED,
        /** In service; admitted. */
        ACTIVE,
        /**
         * Registered just in time by an enrolment CA whose template requires approval; refused at CONNECT with
         * {@code registration-pending-approval} until an operator sets {@code enrolled} or {@code active}.
         */
        PENDING,
        /** Temporarily barred (refused at CONNECT with {@code device-suspended}). */
        SUSPENDED,
        /** Out of service for good (refused at CONNECT with {@code device-decommissioned}). */
        DECOMMISSIONED;

        public boolean admitted() {
            return this == ENROLLED || this == ACTIVE;
        }

        /** Parses {@code enrolled}, {@code ACTIVE}, ... (any case). */
        public static State parse(String text) {
            if (text != null) {
                for (State s : values()) {
                    if (s.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                        return s;
                    }
                }
            }
            throw new Invalid(Reason.INVALID_STATE, "state must be one of enrolled, active, pending, suspended, decommissioned: "
                    + clip(text));
        }
    }

    /**
     * One allowed certificate.
     *
     * @param fingerprint SHA-256 of the DER, 64 lowercase hex
     * @param notAfter    end of its validity when the operator knows it (renewal is due before it), or null
     */
    public record Certificate(String fingerprint, Instant notAfter) {
    }

    /** Why a registration is refused: stable codes, shown to API callers and counted. */
    public enum Reason {
        MALFORMED("malformed"),
        UNKNOWN_FIELD("unknown-field"),
        INVALID_TENANT("invalid-tenant"),
        INVALID_DEVICE_ID("invalid-device-id"),
        INVALID_MODEL("invalid-model"),
        INVALID_REGION("invalid-region"),
        INVALID_STATE("invalid-state"),
        INVALID_FINGERPRINT("invalid-fingerprint"),
        DUPLICATE_FINGERPRINT("duplicate-fingerprint"),
        TOO_MANY_CERTIFICATES("too-many-certificates"),
        INVALID_NOT_AFTER("invalid-not-after"),
        INVALID_ISSUER("invalid-issuer"),
        TOO_MANY_ISSUERS("too-many-issuers"),
        NO_CREDENTIAL("no-credential"),
        KEY_MISMATCH("key-mismatch"),
        INVALID_PATTERN("invalid-pattern");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** A refused registration: the reason code and a readable detail naming the bad value. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        public Invalid(Reason reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    public DeviceRegistration {
        if (tenant == null || Scopes.isReserved(tenant) || !DeviceKeys.isValidId(tenant)) {
            throw new Invalid(Reason.INVALID_TENANT, "tenant must be 1-64 characters of [A-Za-z0-9._-] starting with a"
                    + " letter or digit: " + clip(tenant));
        }
        if (!DeviceKeys.isValidId(deviceId)) {
            throw new Invalid(Reason.INVALID_DEVICE_ID, "deviceId must be 1-64 characters of [A-Za-z0-9._-] starting"
                    + " with a letter or digit: " + clip(deviceId));
        }
        if (!DeviceKeys.isValidId(model)) {
            throw new Invalid(Reason.INVALID_MODEL, "model must be 1-64 characters of [A-Za-z0-9._-] starting with a"
                    + " letter or digit: " + clip(model));
        }
        if (region != null && !DeviceKeys.isValidId(region)) {
            throw new Invalid(Reason.INVALID_REGION, "region must be 1-64 characters of [A-Za-z0-9._-] starting with a"
                    + " letter or digit: " + clip(region));
        }
        if (state == null) {
            throw new Invalid(Reason.INVALID_STATE, "state is required");
        }
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        if (certificates.size() > MAX_CERTIFICATES) {
            throw new Invalid(Reason.TOO_MANY_CERTIFICATES, "at most " + MAX_CERTIFICATES
                    + " certificates (the current one and its successor during a rollover), got " + certificates.size());
        }
        Set<String> seen = new HashSet<>();
        for (Certificate c : certificates) {
            if (c == null || !isFingerprint(c.fingerprint())) {
                throw new Invalid(Reason.INVALID_FINGERPRINT, "certificate fingerprint must be the SHA-256 of the DER as 64"
                        + " lowercase hex characters: " + clip(c == null ? null : c.fingerprint()));
            }
            if (!seen.add(c.fingerprint())) {
                throw new Invalid(Reason.DUPLICATE_FINGERPRINT, "certificate " + c.fingerprint() + " is listed twice");
            }
        }
        if (issuers.size() > MAX_ISSUERS) {
            throw new Invalid(Reason.TOO_MANY_ISSUERS, "at most " + MAX_ISSUERS + " issuers, got " + issuers.size());
        }
        for (String i : issuers) {
            if (!isFingerprint(i)) {
                throw new Invalid(Reason.INVALID_ISSUER, "issuer must be the SHA-256 of the CA certificate's DER as 64"
                        + " lowercase hex characters: " + clip(i));
            }
        }
        if (certificates.isEmpty() && issuers.isEmpty()) {
            throw new Invalid(Reason.NO_CREDENTIAL, "a registration names at least one certificate fingerprint or issuer");
        }
        if (updatedAt == null) {
            throw new Invalid(Reason.MALFORMED, "updatedAt is required");
        }
        if (source != null && !SOURCES.contains(source)) {
            throw new Invalid(Reason.MALFORMED, "source must be one of " + SOURCES + ": " + clip(source));
        }
    }

    /** A registration without a recorded source. */
    public DeviceRegistration(String tenant, String deviceId, String model, String region, State state,
                              List<Certificate> certificates, List<String> issuers, Instant updatedAt,
                              String updatedBy) {
        this(tenant, deviceId, model, region, state, certificates, issuers, updatedAt, updatedBy, null);
    }

    /** This registration with another source. */
    public DeviceRegistration withSource(String newSource) {
        return new DeviceRegistration(tenant, deviceId, model, region, state, certificates, issuers, updatedAt,
                updatedBy, newSource);
    }

    /** The device key {@code tenant/deviceId}. */
    public String key() {
        return DeviceKeys.of(tenant, deviceId);
    }

    /** Whether {@code fingerprint} is one of the allowed certificates. */
    public boolean allowsCertificate(String fingerprint) {
        for (Certificate c : certificates) {
            if (c.fingerprint().equals(fingerprint)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of {@code chainFingerprints} (certificates of the presented chain) is an allowed issuer. */
    public boolean allowsIssuerOf(List<String> chainFingerprints) {
        for (String f : chainFingerprints) {
            if (issuers.contains(f)) {
                return true;
            }
        }
        return false;
    }

    /** 64 lowercase hex characters. */
    public static boolean isFingerprint(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The JSON value of this record. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("tenant", tenant);
        n.put("deviceId", deviceId);
        n.put("model", model);
        if (region != null) {
            n.put("region", region);
        }
        n.put("state", state.name());
        ArrayNode certs = n.putArray("certificates");
        for (Certificate c : certificates) {
            ObjectNode cn = certs.addObject();
            cn.put("fingerprint", c.fingerprint());
            if (c.notAfter() != null) {
                cn.put("notAfter", c.notAfter().toString());
            }
        }
        ArrayNode iss = n.putArray("issuers");
        issuers.forEach(iss::add);
        n.put("updatedAt", updatedAt.toString());
        if (updatedBy != null) {
            n.put("updatedBy", updatedBy);
        }
        if (source != null) {
            n.put("source", source);
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads one record of the topic.
     *
     * @return the registration, or null for a tombstone (the device is no longer registered)
     * @throws Invalid naming the problem (unreadable JSON, unknown fields, invalid values, a key that is not the
     *                 record's device key)
     */
    public static DeviceRegistration parse(String key, byte[] value) {
        if (value == null) {
            return null;
        }
        JsonNode n = jsonObject("registration", key, value);
        DeviceRegistration r = fromJson(n, text(n, "tenant"), text(n, "deviceId"), instant(n, "updatedAt", Reason.MALFORMED),
                text(n, "updatedBy")).withSource(text(n, "source"));
        if (key == null || !key.equals(r.key())) {
            throw new Invalid(Reason.KEY_MISMATCH, "registration of " + r.key() + " does not match its key " + clip(key));
        }
        return r;
    }

    /**
     * Builds a registration from a JSON object such as an enrolment request: {@code model}, {@code region},
     * {@code state} (default {@code enrolled}), {@code certificates} (objects {@code {fingerprint, notAfter?}} or bare
     * fingerprint strings), {@code issuers}. Unknown fields are refused so that typos never pass silently.
     */
    public static DeviceRegistration fromJson(JsonNode n, String tenant, String deviceId, Instant updatedAt,
                                              String updatedBy) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new Invalid(Reason.UNKNOWN_FIELD, "unknown field '" + clip(f) + "'");
            }
        }
        String stateText = text(n, "state");
        State state = stateText == null ? State.ENROLLED : State.parse(stateText);
        List<Certificate> certs = new ArrayList<>();
        JsonNode cs = n.get("certificates");
        if (cs != null && !cs.isNull()) {
            if (!cs.isArray()) {
                throw new Invalid(Reason.INVALID_FINGERPRINT, "certificates must be an array");
            }
            if (cs.size() > MAX_CERTIFICATES) {
                throw new Invalid(Reason.TOO_MANY_CERTIFICATES, "at most " + MAX_CERTIFICATES + " certificates, got "
                        + cs.size());
            }
            for (JsonNode c : cs) {
                if (c.isTextual()) {
                    certs.add(new Certificate(c.asText(), null));
                    continue;
                }
                if (!c.isObject()) {
                    throw new Invalid(Reason.INVALID_FINGERPRINT, "a certificate is a fingerprint or {fingerprint, notAfter}");
                }
                for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!CERTIFICATE_FIELDS.contains(f)) {
                        throw new Invalid(Reason.UNKNOWN_FIELD, "unknown certificate field '" + clip(f) + "'");
                    }
                }
                certs.add(new Certificate(text(c, "fingerprint"), c.hasNonNull("notAfter")
                        ? instant(c, "notAfter", Reason.INVALID_NOT_AFTER) : null));
            }
        }
        List<String> issuers = new ArrayList<>();
        JsonNode is = n.get("issuers");
        if (is != null && !is.isNull()) {
            if (!is.isArray()) {
                throw new Invalid(Reason.INVALID_ISSUER, "issuers must be an array of fingerprints");
            }
            if (is.size() > MAX_ISSUERS) {
                throw new Invalid(Reason.TOO_MANY_ISSUERS, "at most " + MAX_ISSUERS + " issuers, got " + is.size());
            }
            for (JsonNode i : is) {
                issuers.add(i.isTextual() ? i.asText() : i.toString());
            }
        }
        return new DeviceRegistration(tenant, deviceId, text(n, "model"), text(n, "region"), state, certs, issuers,
                updatedAt, updatedBy);
    }

    /** The request-shaped JSON view (what {@link #fromJson} reads), as a map for API responses. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", tenant);
        m.put("deviceId", deviceId);
        m.put("model", model);
        m.put("region", region);
        m.put("state", state.name().toLowerCase(Locale.ROOT));
        m.put("issuers", issuers);
        m.put("updatedAt", updatedAt);
        m.put("updatedBy", updatedBy);
        m.put("source", source);
        return m;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(switch (field) {
                case "model" -> Reason.INVALID_MODEL;
                case "region" -> Reason.INVALID_REGION;
                case "state" -> Reason.INVALID_STATE;
                case "fingerprint" -> Reason.INVALID_FINGERPRINT;
                case "deviceId" -> Reason.INVALID_DEVICE_ID;
                case "tenant" -> Reason.INVALID_TENANT;
                default -> Reason.MALFORMED;
            }, "field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String field, Reason reason) {
        String t = text(n, field);
        if (t == null) {
            throw new Invalid(reason, field + " is required");
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new Invalid(reason, field + " must be an ISO-8601 instant such as 2027-01-31T00:00:00Z: " + clip(t));
        }
    }

    /** Hostile values are echoed at most 80 characters long. */
    /**
     * The record value of {@code key} as a JSON object, or {@link Invalid} ({@link Reason#MALFORMED}) naming
     * {@code what} it should have been: shared by the registry topic's record types.
     */
    static JsonNode jsonObject(String what, String key, byte[] value) {
        JsonNode n;
        try {
            n = JSON.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Invalid(Reason.MALFORMED, what + " of key " + clip(key) + " is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new Invalid(Reason.MALFORMED, what + " of key " + clip(key) + " is not a JSON object");
        }
        return n;
    }

    private static String clip(String s) {
        return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
