package io.fleetwarden.model;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fleetwarden.model.DeviceRegistration.Invalid;
import io.fleetwarden.model.DeviceRegistration.Reason;
import io.fleetwarden.model.DeviceRegistration.State;

/**
 * An enrolment CA of one tenant: a CA whose device certificates may register just in time (JIT) when registry
 * enforcement is on. Carried in {@link Topics#DEVICE_REGISTRY} beside the registrations, key
 * {@code enrolment-ca:<fingerprint>} (a {@code :} never occurs in a device key, so the two never collide), JSON value,
 * written by the control plane only (the dashboard API, tenant admins). Keyed by the CA, so one CA belongs to at most
 * one tenant: a certificate can never choose its tenant by its own names.
 *
 * <p>When a device certificate whose verified chain contains this CA connects and the device has no registration,
 * the broker judges it by the {@link Template} (the device id must match {@link Template#deviceIdPattern}, the
 * certificate's tenant must be this CA's tenant, a per-tenant rate limit applies) and asks the control plane to
 * register it; the registration pins the certificate's fingerprint and has {@code source = jit}.
 *
 * <p>Value (JSON): {@code {"tenant", "fingerprint", "subject"?, "template": {"model", "region"?, "state",
 * "approvalRequired", "deviceIdPattern"?}, "updatedAt", "updatedBy"?}}.
 *
 * @param tenant      tenant whose devices this CA enrols
 * @param fingerprint SHA-256 of the CA certificate's DER, 64 lowercase hex
 * @param subject     the CA certificate's subject when the operator uploaded the certificate, else null (display only)
 * @param template    what a JIT registration of this CA looks like
 * @param updatedAt   when the control plane wrote this revision
 * @param updatedBy   who wrote it, or null
 */
