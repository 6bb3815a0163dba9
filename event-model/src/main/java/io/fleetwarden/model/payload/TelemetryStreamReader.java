package io.fleetwarden.model.payload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Binds a telemetry payload in one pass over Jackson's token stream, for the fast path of
 * {@link DevicePayloads#parseTelemetry}. It accepts only the plainest form of the schema's structure —
 * exactly the declared properties with the declared JSON types, integers that fit their Java type, no
 * {@code null} anywhere, no duplicate keys, nothing after the document — and answers {@code null} for
 * anything else, which then goes to the full JSON Schema path. Value constraints (ranges, patterns) are
 * {@link TelemetryConstraints}' job. Thread-safe (stateless; one parser per call).
 *
 * <p>Why not data binding: the broker runs this for every publish, and a generic record binder spent
 * most of its time in property buffering and coercion checks; this reader is several times cheaper (see
 * the event-model README), and {@code TelemetryFastPathConformanceTest} holds it to the schema.
 *
 * <p>Duplicate keys are detected here, per object, with a bit per declared property, rather than by the
 * parser's {@code STRICT_DUPLICATE_DETECTION} (a hash set of names per object, ~4 % of the broker's publish
 * CPU); the factory handed in must therefore not need it. The full path keeps the parser's detection.
 */
final class TelemetryStreamReader {

    private final JsonFactory factory;

    TelemetryStreamReader(JsonFactory factory) {
        this.factory = factory;
    }

