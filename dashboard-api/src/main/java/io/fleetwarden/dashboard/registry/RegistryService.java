package io.fleetwarden.dashboard.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.disclosure.RateLimiter;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.Reason;
import io.fleetwarden.model.EnrolmentCa;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Topics;

/**
 * Enrolment: the control plane's writes to the device registry ({@code fleet.device-registry}) and its reads.
 * Everything a caller sends is validated ({@link DeviceRegistration}); each refusal has a stable reason code (the
 * problem type {@code /problems/enrolment/<reason>}) and is counted by reason ({@link #refusals()}). A tenant-scoped
 * grant reaches its own tenants only: another tenant's registry answers 404 ({@code tenant-not-permitted}), so its
 * devices' existence does not leak.
 */
public final class RegistryService {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);

    /** Rows one bulk import may carry. */
    public static final int MAX_IMPORT_ROWS = 1000;
    /** A certificate whose notAfter is this close is due for renewal. */
    public static final Duration RENEWAL_WINDOW = Duration.ofDays(30);

    /** Refusal reasons of the API besides {@link Reason}'s validation codes. */
    public static final String TENANT_NOT_PERMITTED = "tenant-not-permitted";
    public static final String ALREADY_REGISTERED = "already-registered";
    public static final String NOT_REGISTERED = "not-registered";
    public static final String TOO_MANY_ROWS = "too-many-rows";
    public static final String DUPLICATE_ROW = "duplicate-row";
    public static final String UNSUPPORTED_FORMAT = "unsupported-format";
    public static final String ENROLMENT_CA_IN_USE = "enrolment-ca-in-use";
    public static final String NOT_AN_ENROLMENT_CA = "not-an-enrolment-ca";
    public static final String INVALID_CERTIFICATE = "invalid-certificate";

    /** JIT registrations one tenant may get per minute (all brokers together; each broker has its own limit too). */
    public static final int JIT_PER_MINUTE = 120;
    /** A JIT request older than this (broker time) is not honoured: the device asks again when it reconnects. */
    public static final Duration JIT_REQUEST_MAX_AGE = Duration.ofHours(24);

    /** Why a broker's JIT registration request is not written: stable codes, counted. */
    public static final String JIT_MALFORMED = "malformed-request";
    public static final String JIT_EXPIRED = "request-expired";
    public static final String JIT_ALREADY_REGISTERED = "already-registered";
    public static final String JIT_UNKNOWN_ENROLMENT_CA = "unknown-enrolment-ca";
    public static final String JIT_TENANT_MISMATCH = "tenant-mismatch";
    public static final String JIT_DEVICE_ID_NOT_ALLOWED = "device-id-not-allowed";
    public static final String JIT_RATE_LIMITED = "rate-limited";
    /** Every JIT refusal reason, for the metrics. */
    public static final List<String> JIT_REFUSALS = List.of(JIT_MALFORMED, JIT_EXPIRED, JIT_ALREADY_REGISTERED,
            JIT_UNKNOWN_ENROLMENT_CA, JIT_TENANT_MISMATCH, JIT_DEVICE_ID_NOT_ALLOWED, JIT_RATE_LIMITED);

    /** Every refusal reason, for the metrics. */
    public static final List<String> REASONS;

    static {
        List<String> all = new ArrayList<>();
        for (Reason r : Reason.values()) {
            all.add(r.code());
        }
        all.addAll(List.of(TENANT_NOT_PERMITTED, ALREADY_REGISTERED, NOT_REGISTERED, TOO_MANY_ROWS, DUPLICATE_ROW,
                UNSUPPORTED_FORMAT, ENROLMENT_CA_IN_USE, NOT_AN_ENROLMENT_CA, INVALID_CERTIFICATE));
        REASONS = List.copyOf(all);
    }

    private static final Set<String> REQUEST_FIELDS = Set.of("deviceId", "model", "region", "state", "certificates",
            "issuers");

    private final RegistryStore store;
    private final RecordPublisher publisher;
    private final AuditLog audit;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> jitRefusals = new ConcurrentHashMap<>();
    private final LongAdder jitRegistrations = new LongAdder();
    private final RateLimiter jitRate;
    private final int jitPerMinute;

    public RegistryService(RegistryStore store, RecordPublisher publisher, AuditLog audit, ObjectMapper mapper,
                           Clock clock) {
        this(store, publisher, audit, mapper, clock, JIT_PER_MINUTE);
    }

    /** @param jitPerMinute JIT registrations written per tenant per minute at most */
    public RegistryService(RegistryStore store, RecordPublisher publisher, AuditLog audit, ObjectMapper mapper,
                           Clock clock, int jitPerMinute) {
        this.store = store;
        this.publisher = publisher;
        this.audit = audit;
        this.mapper = mapper;
        this.clock = clock;
        this.jitRate = new RateLimiter(jitPerMinute, clock);
        this.jitPerMinute = jitPerMinute;
        REASONS.forEach(r -> refusals.put(r, new LongAdder()));
        JIT_REFUSALS.forEach(r -> jitRefusals.put(r, new LongAdder()));
    }

    /** JIT registrations written so far. */
    public long jitRegistrations() {
        return jitRegistrations.sum();
    }

    /** JIT requests refused so far by reason code. */
    public long jitRefusals(String reason) {
        LongAdder a = jitRefusals.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** Refusals so far by reason code. */
    public long refusals(String reason) {
        LongAdder a = refusals.get(reason);
        return a == null ? 0 : a.sum();
    }

    private ApiException refuse(int status, String reason, String detail) {
        refusals.get(reason).increment();
        String title = switch (status) {
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 413 -> "Payload too large";
            default -> "Enrolment refused";
        };
        return new ApiException(status, status == 404 ? "not-found" : "enrolment/" + reason, title, detail);
    }

    private ApiException refuse(DeviceRegistration.Invalid e) {
        return refuse(400, e.reason().code(), e.getMessage());
    }

    private void requireTenant(Principal p, String tenant) {
        if (!DeviceKeys.isValidId(tenant) || !p.canSee(tenant)) {
            // 404 as for every object of another tenant: whether the tenant has devices does not leak
            throw refuse(404, TENANT_NOT_PERMITTED, "tenant " + (DeviceKeys.isValidId(tenant) ? tenant : "") + " not found");
        }
    }

    /** Enrols a new device of {@code tenant} from a request body {deviceId, model, region?, state?, certificates?, issuers?}. */
    public synchronized Map<String, Object> enrol(Principal p, String tenant, JsonNode body) {
        requireTenant(p, tenant);
        DeviceRegistration r = parseRequest(body, tenant, textOrNull(body, "deviceId"), p.name());
        if (store.get(r.key()).isPresent()) {
            throw refuse(409, ALREADY_REGISTERED, "device " + r.key() + " is already registered; change it with PUT");
        }
        r = r.withSource(DeviceRegistration.SOURCE_API);
        write(r, "enrol");
        return view(r);
    }

    /**
     * Replaces a registration (model, region, certificates, issuers, state; without {@code state} the current state is
     * kept): rotations add and drop certificates here.
     */
    public synchronized Map<String, Object> replace(Principal p, String tenant, String deviceId, JsonNode body) {
        String key = registeredKey(p, tenant, deviceId);
        JsonNode id = body.get("deviceId");
        if (id != null && !(id.isTextual() && id.asText().equals(deviceId))) {
            throw refuse(400, Reason.INVALID_DEVICE_ID.code(), "deviceId in the body must be the path's device id");
        }
        if (!body.has("state") && body.isObject()) {
            // a rotation does not reset the state: without "state" the current one is kept
            ((ObjectNode) body).put("state", store.get(key).orElseThrow().state().name());
        }
        DeviceRegistration r = parseRequest(body, tenant, deviceId, p.name())
                .withSource(store.get(key).orElseThrow().source()); // how it came in does not change
        write(r, "registration-update");
        return view(store.get(key).orElse(r));
    }

    /** Changes only the state (suspend, reactivate, decommission), with a reason for the audit trail. */
    public synchronized Map<String, Object> setState(Principal p, String tenant, String deviceId, String state,
                                                     String reason) {
        String key = registeredKey(p, tenant, deviceId);
        DeviceRegistration.State s;
        try {
            s = DeviceRegistration.State.parse(state);
        } catch (DeviceRegistration.Invalid e) {
            throw refuse(e);
        }
        DeviceRegistration cur = store.get(key).orElseThrow();
        DeviceRegistration next = new DeviceRegistration(cur.tenant(), cur.deviceId(), cur.model(), cur.region(), s,
                cur.certificates(), cur.issuers(), clock.instant(), p.name(), cur.source());
        write(next, "registration-" + s.name().toLowerCase(Locale.ROOT), reason);
        return view(next);
    }

    /** One registration with its certificates, expiry, renewal status and last use. */
    public Map<String, Object> get(Principal p, String tenant, String deviceId) {
        return view(store.get(registeredKey(p, tenant, deviceId)).orElseThrow());
    }

    /** The registrations of one tenant (offset/limit). */
    public Map<String, Object> list(Principal p, String tenant, int offset, int limit) {
        requireTenant(p, tenant);
        List<DeviceRegistration> all = store.ofTenant(tenant);
        List<Map<String, Object>> items = all.stream().skip(offset).limit(limit).map(this::view).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", all.size());
        out.put("offset", offset);
        out.put("items", items);
        return out;
    }

    /** The outcome of a bulk import: whether it was written, and one result per row. */
    public record ImportResult(boolean written, int rows, List<Map<String, Object>> results) {
    }

    /**
     * Bulk import, all or nothing: every row is validated first (format, fields, duplicates within the upload, devices
     * already registered); when any row is refused nothing is written and every row's result says why. Otherwise every
     * row is written. {@code format} is {@code json} (an array of request objects), {@code jsonl} (one request object
     * per line) or {@code csv} (header
     * {@code deviceId,model,region,state,certificates,issuers}; several fingerprints separated by {@code ;}).
     */
    public synchronized ImportResult importRows(Principal p, String tenant, String format, String body) {
        requireTenant(p, tenant);
        List<JsonNode> rows = switch (format == null ? "" : format) {
            case "jsonl" -> jsonLines(body);
            case "json" -> jsonArray(body);
            case "csv" -> csvRows(body);
            default -> throw refuse(415, UNSUPPORTED_FORMAT,
                    "upload a JSON array (application/json), JSON lines (application/x-ndjson) or CSV (text/csv)");
        };
        if (rows.isEmpty()) {
            throw refuse(400, Reason.MALFORMED.code(), "the upload holds no rows");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        List<DeviceRegistration> valid = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean refused = false;
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> res = new LinkedHashMap<>();
            res.put("row", i + 1);
            try {
                JsonNode row = rows.get(i);
                if (row == null) {
                    throw refuse(400, Reason.MALFORMED.code(), "row is not a JSON object (or a CSV row of the header's width)");
                }
                DeviceRegistration r = parseRequest(row, tenant, textOrNull(row, "deviceId"), p.name());
                res.put("deviceId", r.deviceId());
                if (!seen.add(r.key())) {
                    throw refuse(409, DUPLICATE_ROW, "device " + r.deviceId() + " appears twice in the upload");
                }
                if (store.get(r.key()).isPresent()) {
                    throw refuse(409, ALREADY_REGISTERED, "device " + r.key() + " is already registered");
                }
                valid.add(r);
                res.put("status", "valid");
            } catch (ApiException e) {
                refused = true;
                res.put("status", "refused");
                res.put("reason", e.type().replace("enrolment/", ""));
                res.put("detail", e.getMessage());
            }
            results.add(res);
        }
        if (refused) {
            return new ImportResult(false, rows.size(), results);
        }
        for (int i = 0; i < valid.size(); i++) {
            write(valid.get(i).withSource(DeviceRegistration.SOURCE_IMPORT), "enrol-import");
            results.get(i).put("status", "registered");
        }
        return new ImportResult(true, rows.size(), results);
    }

    // ---- enrolment CAs (just-in-time registration) ----

    /**
     * Configures (or replaces) an enrolment CA of {@code tenant}: body {@code {certificate?: PEM, template: {model,
     * region?, state?, approvalRequired?, deviceIdPattern?}}}. With a certificate, it must be a CA certificate whose
     * SHA-256 is {@code fingerprint}; without one, the fingerprint alone names the CA. A CA enrols for one tenant only:
     * a fingerprint another tenant configured is refused with {@code enrolment-ca-in-use} (409), without naming it.
     *
     * @return the view and whether it was created (else replaced)
     */
    public synchronized Map<String, Object> putEnrolmentCa(Principal p, String tenant, String fingerprint, JsonNode body) {
        requireTenant(p, tenant);
        if (!DeviceRegistration.isFingerprint(fingerprint)) {
            throw refuse(400, Reason.INVALID_ISSUER.code(), "the enrolment CA is named by the SHA-256 of its DER as 64"
                    + " lowercase hex characters");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("certificate") && !f.equals("template")) {
                throw refuse(400, Reason.UNKNOWN_FIELD.code(), "unknown field '" + clip(f) + "'; fields are certificate,"
                        + " template");
            }
        }
        Optional<EnrolmentCa> existing = store.enrolmentCa(fingerprint);
        if (existing.isPresent() && !existing.get().tenant().equals(tenant)) {
            throw refuse(409, ENROLMENT_CA_IN_USE, "this CA already enrols devices of another tenant; a CA enrols for"
                    + " one tenant only");
        }
        String subject = null;
        JsonNode pem = body.get("certificate");
        if (pem != null && !pem.isNull()) {
            X509Certificate ca = readCertificate(pem);
            if (!fingerprintOf(ca).equals(fingerprint)) {
                throw refuse(400, INVALID_CERTIFICATE, "the certificate's SHA-256 is not the fingerprint in the path");
            }
            boolean[] ku = ca.getKeyUsage();
            if (ca.getBasicConstraints() < 0 || (ku != null && (ku.length <= 5 || !ku[5]))) {
                throw refuse(400, NOT_AN_ENROLMENT_CA, "the certificate is not a CA certificate (basicConstraints CA"
                        + " and keyCertSign)");
            }
            subject = ca.getSubjectX500Principal().getName();
        } else if (existing.isPresent()) {
            subject = existing.get().subject();
        }
        EnrolmentCa ca;
        try {
            ca = new EnrolmentCa(tenant, fingerprint, subject, EnrolmentCa.template(body.get("template")), clock.instant(),
                    p.name());
        } catch (DeviceRegistration.Invalid e) {
            throw refuse(e);
        }
        publisher.publish(Topics.DEVICE_REGISTRY, ca.key(), ca.toJson());
        store.applyEnrolmentCa(ca.key(), ca);
        audit.append(AuditLog.enrolmentCaChain(fingerprint), tenant, existing.isPresent() ? "enrolment-ca-update"
                : "enrolment-ca-add", p.name(), "[template model " + ca.template().model() + ", state "
                + ca.template().state().name().toLowerCase(Locale.ROOT) + ", approval "
                + (ca.template().approvalRequired() ? "required" : "not required") + ", pattern "
                + ca.template().deviceIdPattern() + "]");
        Map<String, Object> out = ca.toMap();
        out.put("created", existing.isEmpty());
        return out;
    }

    /** The enrolment CAs of a tenant. */
    public Map<String, Object> enrolmentCas(Principal p, String tenant) {
        requireTenant(p, tenant);
        return Map.of("items", store.enrolmentCasOf(tenant).stream().map(EnrolmentCa::toMap).toList());
    }

    /** Stops a CA enrolling devices (registrations it made stay). */
    public synchronized void removeEnrolmentCa(Principal p, String tenant, String fingerprint) {
        requireTenant(p, tenant);
        Optional<EnrolmentCa> ca = DeviceRegistration.isFingerprint(fingerprint) ? store.enrolmentCa(fingerprint)
                : Optional.empty();
        if (ca.isEmpty() || !ca.get().tenant().equals(tenant)) {
            throw refuse(404, NOT_REGISTERED, "no enrolment CA " + (DeviceRegistration.isFingerprint(fingerprint)
                    ? fingerprint : "") + " in tenant " + tenant);
        }
        publisher.publish(Topics.DEVICE_REGISTRY, ca.get().key(), null);
        store.applyEnrolmentCa(ca.get().key(), null);
        audit.append(AuditLog.enrolmentCaChain(fingerprint), tenant, "enrolment-ca-remove", p.name(), "");
    }

    /** The outcome of one JIT registration request: written, or refused with a reason code. */
    public record JitOutcome(boolean registered, String reason) {
    }

    /**
     * Handles a broker's just-in-time registration request (the CONNECT or refusal security event carrying
     * {@link SecurityEventReasons#ATTR_JIT}). The event is the broker's (only brokers write
     * {@code fleet.security-events}), yet every fact is judged again against this registry: the device must still be
     * unregistered (a suspended, decommissioned or pending device never re-registers, a duplicate request is a no-op),
     * the enrolment CA must still be configured for the event's tenant, the device id must match its template's
     * pattern, the request must be recent ({@link #JIT_REQUEST_MAX_AGE}) and within the tenant's rate
     * ({@link #JIT_PER_MINUTE}). The registration written pins the certificate's fingerprint (and its notAfter), takes
     * model, region and state from the template ({@code pending} when it requires approval), has source {@code jit}, and
     * is audited on the device's chain with the CA and the broker.
     */
    public synchronized JitOutcome onJitRequest(SecurityEvent e) {
        Map<String, String> a = e.getAttributes();
        String tenant = e.getTenant();
        String deviceId = e.getDeviceId();
        String key = DeviceKeys.ofValid(tenant, deviceId);
        String fingerprint = e.getBroker() == null ? null : e.getBroker().getCertificateFingerprint();
        String caFp = a.get(SecurityEventReasons.ATTR_ENROLMENT_CA);
        Instant notAfter;
        try {
            String na = a.get(SecurityEventReasons.ATTR_CERTIFICATE_NOT_AFTER);
            notAfter = na == null ? null : Instant.parse(na);
        } catch (java.time.format.DateTimeParseException ex) {
            notAfter = null;
            key = null;
        }
        if (key == null || Scopes.isReserved(tenant) || !DeviceRegistration.isFingerprint(fingerprint)
                || !DeviceRegistration.isFingerprint(caFp) || e.getTimestamp() == null) {
            return jitRefused(JIT_MALFORMED, e, "request without a verified identity, certificate or enrolment CA");
        }
        if (e.getTimestamp().isBefore(clock.instant().minus(JIT_REQUEST_MAX_AGE))) {
            return jitRefused(JIT_EXPIRED, e, "request of " + e.getTimestamp() + " is too old");
        }
        Optional<DeviceRegistration> cur = store.get(key);
        if (cur.isPresent()) {
            if (DeviceRegistration.SOURCE_JIT.equals(cur.get().source()) && cur.get().allowsCertificate(fingerprint)) {
                return new JitOutcome(false, JIT_ALREADY_REGISTERED); // the same request again (reconnect, replay)
            }
            return jitRefused(JIT_ALREADY_REGISTERED, e, "device " + key + " is registered ("
                    + cur.get().state().name().toLowerCase(Locale.ROOT) + ")");
        }
        Optional<EnrolmentCa> ca = store.enrolmentCa(caFp);
        if (ca.isEmpty()) {
            return jitRefused(JIT_UNKNOWN_ENROLMENT_CA, e, "enrolment CA " + caFp + " is not configured");
        }
        if (!ca.get().tenant().equals(tenant)) {
            return jitRefused(JIT_TENANT_MISMATCH, e, "enrolment CA " + caFp + " does not enrol devices of " + tenant);
        }
        EnrolmentCa.Template t = ca.get().template();
        if (!t.allows(deviceId)) {
            return jitRefused(JIT_DEVICE_ID_NOT_ALLOWED, e, "device id does not match " + t.deviceIdPattern());
        }
        if (!jitRate.tryAcquire(tenant)) {
            return jitRefused(JIT_RATE_LIMITED, e, "more than " + jitPerMinute + " per minute for the tenant");
        }
        String broker = e.getBroker().getBrokerId();
        DeviceRegistration r = new DeviceRegistration(tenant, deviceId, t.model(), t.region(), t.registrationState(),
                List.of(new DeviceRegistration.Certificate(fingerprint, notAfter)), List.of(), clock.instant(),
                "jit:" + (broker == null || broker.isBlank() ? "broker" : clip(broker)), DeviceRegistration.SOURCE_JIT);
        write(r, "registration-jit", "just-in-time registration by enrolment CA " + caFp + " via broker " + clip(broker)
                + ", certificate " + fingerprint);
        jitRegistrations.increment();
        return new JitOutcome(true, null);
    }

    private JitOutcome jitRefused(String reason, SecurityEvent e, String detail) {
        jitRefusals.get(reason).increment();
        LOG.warn("just-in-time registration of {}/{} refused: {} ({})", clip(e.getTenant()), clip(e.getDeviceId()),
                reason, detail);
        return new JitOutcome(false, reason);
    }

    private X509Certificate readCertificate(JsonNode pem) {
        if (!pem.isTextual() || pem.asText().length() > 20_000) {
            throw refuse(400, INVALID_CERTIFICATE, "certificate must be one PEM certificate as a string");
        }
        try {
            java.util.Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new java.io.ByteArrayInputStream(pem.asText().getBytes(StandardCharsets.US_ASCII)));
            if (all.size() != 1) {
                throw refuse(400, INVALID_CERTIFICATE, "certificate must hold exactly one certificate, got " + all.size());
            }
            return (X509Certificate) all.iterator().next();
        } catch (java.security.cert.CertificateException ex) {
            throw refuse(400, INVALID_CERTIFICATE, "certificate is not a readable PEM X.509 certificate");
        }
    }

    private static String fingerprintOf(X509Certificate c) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(c.getEncoded()));
        } catch (java.security.GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private List<JsonNode> jsonArray(String body) {
        JsonNode n;
        try {
            n = mapper.readTree(body);
        } catch (IOException e) {
            throw refuse(400, Reason.MALFORMED.code(), "the upload is not JSON");
        }
        if (n == null || !n.isArray()) {
            throw refuse(400, Reason.MALFORMED.code(), "a JSON upload is an array of enrolment objects");
        }
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode row : n) {
            checkRowCount(rows.size());
            rows.add(row.isObject() ? row : null);
        }
        return rows;
    }

    private List<JsonNode> jsonLines(String body) {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            checkRowCount(rows.size());
            try {
                JsonNode n = mapper.readTree(line);
                rows.add(n != null && n.isObject() ? n : null);
            } catch (IOException e) {
                rows.add(null);
            }
        }
        return rows;
    }

    private List<JsonNode> csvRows(String body) {
        String[] lines = body.split("\r?\n", -1);
        List<String> header = null;
        List<JsonNode> rows = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            // no quoting: every allowed value is [A-Za-z0-9._-], hex or ';'-separated hex, so a quote or an extra
            // comma is itself invalid input and is refused by the validation below
            List<String> cells = List.of(line.split(",", -1));
            if (header == null) {
                header = cells.stream().map(String::trim).toList();
                for (String h : header) {
                    if (!REQUEST_FIELDS.contains(h)) {
                        throw refuse(400, Reason.UNKNOWN_FIELD.code(), "unknown CSV column '" + clip(h)
                                + "'; columns are " + REQUEST_FIELDS);
                    }
                }
                continue;
            }
            checkRowCount(rows.size());
            if (cells.size() != header.size()) {
                rows.add(null);
                continue;
            }
            ObjectNode n = mapper.createObjectNode();
            for (int c = 0; c < cells.size(); c++) {
                String v = cells.get(c).trim();
                if (v.isEmpty()) {
                    continue;
                }
                String h = header.get(c);
                if (h.equals("certificates") || h.equals("issuers")) {
                    ArrayNode a = n.putArray(h);
                    for (String f : v.split(";")) {
                        a.add(f.trim());
                    }
                } else {
                    n.put(h, v);
                }
            }
            rows.add(n);
        }
        return rows;
    }

    private void checkRowCount(int sofar) {
        if (sofar >= MAX_IMPORT_ROWS) {
            throw refuse(413, TOO_MANY_ROWS, "at most " + MAX_IMPORT_ROWS + " rows per upload");
        }
    }

    private DeviceRegistration parseRequest(JsonNode body, String tenant, String deviceId, String by) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!REQUEST_FIELDS.contains(f)) {
                throw refuse(400, Reason.UNKNOWN_FIELD.code(), "unknown field '" + clip(f) + "'; fields are "
                        + REQUEST_FIELDS);
            }
        }
        try {
            return DeviceRegistration.fromJson(body, tenant, deviceId, clock.instant(), by);
        } catch (DeviceRegistration.Invalid e) {
            throw refuse(e);
        }
    }

    private String registeredKey(Principal p, String tenant, String deviceId) {
        requireTenant(p, tenant);
        if (!DeviceKeys.isValidId(deviceId)) {
            throw refuse(400, Reason.INVALID_DEVICE_ID.code(), "device id must be 1-64 characters of [A-Za-z0-9._-]");
        }
        String key = DeviceKeys.of(tenant, deviceId);
        if (store.get(key).isEmpty()) {
            throw refuse(404, NOT_REGISTERED, "device " + key + " is not registered");
        }
        return key;
    }

    private void write(DeviceRegistration r, String action) {
        write(r, action, null);
    }

    /** Writes the record, then applies it locally, then audits: a caller never sees success for an unwritten record. */
    private void write(DeviceRegistration r, String action, String reason) {
        publisher.publish(Topics.DEVICE_REGISTRY, r.key(), r.toJson());
        store.apply(r.key(), r);
        audit.append(AuditLog.deviceChain(r.key()), r.tenant(), action, r.updatedBy(),
                (reason == null ? "" : reason + " ") + "[state " + r.state().name().toLowerCase(Locale.ROOT) + ", model "
                        + r.model() + ", " + r.certificates().size() + " certificate(s), " + r.issuers().size()
                        + " issuer(s)]");
    }

    /** The API view of one registration. */
    Map<String, Object> view(DeviceRegistration r) {
        Map<String, Object> m = r.toMap();
        Instant now = clock.instant();
        List<Map<String, Object>> certs = new ArrayList<>();
        String lastFingerprint = null;
        Instant last = null;
        for (DeviceRegistration.Certificate c : r.certificates()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("fingerprint", c.fingerprint());
            cm.put("notAfter", c.notAfter());
            Instant used = store.lastUsed(r.key(), c.fingerprint()).orElse(null);
            cm.put("lastUsedAt", used);
            cm.put("expired", c.notAfter() != null && !c.notAfter().isAfter(now));
            cm.put("renewalDue", c.notAfter() != null && c.notAfter().isBefore(now.plus(RENEWAL_WINDOW)));
            if (used != null && (last == null || used.isAfter(last))) {
                last = used;
                lastFingerprint = c.fingerprint();
            }
            certs.add(cm);
        }
        m.put("certificates", certs);
        m.put("lastUsedCertificate", lastFingerprint);
        m.put("lastConnectedAt", last);
        // renewal is due when every listed certificate with a known expiry is inside the window (no successor yet)
        boolean anyKnown = r.certificates().stream().anyMatch(c -> c.notAfter() != null);
        m.put("renewalDue", anyKnown && r.certificates().stream().filter(c -> c.notAfter() != null)
                .allMatch(c -> c.notAfter().isBefore(now.plus(RENEWAL_WINDOW))));
        return m;
    }

    private static String textOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static String clip(String s) {
        return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Bytes of a body as UTF-8 text. */
    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
