package io.fleetwarden.model.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The telemetry fast path ({@link DevicePayloads#acceptFast}) against the JSON Schema validator, the
 * contract: on thousands of generated payloads — every property removed, set to null or to each value of
 * a catalogue of edge values (bounds and one past them, wrong types, pattern edge cases), unknown
 * properties added at every level, arrays past their limits, random combinations, and hand-written byte
 * level cases — the fast path must never accept a payload the schema refuses, and when it accepts it must
 * bind exactly what the full path binds. It must also accept the valid payloads (or it saves nothing).
 */
class TelemetryFastPathConformanceTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DevicePayloads payloads = new DevicePayloads();

    private int fastAccepted;
    private int schemaAccepted;
    private int checked;

    static ObjectNode minimal() {
        ObjectNode p = F.objectNode();
        p.put("schema", 1).put("ts", 1_700_000_000_000L).put("model", "cam-x1");
        p.putObject("firmware").put("version", "2.4.1");
        p.put("uptimeSeconds", 86_400).put("cpuPercent", 12.5).put("memoryPercent", 41);
        p.putObject("network").put("intervalSeconds", 30).put("bytesIn", 12_000).put("bytesOut", 48_000)
                .put("packetsIn", 90).put("packetsOut", 160);
        return p;
    }

    static ObjectNode full() {
        ObjectNode p = minimal();
        p.put("region", "eu-west");
        ((ObjectNode) p.get("firmware")).put("imageSha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        ObjectNode net = (ObjectNode) p.get("network");
        net.putArray("listeningPorts").add(80).add(443);
        ArrayNode conns = net.putArray("connections");
        conns.addObject().put("remoteAddress", "203.0.113.10").put("remotePort", 443).put("protocol", "tcp");
        conns.addObject().put("remoteAddress", "2001:db8::1").put("remotePort", 8883);
        p.putObject("update").put("state", "FAILED").put("targetVersion", "2.5.0-rc.1").put("attempt", 3)
                .put("failureReason", "signature mismatch");
        return p;
    }

    static List<JsonNode> edgeValues() {
        List<JsonNode> v = new ArrayList<>();
        v.add(F.nullNode());
        v.add(F.booleanNode(true));
        for (long n : new long[] {-1, 0, 1, 2, 100, 101, 255, 256, 1024, 1025, 65_535, 65_536, 86_400, 86_401,
                1_000_000, 1_000_001, 32_503_680_000_000L, 32_503_680_000_001L, Long.MAX_VALUE, Long.MIN_VALUE,
                Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1}) {
            v.add(F.numberNode(n));
        }
        v.add(F.numberNode(new BigInteger("99999999999999999999")));
        for (double d : new double[] {0.0, 1.0, 1.5, -0.5, 99.99, 100.0, 100.5, 1e3, 2.0E-3}) {
            v.add(F.numberNode(d));
        }
        String hex64 = "0123456789abcdef".repeat(4);
        for (String s : new String[] {"", "a", "1", "-", "x y", "a\n", "\na", "tcp", "udp", "TCP", "IDLE", "FAILED",
                "idle", "1.2.3", "1.2.3-rc.1", "1.2.3.4.5.6", "1.2.3.4.5.6.7", "1234567890.1", "1.2-", "1.2-" + "a".repeat(33),
                "a".repeat(64), "a".repeat(65), "_a", "a_b.c-d", hex64, hex64.toUpperCase(), hex64 + "0",
                "10.0.0.1", "::1", "2001:db8::1", "g::1", "1", "1".repeat(45), "1".repeat(46), "é", "r".repeat(256),
                "r".repeat(257), "\uD83D\uDE00".repeat(256), "\uD83D\uDE00".repeat(257)}) {
            v.add(F.textNode(s));
        }
        v.add(F.arrayNode());
        v.add(F.arrayNode().add(1));
        v.add(F.arrayNode().add(1).add(1));
        v.add(F.arrayNode().add(F.nullNode()));
        v.add(F.arrayNode().add("1"));
        v.add(F.objectNode());
        v.add(F.objectNode().put("a", 1));
        return v;
    }

    /** Every value location in the tree, as a function that applies a change there. */
    static void locations(JsonNode node, List<Consumer<JsonNode>> removers, List<java.util.function.BiConsumer<JsonNode, JsonNode>> setters,
                          List<String> paths, String path) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String child = path + "/" + key;
                paths.add(child);
                locations(e.getValue(), removers, setters, paths, child);
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                String child = path + "/" + i;
                paths.add(child);
                locations(arr.get(i), removers, setters, paths, child);
            }
        }
    }

    static JsonNode parent(JsonNode root, String path) {
        String parentPath = path.substring(0, path.lastIndexOf('/'));
        return parentPath.isEmpty() ? root : root.at(parentPath);
    }

    static String last(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static void set(JsonNode root, String path, JsonNode value) {
        JsonNode parent = parent(root, path);
        if (parent instanceof ObjectNode o) {
            o.set(last(path), value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last(path)), value);
        }
    }

    static void remove(JsonNode root, String path) {
        JsonNode parent = parent(root, path);
        if (parent instanceof ObjectNode o) {
            o.remove(last(path));
        } else if (parent instanceof ArrayNode a) {
            a.remove(Integer.parseInt(last(path)));
        }
    }

    static List<String> paths(JsonNode root) {
        List<String> paths = new ArrayList<>();
        locations(root, new ArrayList<>(), new ArrayList<>(), paths, "");
        return paths;
    }

    void check(byte[] json) {
        checked++;
        DeviceTelemetryPayload fast = payloads.acceptFast(json);
        DeviceTelemetryPayload full;
        try {
            full = payloads.parseTelemetryWithSchema(json);
            schemaAccepted++;
        } catch (PayloadValidationException e) {
            if (fast != null) {
                fail("fast path accepted a payload the schema refuses (%s): %s", e.violations(),
                        new String(json, StandardCharsets.UTF_8));
            }
            return;
        }
        if (fast != null) {
            fastAccepted++;
            assertThat(fast).as("fast path binding of %s", new String(json, StandardCharsets.UTF_8)).isEqualTo(full);
        }
    }

    void check(JsonNode node) {
        try {
            check(JSON.writeValueAsBytes(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void validPayloadsTakeTheFastPath() {
        for (ObjectNode p : List.of(minimal(), full())) {
            check(p);
            assertThat(payloads.acceptFast(p.toString().getBytes(StandardCharsets.UTF_8))).isNotNull();
        }
        assertThat(fastAccepted).isEqualTo(2);
    }

    @Test
    void everySingleMutationAgreesWithTheSchema() {
        List<JsonNode> values = edgeValues();
        for (ObjectNode base : List.of(minimal(), full())) {
            for (String path : paths(base)) {
                ObjectNode removed = base.deepCopy();
                remove(removed, path);
                check(removed);
                for (JsonNode value : values) {
                    ObjectNode changed = base.deepCopy();
                    set(changed, path, value.deepCopy());
                    check(changed);
                }
            }
            // unknown properties at every object level
            for (String path : paths(base)) {
                JsonNode target = base.at(path);
                if (target instanceof ObjectNode) {
                    ObjectNode extra = base.deepCopy();
                    ((ObjectNode) extra.at(path)).put("unexpected", 1);
                    check(extra);
                }
            }
            ObjectNode extraTop = base.deepCopy();
            extraTop.put("deviceId", "someone-else");
            check(extraTop);
        }
        // arrays past their limits, and duplicates
        ObjectNode ports = full();
        ArrayNode lp = ((ObjectNode) ports.get("network")).putArray("listeningPorts");
        for (int i = 1; i <= 256; i++) {
            lp.add(i);
        }
        check(ports);
        lp.add(257);
        check(ports);
        ObjectNode dup = full();
        ((ObjectNode) dup.get("network")).putArray("listeningPorts").add(443).add(443);
        check(dup);
        ObjectNode conns = full();
        ArrayNode cs = ((ObjectNode) conns.get("network")).putArray("connections");
        for (int i = 0; i < 1024; i++) {
            cs.addObject().put("remoteAddress", "10.0.0." + (i % 250)).put("remotePort", 1 + i);
        }
        check(conns);
        cs.addObject().put("remoteAddress", "10.0.0.1").put("remotePort", 1);
        check(conns);
        assertThat(checked).isGreaterThan(3_500);
        System.out.printf("fast path conformance: %d payloads, schema accepted %d, fast path accepted %d%n",
                checked, schemaAccepted, fastAccepted);
        // the edge values include valid ones (bounds), so the fast path must have accepted many mutants
        assertThat(fastAccepted).isGreaterThan(100);
        assertThat(fastAccepted).isLessThanOrEqualTo(schemaAccepted);
    }

    @Test
    void randomCombinationsAgreeWithTheSchema() {
        Random random = new Random(20261128);
        List<JsonNode> values = edgeValues();
        for (int i = 0; i < 4_000; i++) {
            ObjectNode p = random.nextBoolean() ? full() : minimal();
            int changes = 1 + random.nextInt(4);
            for (int c = 0; c < changes; c++) {
                List<String> paths = paths(p);
                String path = paths.get(random.nextInt(paths.size()));
                if (random.nextInt(5) == 0) {
                    remove(p, path);
                } else {
                    set(p, path, values.get(random.nextInt(values.size())).deepCopy());
                }
            }
            check(p);
        }
        assertThat(fastAccepted).isPositive();
    }

    @Test
    void aDuplicateKeyInAnyObjectIsNeverAccepted() {
        // the fast path detects duplicates itself: every property of every object, repeated with its own value
        // and with a different valid one (a later valid value must not win over an earlier invalid one either)
        String valid = full().toString();
        int cases = 0;
        for (String path : paths(full())) {
            JsonNode parent = parent(full(), path);
            if (!(parent instanceof ObjectNode)) {
                continue;
            }
            String key = last(path);
            String pair = "\"" + key + "\":" + full().at(path);
            int at = valid.indexOf(pair);
            assertThat(at).as("property %s in %s", path, valid).isNotNegative();
            for (String repeated : List.of(pair, "\"" + key + "\":\"not-it\"")) {
                String twice = valid.substring(0, at) + pair + "," + repeated + valid.substring(at + pair.length());
                String reversed = valid.substring(0, at) + repeated + "," + pair + valid.substring(at + pair.length());
                for (String json : List.of(twice, reversed)) {
                    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                    assertThat(payloads.acceptFast(bytes)).as("duplicate %s: %s", path, json).isNull();
                    check(bytes);
                    cases++;
                }
            }
        }
        assertThat(cases).isGreaterThan(60);
    }

    @Test
    void byteLevelCasesAgreeWithTheSchema() {
        String valid = minimal().toString();
        String body = valid.substring(1, valid.length() - 1);
        for (String json : List.of(
                valid,
                "  " + valid + "\n",
                valid + " {}",
                valid + "x",
                "{" + body + ",\"model\":\"cam-x2\"}",               // duplicate key
                "{\"model\":\"cam-x2\"," + body + "}",
                valid.replace("\"cam-x1\"", "\"cam\\u002dx1\""),     // escaped but valid
                valid.replace("\"cam-x1\"", "\"cam\\u000ax1\""),
                valid.replace("12.5", "1.25e1"),
                valid.replace("12.5", "12.50000000000000000001"),
                valid.replace("\"schema\":1", "\"schema\":1.0"),
                valid.replace("\"schema\":1", "\"schema\":\"1\""),
                valid.replace("\"ts\":1700000000000", "\"ts\":1.7e12"),
                valid.replace("\"ts\":1700000000000", "\"ts\":-0"),
                valid.replace("\"uptimeSeconds\":86400", "\"uptimeSeconds\":86400.0"),
                valid.replace("\"cpuPercent\":12.5", "\"cpuPercent\":NaN"),
                "[" + valid + "]",
                "null",
                "",
                "\uFEFF" + valid)) {
            check(json.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(fastAccepted).isGreaterThanOrEqualTo(3);
    }
}