public record EnrolmentCa(String tenant, String fingerprint, String subject, Template template, Instant updatedAt,
                          String updatedBy) {

    /** Key prefix in {@link Topics#DEVICE_REGISTRY}. */
    public static final String KEY_PREFIX = "enrolment-ca:";
    /** Longest device-id pattern. */
    public static final int MAX_PATTERN_LENGTH = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("tenant", "fingerprint", "subject", "template", "updatedAt",
            "updatedBy");
    private static final Set<String> TEMPLATE_FIELDS = Set.of("model", "region", "state", "approvalRequired",
            "deviceIdPattern");

    /**
     * What a JIT registration of this CA looks like.
     *
     * @param model            registered model
     * @param region           registered region, or null
     * @param state            state of the registration: {@code enrolled} or {@code active}
     * @param approvalRequired when true the device is refused ({@code registration-pending-approval}) and registered
     *                         {@code pending} until an operator approves it by setting {@link #state}
     * @param deviceIdPattern  a glob ({@code *} any run, {@code ?} one character, the rest literal) the device id must
     *                         match in full, or null for any id
     */
    public record Template(String model, String region, State state, boolean approvalRequired, String deviceIdPattern) {
        public Template {
            if (!DeviceKeys.isValidId(model)) {
                throw new Invalid(Reason.INVALID_MODEL, "template model must be 1-64 characters of [A-Za-z0-9._-]: "
                        + clip(model));
            }
            if (region != null && !DeviceKeys.isValidId(region)) {
                throw new Invalid(Reason.INVALID_REGION, "template region must be 1-64 characters of [A-Za-z0-9._-]: "
                        + clip(region));
            }
            if (state != State.ENROLLED && state != State.ACTIVE) {
                throw new Invalid(Reason.INVALID_STATE, "template state must be enrolled or active: " + state);
            }
            if (deviceIdPattern != null && !isPattern(deviceIdPattern)) {
                throw new Invalid(Reason.INVALID_PATTERN, "deviceIdPattern must be 1-" + MAX_PATTERN_LENGTH
                        + " characters of [A-Za-z0-9._-*?]: " + clip(deviceIdPattern));
            }
        }

        /** Whether {@code deviceId} matches {@link #deviceIdPattern} (any id when there is none). */
        public boolean allows(String deviceId) {
            return deviceIdPattern == null || globMatches(deviceIdPattern, deviceId);
        }

        /** The state a JIT registration is written with. */
        public State registrationState() {
            return approvalRequired ? State.PENDING : state;
        }
    }

    public EnrolmentCa {
        if (tenant == null || Scopes.isReserved(tenant) || !DeviceKeys.isValidId(tenant)) {
            throw new Invalid(Reason.INVALID_TENANT, "tenant must be 1-64 characters of [A-Za-z0-9._-]: " + clip(tenant));
        }
        if (!DeviceRegistration.isFingerprint(fingerprint)) {
            throw new Invalid(Reason.INVALID_ISSUER, "enrolment CA fingerprint must be the SHA-256 of the CA certificate's"
                    + " DER as 64 lowercase hex characters: " + clip(fingerprint));
        }
        if (subject != null && subject.length() > 512) {
            throw new Invalid(Reason.MALFORMED, "subject longer than 512 characters");
        }
        if (template == null) {
            throw new Invalid(Reason.MALFORMED, "template is required");
        }
        if (updatedAt == null) {
            throw new Invalid(Reason.MALFORMED, "updatedAt is required");
        }
    }

    /** The topic key {@code enrolment-ca:<fingerprint>}. */
    public String key() {
        return keyOf(fingerprint);
    }

    /** The topic key of the enrolment CA with this fingerprint. */
    public static String keyOf(String fingerprint) {
        return KEY_PREFIX + fingerprint;
    }

    /** Whether a {@link Topics#DEVICE_REGISTRY} key names an enrolment CA (else it is a device key). */
    public static boolean isKey(String key) {
        return key != null && key.startsWith(KEY_PREFIX);
    }

    /** The JSON value of this record. */
    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("tenant", tenant);
        n.put("fingerprint", fingerprint);
        if (subject != null) {
            n.put("subject", subject);
        }
        ObjectNode t = n.putObject("template");
        t.put("model", template.model());
        if (template.region() != null) {
            t.put("region", template.region());
        }
        t.put("state", template.state().name().toLowerCase(Locale.ROOT));
        t.put("approvalRequired", template.approvalRequired());
        if (template.deviceIdPattern() != null) {
            t.put("deviceIdPattern", template.deviceIdPattern());
        }
        n.put("updatedAt", updatedAt.toString());
        if (updatedBy != null) {
            n.put("updatedBy", updatedBy);
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The API view. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", tenant);
        m.put("fingerprint", fingerprint);
        m.put("subject", subject);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("model", template.model());
        t.put("region", template.region());
        t.put("state", template.state().name().toLowerCase(Locale.ROOT));
        t.put("approvalRequired", template.approvalRequired());
        t.put("deviceIdPattern", template.deviceIdPattern());
        m.put("template", t);
        m.put("updatedAt", updatedAt);
        m.put("updatedBy", updatedBy);
        return m;
    }

    /**
     * Reads one record of the topic.
     *
     * @return the enrolment CA, or null for a tombstone (the CA no longer enrols)
     * @throws Invalid naming the problem, also when the key is not this record's key
     */
    public static EnrolmentCa parse(String key, byte[] value) {
        if (!isKey(key)) {
            throw new Invalid(Reason.KEY_MISMATCH, "not an enrolment CA key: " + clip(key));
        }
        if (value == null) {
            return null;
        }
        JsonNode n = DeviceRegistration.jsonObject("enrolment CA", key, value);
        onlyFields(n, FIELDS);
        String at = text(n, "updatedAt");
        Instant updatedAt;
        try {
            updatedAt = at == null ? null : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new Invalid(Reason.MALFORMED, "updatedAt must be an ISO-8601 instant: " + clip(at));
        }
        EnrolmentCa ca = new EnrolmentCa(text(n, "tenant"), text(n, "fingerprint"), text(n, "subject"),
                template(n.get("template")), updatedAt, text(n, "updatedBy"));
        if (!key.equals(ca.key())) {
            throw new Invalid(Reason.KEY_MISMATCH, "enrolment CA " + ca.fingerprint() + " does not match its key "
                    + clip(key));
        }
        return ca;
    }

    /**
     * Reads a template object {@code {model, region?, state?, approvalRequired?, deviceIdPattern?}} (state defaults to
     * {@code enrolled}, approvalRequired to false). Unknown fields are refused.
     */
    public static Template template(JsonNode t) {
        if (t == null || !t.isObject()) {
            throw new Invalid(Reason.MALFORMED, "template must be an object {model, region?, state?, approvalRequired?,"
                    + " deviceIdPattern?}");
        }
        onlyFields(t, TEMPLATE_FIELDS);
        String state = text(t, "state");
        JsonNode approval = t.get("approvalRequired");
        if (approval != null && !approval.isNull() && !approval.isBoolean()) {
            throw new Invalid(Reason.MALFORMED, "approvalRequired must be true or false");
        }
        return new Template(text(t, "model"), text(t, "region"), state == null ? State.ENROLLED : State.parse(state),
                approval != null && approval.asBoolean(), text(t, "deviceIdPattern"));
    }

    /** 1-{@value #MAX_PATTERN_LENGTH} characters of {@code [A-Za-z0-9._-*?]}. */
    public static boolean isPattern(String p) {
        if (p == null || p.isEmpty() || p.length() > MAX_PATTERN_LENGTH) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-' || c == '*' || c == '?';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code text} matches the glob {@code pattern} in full. Linear in practice and at worst
     * O(pattern x text): the pattern comes from an API caller, so no regular expression (and no catastrophic
     * backtracking) is involved.
     */
    public static boolean globMatches(String pattern, String text) {
        if (text == null) {
            return false;
        }
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    private static void onlyFields(JsonNode n, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new Invalid(Reason.UNKNOWN_FIELD, "unknown field '" + clip(f) + "'");
            }
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(Reason.MALFORMED, "field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static String clip(Object o) {
        String s = String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
