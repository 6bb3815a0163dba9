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

import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.Reason;
import io.fleetwarden.model.Topics;

/**
 * Enrolment: the control plane's writes to the device registry ({@code fleet.device-registry}) and its reads.
 * Everything a caller sends is validated ({@link DeviceRegistration}); each refusal has a stable reason code (the
 * problem type {@code /problems/enrolment/<reason>}) and is counted by reason ({@link #refusals()}). A tenant-scoped
 * grant reaches its own tenants only: another tenant's registry answers 404 ({@code tenant-not-permitted}), so its
 * devices' existence does not leak.
 */
public final class RegistryService {

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

    /** Every refusal reason, for the metrics. */
    public static final List<String> REASONS;

    static {
        List<String> all = new ArrayList<>();
        for (Reason r : Reason.values()) {
            all.add(r.code());
        }
        all.addAll(List.of(TENANT_NOT_PERMITTED, ALREADY_REGISTERED, NOT_REGISTERED, TOO_MANY_ROWS, DUPLICATE_ROW,
                UNSUPPORTED_FORMAT));
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

    public RegistryService(RegistryStore store, RecordPublisher publisher, AuditLog audit, ObjectMapper mapper,
                           Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.audit = audit;
        this.mapper = mapper;
        this.clock = clock;
        REASONS.forEach(r -> refusals.put(r, new LongAdder()));
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
        DeviceRegistration r = parseRequest(body, tenant, deviceId, p.name());
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
                cur.certificates(), cur.issuers(), clock.instant(), p.name());
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
            write(valid.get(i), "enrol-import");
            results.get(i).put("status", "registered");
        }
        return new ImportResult(true, rows.size(), results);
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