    /** The payload, or {@code null} when the bytes are not in the plain accepted form. */
    DeviceTelemetryPayload read(byte[] json) {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            DeviceTelemetryPayload payload = root(p);
            return payload != null && p.nextToken() == null ? payload : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static DeviceTelemetryPayload root(JsonParser p) throws IOException {
        Integer schema = null;
        Long ts = null;
        Long uptime = null;
        Double cpu = null;
        Double memory = null;
        String model = null;
        String region = null;
        DeviceTelemetryPayload.Firmware firmware = null;
        DeviceTelemetryPayload.Network network = null;
        DeviceTelemetryPayload.Update update = null;
        boolean hasUpdate = false;
        boolean hasRegion = false;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "schema" -> {
                    bit = 1;
                    schema = intValue(p, t);
                }
                case "ts" -> {
                    bit = 1 << 1;
                    ts = longValue(p, t);
                }
                case "model" -> {
                    bit = 1 << 2;
                    model = string(p, t);
                }
                case "region" -> {
                    bit = 1 << 3;
                    region = string(p, t);
                    hasRegion = true;
                }
                case "firmware" -> {
                    bit = 1 << 4;
                    firmware = t == JsonToken.START_OBJECT ? firmware(p) : null;
                }
                case "uptimeSeconds" -> {
                    bit = 1 << 5;
                    uptime = longValue(p, t);
                }
                case "cpuPercent" -> {
                    bit = 1 << 6;
                    cpu = number(p, t);
                }
                case "memoryPercent" -> {
                    bit = 1 << 7;
                    memory = number(p, t);
                }
                case "network" -> {
                    bit = 1 << 8;
                    network = t == JsonToken.START_OBJECT ? network(p) : null;
                }
                case "update" -> {
                    bit = 1 << 9;
                    update = t == JsonToken.START_OBJECT ? update(p) : null;
                    hasUpdate = true;
                }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0 || (hasRegion && region == null) || (hasUpdate && update == null)) {
                return null; // a duplicate key, or a null where the schema allows none
            }
            seen |= bit;
        }
        if (p.currentToken() != JsonToken.END_OBJECT || schema == null || ts == null || model == null || firmware == null
                || uptime == null || cpu == null || memory == null || network == null) {
            return null;
        }
        return new DeviceTelemetryPayload(schema, ts, model, region, firmware, uptime, cpu, memory, network, update);
    }

    private static DeviceTelemetryPayload.Firmware firmware(JsonParser p) throws IOException {
        String version = null;
        String hash = null;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "version" -> {
                    bit = 1;
                    version = string(p, t);
                }
                case "imageSha256" -> {
                    bit = 1 << 1;
                    hash = string(p, t);
                    if (hash == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        return p.currentToken() == JsonToken.END_OBJECT && version != null
                ? new DeviceTelemetryPayload.Firmware(version, hash) : null;
    }

    private static DeviceTelemetryPayload.Network network(JsonParser p) throws IOException {
        Integer interval = null;
        Long bytesIn = null;
        Long bytesOut = null;
        Long packetsIn = null;
        Long packetsOut = null;
        List<Integer> ports = null;
        List<DeviceTelemetryPayload.Connection> connections = null;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "intervalSeconds" -> {
                    bit = 1;
                    interval = intValue(p, t);
                }
                case "bytesIn" -> {
                    bit = 1 << 1;
                    bytesIn = longValue(p, t);
                }
                case "bytesOut" -> {
                    bit = 1 << 2;
                    bytesOut = longValue(p, t);
                }
                case "packetsIn" -> {
                    bit = 1 << 3;
                    packetsIn = longValue(p, t);
                }
                case "packetsOut" -> {
                    bit = 1 << 4;
                    packetsOut = longValue(p, t);
                }
                case "listeningPorts" -> {
                    bit = 1 << 5;
                    ports = t == JsonToken.START_ARRAY ? ports(p) : null;
                    if (ports == null) {
                        return null;
                    }
                }
                case "connections" -> {
                    bit = 1 << 6;
                    connections = t == JsonToken.START_ARRAY ? connections(p) : null;
                    if (connections == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        if (p.currentToken() != JsonToken.END_OBJECT || interval == null || bytesIn == null || bytesOut == null
                || packetsIn == null || packetsOut == null) {
            return null;
        }
        return new DeviceTelemetryPayload.Network(interval, bytesIn, bytesOut, packetsIn, packetsOut, ports, connections);
    }

    private static List<Integer> ports(JsonParser p) throws IOException {
        List<Integer> ports = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            Integer port = intValue(p, t);
            if (port == null) {
                return null;
            }
            ports.add(port);
        }
        return ports;
    }

    private static List<DeviceTelemetryPayload.Connection> connections(JsonParser p) throws IOException {
        List<DeviceTelemetryPayload.Connection> connections = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            DeviceTelemetryPayload.Connection c = t == JsonToken.START_OBJECT ? connection(p) : null;
            if (c == null) {
                return null;
            }
            connections.add(c);
        }
        return connections;
    }

    private static DeviceTelemetryPayload.Connection connection(JsonParser p) throws IOException {
        String address = null;
        Integer port = null;
        String protocol = null;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "remoteAddress" -> {
                    bit = 1;
                    address = string(p, t);
                }
                case "remotePort" -> {
                    bit = 1 << 1;
                    port = intValue(p, t);
                }
                case "protocol" -> {
                    bit = 1 << 2;
                    protocol = string(p, t);
                    if (protocol == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        return p.currentToken() == JsonToken.END_OBJECT && address != null && port != null
                ? new DeviceTelemetryPayload.Connection(address, port, protocol) : null;
    }

    private static DeviceTelemetryPayload.Update update(JsonParser p) throws IOException {
        String state = null;
        String target = null;
        Integer attempt = null;
        String failure = null;
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            int bit;
            switch (name) {
                case "state" -> {
                    bit = 1;
                    state = string(p, t);
                }
                case "targetVersion" -> {
                    bit = 1 << 1;
                    target = string(p, t);
                    if (target == null) {
                        return null;
                    }
                }
                case "attempt" -> {
                    bit = 1 << 2;
                    attempt = intValue(p, t);
                    if (attempt == null) {
                        return null;
                    }
                }
                case "failureReason" -> {
                    bit = 1 << 3;
                    failure = string(p, t);
                    if (failure == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            if ((seen & bit) != 0) {
                return null;
            }
            seen |= bit;
        }
        return p.currentToken() == JsonToken.END_OBJECT && state != null
                ? new DeviceTelemetryPayload.Update(state, target, attempt, failure) : null;
    }

    /** A JSON string, else null. */
    private static String string(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    /** A JSON integer that fits an int, else null. */
    private static Integer intValue(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : null;
    }

    /** A JSON integer that fits a long, else null. */
    private static Long longValue(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            return null;
        }
        JsonParser.NumberType type = p.getNumberType();
        return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG ? p.getLongValue() : null;
    }

    /** Any JSON number, as a double, else null. */
    private static Double number(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT ? p.getDoubleValue() : null;
    }
}
