package io.fleetwarden.model.payload;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.fleetwarden.model.DeviceKeys;

/**
 * The value constraints of {@code device-telemetry.v1.schema.json} (ranges, patterns, enums, sizes) over
 * an already-bound {@link DeviceTelemetryPayload}; the structural ones (types, required and unknown
 * properties, nulls) are enforced by {@link TelemetryStreamReader}. Used only to
 * <em>accept</em> a payload quickly: when it says no, the full JSON Schema validator decides and explains.
 * So this class may be stricter than the schema, never laxer — {@code TelemetryFastPathConformanceTest}
 * checks that against the schema validator on thousands of generated payloads. Keep it in step with the
 * schema file.
 *
 * <p>The schema's patterns are checked with character loops, not {@link java.util.regex.Pattern}: this runs for
 * every publish on the broker, where the four expressions cost about 6 % of the extension's CPU. Each loop
 * states the pattern it implements.
 */
final class TelemetryConstraints {

    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");
    private static final Set<String> UPDATE_STATES = Set.of("IDLE", "DOWNLOADING", "INSTALLING", "SUCCEEDED", "FAILED");
    private static final long MAX_TS = 32_503_680_000_000L;

    private TelemetryConstraints() {
    }

    /** Whether every value constraint of the schema holds (the payload was bound by {@link TelemetryStreamReader}). */
    static boolean satisfied(DeviceTelemetryPayload p) {
        return p.schema() == DeviceTelemetryPayload.SCHEMA_VERSION
                && p.ts() >= 0 && p.ts() <= MAX_TS
                && name(p.model())
                && (p.region() == null || name(p.region()))
                && firmware(p.firmware())
                && p.uptimeSeconds() >= 0
                && percent(p.cpuPercent()) && percent(p.memoryPercent())
                && network(p.network())
                && (p.update() == null || update(p.update()));
    }

    private static boolean firmware(DeviceTelemetryPayload.Firmware f) {
        return f != null && version(f.version()) && (f.imageSha256() == null || sha256(f.imageSha256()));
    }

    private static boolean network(DeviceTelemetryPayload.Network n) {
        if (n == null || n.intervalSeconds() < 1 || n.intervalSeconds() > 86_400
                || n.bytesIn() < 0 || n.bytesOut() < 0 || n.packetsIn() < 0 || n.packetsOut() < 0) {
            return false;
        }
        return ports(n.listeningPorts()) && connections(n.connections());
    }

    private static boolean ports(List<Integer> ports) {
        if (ports == null) {
            return true;
        }
        if (ports.size() > 256) {
            return false;
        }
        // devices list a handful of ports: compare pairwise, a set only for long lists
        Set<Integer> seen = ports.size() > 16 ? new HashSet<>() : null;
        for (int i = 0; i < ports.size(); i++) {
            Integer port = ports.get(i);
            if (port == null || port < 1 || port > 65_535) {
                return false;
            }
            if (seen != null) {
                if (!seen.add(port)) {
                    return false;
                }
            } else {
                for (int j = 0; j < i; j++) {
                    if (ports.get(j).intValue() == port.intValue()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean connections(List<DeviceTelemetryPayload.Connection> connections) {
        if (connections == null) {
            return true;
        }
        if (connections.size() > 1024) {
            return false;
        }
        for (DeviceTelemetryPayload.Connection c : connections) {
            if (c == null || !address(c.remoteAddress()) || c.remotePort() < 1 || c.remotePort() > 65_535
                    || (c.protocol() != null && !PROTOCOLS.contains(c.protocol()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean update(DeviceTelemetryPayload.Update u) {
        return u.state() != null && UPDATE_STATES.contains(u.state())
                && (u.targetVersion() == null || version(u.targetVersion()))
                && (u.attempt() == null || (u.attempt() >= 0 && u.attempt() <= 1_000_000))
                && (u.failureReason() == null
                        || u.failureReason().codePointCount(0, u.failureReason().length()) <= 256);
    }

    private static boolean percent(double v) {
        return v >= 0 && v <= 100; // false for NaN
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}: exactly a valid id. */
    static boolean name(String s) {
        return DeviceKeys.isValidId(s);
    }

    /** {@code [0-9]{1,9}(\.[0-9]{1,9}){0,5}(-[0-9A-Za-z.-]{1,32})?} */
    static boolean version(String s) {
        if (s == null) {
            return false;
        }
        int n = s.length();
        int run = digits(s, 0);
        if (run < 1 || run > 9) {
            return false;
        }
        int i = run;
        int groups = 0;
        while (i < n && s.charAt(i) == '.') {
            run = digits(s, i + 1);
            if (++groups > 5 || run < 1 || run > 9) {
                return false;
            }
            i += 1 + run;
        }
        if (i == n) {
            return true;
        }
        if (s.charAt(i) != '-' || n - i - 1 < 1 || n - i - 1 > 32) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            char c = s.charAt(j);
            if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@code [0-9a-f]{64}} */
    static boolean sha256(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** {@code [0-9A-Fa-f.:]{2,45}} */
    static boolean address(String s) {
        if (s == null || s.length() < 2 || s.length() > 45) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** Length of the run of ASCII digits starting at {@code from}. */
    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && isDigit(s.charAt(i))) {
            i++;
        }
        return i - from;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
