package io.fleetwarden.model.payload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * Reads, validates and writes the JSON devices publish. One instance is thread-safe and meant to be
 * shared: the schema is compiled once.
 *
 * <p>Telemetry is validated in two stages because the broker does it for every publish. The fast path
 * binds the bytes in one pass over the token stream ({@link TelemetryStreamReader}: only the declared
 * properties with their declared JSON types, no nulls, no duplicate keys, nothing trailing) and checks
 * the schema's value constraints on the result ({@link TelemetryConstraints}); it can only accept.
 * Whatever it does not accept goes through the full path: a Jackson tree checked by the JSON Schema
 * validator against the schema file, which is the contract and which produces the violation messages.
 * The fast path is 2-3 times cheaper (JMH {@code TelemetryValidationBenchmark}, event-model README). {@code TelemetryFastPathConformanceTest} checks on thousands of generated valid and
 * invalid payloads that the fast path never accepts what the schema refuses and binds exactly what the
 * full path binds.
 */
public final class DevicePayloads {

    /** Classpath location of the device telemetry JSON Schema. */
    public static final String TELEMETRY_SCHEMA = "/schemas/device-telemetry.v1.schema.json";

    /** Classpath location of the device event JSON Schema. */
    public static final String EVENT_SCHEMA = "/schemas/device-event.v1.schema.json";

    /** Largest device event payload, in bytes (the schema bounds every field; this bounds the whole). */
    public static final int MAX_EVENT_BYTES = 2048;

    private static final int MAX_VIOLATIONS_REPORTED = 5;

    private final ObjectMapper mapper;
    private final TelemetryStreamReader fastReader;
    private final JsonSchema telemetrySchema;
    private final JsonSchema eventSchema;

    public DevicePayloads() {
        this.mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        // Devices are untrusted: cap nesting and string sizes before any schema check runs.
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(16).maxStringLength(4096).maxNumberLength(32).build();
        mapper.getFactory().setStreamReadConstraints(limits);
        // the fast path detects duplicate keys itself (cheaper than the parser's per-object name set)
        this.fastReader = new TelemetryStreamReader(JsonFactory.builder().streamReadConstraints(limits).build());
        this.telemetrySchema = schema(TELEMETRY_SCHEMA);
        this.eventSchema = schema(EVENT_SCHEMA);
    }

    private static JsonSchema schema(String resource) {
        try (InputStream in = DevicePayloads.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource + " on the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses and validates a telemetry payload.
     *
     * @throws PayloadValidationException with reason {@code payload-malformed} when it is not JSON,
     *                                    or {@code payload-schema-violation} when it breaks the schema
     */
    public DeviceTelemetryPayload parseTelemetry(byte[] json) throws PayloadValidationException {
        DeviceTelemetryPayload fast = acceptFast(json);
        return fast != null ? fast : parseTelemetryWithSchema(json);
    }

    /** The fast path: the bound payload when the stream reader and the value constraints accept it, else null. */
    DeviceTelemetryPayload acceptFast(byte[] json) {
        DeviceTelemetryPayload payload = fastReader.read(json);
        return payload != null && TelemetryConstraints.satisfied(payload) ? payload : null;
    }

    /**
     * Parses and validates a device event payload (at most {@link #MAX_EVENT_BYTES}).
     *
     * @throws PayloadValidationException {@code payload-too-large}, {@code payload-malformed} or
     *                                    {@code payload-schema-violation}
     */
    public DeviceEventPayload parseEvent(byte[] json) throws PayloadValidationException {
        if (json.length > MAX_EVENT_BYTES) {
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_TOO_LARGE,
                    List.of("device event of " + json.length + " bytes exceeds the maximum of " + MAX_EVENT_BYTES));
        }
        JsonNode node = validated(json, eventSchema);
        try {
            return mapper.treeToValue(node, DeviceEventPayload.class);
        } catch (IOException e) {
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION,
                    List.of(firstLine(e.getMessage())));
        }
    }

    /** Serialises a device event as a device would send it. */
    public byte[] write(DeviceEventPayload payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the platform record from a validated device event and what the broker verified.
     *
     * @param eventId    unique id the broker gives the record
     * @param receivedAt when the broker accepted it
     */
    public static DeviceLifecycleEvent toLifecycleEvent(String eventId, String tenant, String deviceId,
                                                        DeviceEventPayload p, BrokerContext broker, Instant receivedAt) {
        return DeviceLifecycleEvent.newBuilder()
                .setEventId(eventId)
                .setTenant(tenant)
                .setDeviceId(deviceId)
                .setType(DeviceEventType.valueOf(p.type()))
                .setDeviceTime(Instant.ofEpochMilli(p.ts()))
                .setReceivedAt(receivedAt)
                .setBootReason(p.bootReason())
                .setFirmwareVersion(p.firmwareVersion())
                .setConfigSource(p.configSource())
                .setChangedKeys(p.changedKeys() == null ? List.of() : List.copyOf(p.changedKeys()))
                .setFromVersion(p.fromVersion())
                .setToVersion(p.toVersion())
                .setUpdateResult(p.updateResult())
                .setFailureReason(p.failureReason())
                .setDetail(p.detail())
                .setBroker(broker)
                .build();
    }

    /** The full path: JSON tree, JSON Schema validation with violation messages, then binding. */
    DeviceTelemetryPayload parseTelemetryWithSchema(byte[] json) throws PayloadValidationException {
        JsonNode node = validated(json, telemetrySchema);
        try {
            return mapper.treeToValue(node, DeviceTelemetryPayload.class);
        } catch (IOException e) {
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION,
                    List.of(firstLine(e.getMessage())));
        }
    }

    /** Reads the JSON tree and checks it against {@code schema}, with readable violations. */
    private JsonNode validated(byte[] json, JsonSchema schema) throws PayloadValidationException {
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_MALFORMED,
                    List.of("not valid JSON: " + firstLine(e.getMessage())));
        }
        if (node == null || node.isMissingNode()) {
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_MALFORMED, List.of("empty payload"));
        }
        Set<ValidationMessage> messages = schema.validate(node);
        if (!messages.isEmpty()) {
            List<String> violations = new ArrayList<>();
            messages.stream().map(ValidationMessage::getMessage).sorted().limit(MAX_VIOLATIONS_REPORTED)
                    .forEach(violations::add);
            if (messages.size() > MAX_VIOLATIONS_REPORTED) {
                violations.add("and " + (messages.size() - MAX_VIOLATIONS_REPORTED) + " more");
            }
            throw new PayloadValidationException(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION, violations);
        }
        return node;
    }

    /** Serialises a payload as a device would send it. */
    public byte[] write(DeviceTelemetryPayload payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds the platform record from a validated payload and what the broker verified.
     *
     * @param tenant     tenant from the certificate
     * @param deviceId   device id from the certificate
     * @param payload    the validated payload
     * @param broker     the broker's view of the connection
     * @param receivedAt when the broker accepted the payload
     * @param quarantined whether the device is quarantined
     */
    public static Telemetry toTelemetry(String tenant, String deviceId, DeviceTelemetryPayload payload,
                                        BrokerContext broker, Instant receivedAt, boolean quarantined) {
        DeviceTelemetryPayload.Network net = payload.network();
        List<NetworkConnection> connections = new ArrayList<>();
        if (net.connections() != null) {
            for (DeviceTelemetryPayload.Connection c : net.connections()) {
                connections.add(new NetworkConnection(c.remoteAddress(), c.remotePort(),
                        c.protocol() == null ? "tcp" : c.protocol()));
            }
        }
        UpdateStatus update = null;
        if (payload.update() != null) {
            DeviceTelemetryPayload.Update u = payload.update();
            update = new UpdateStatus(UpdateState.valueOf(u.state()), u.targetVersion(),
                    u.attempt() == null ? 0 : u.attempt(), u.failureReason());
        }
        // Filled through the record's setters, not its Builder: the broker builds one per publish, and the Builder
        // copies the schema's field array, validates each value and resolves defaults for every record (about a
        // third of the extension's own CPU per publish). Every field is set here; DevicePayloadsTest checks that
        // the result is what the Builder makes of it.
        Telemetry t = new Telemetry();
        t.setTenant(tenant);
        t.setDeviceId(deviceId);
        t.setModel(payload.model());
        t.setRegion(payload.region());
        t.setDeviceTime(Instant.ofEpochMilli(payload.ts()));
        t.setReceivedAt(receivedAt);
        t.setFirmwareVersion(payload.firmware().version());
        t.setFirmwareImageHash(payload.firmware().imageSha256());
        t.setUptimeSeconds(payload.uptimeSeconds());
        t.setCpuPercent(payload.cpuPercent());
        t.setMemoryPercent(payload.memoryPercent());
        t.setIntervalSeconds(net.intervalSeconds());
        t.setBytesIn(net.bytesIn());
        t.setBytesOut(net.bytesOut());
        t.setPacketsIn(net.packetsIn());
        t.setPacketsOut(net.packetsOut());
        t.setListeningPorts(net.listeningPorts() == null ? List.of() : List.copyOf(net.listeningPorts()));
        t.setConnections(connections);
        t.setUpdate(update);
        t.setBroker(java.util.Objects.requireNonNull(broker, "broker"));
        t.setQuarantined(quarantined);
        return t;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
