package io.fleetwarden.model.payload;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value constraints of {@code device-telemetry.v1.schema.json} (ranges, patterns, enums, sizes) over
 * an already-bound {@link DeviceTelemetryPayload}; the structural ones (types, required and unknown
 * properties, nulls) are enforced by {@link TelemetryStreamReader}. Used only to
 * <em>accept</em> a payload quickly: when it says no, the full JSON Schema validator decides and explains.
 * So this class may be stricter than the schema, never laxer — {@code TelemetryFastPathConformanceTest}
 * checks that against the schema validator on thousands of generated payloads. Keep it in step with the
 * schema file.
 */
final class TelemetryConstraints {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,5}(-[0-9A-Za-z.-]{1,32})?");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp");
    private static final Set<String> UPDATE_STATES = Set.of("IDLE", "DOWNLOADING", "INSTALLING", "SUCCEEDED", "FAILED");
    private static final long MAX_TS = 32_503_680_000_000L;

    private TelemetryConstraints() {
    }

    /** Whether every value constraint of the schema holds (the payload was bound by {@link TelemetryStreamReader}). */
    static boolean satisfied(DeviceTelemetryPayload p) {
        return p.schema() == DeviceTelemetryPayload.SCHEMA_VERSION
                && p.ts() >= 0 && p.ts() <= MAX_TS
                && matches(NAME, p.model())
                && (p.region() == null || matches(NAME, p.region()))
                && firmware(p.firmware())
                && p.uptimeSeconds() >= 0
                && percent(p.cpuPercent()) && percent(p.memoryPercent())
                && network(p.network())
                && (p.update() == null || update(p.update()));
    }

    private static boolean firmware(DeviceTelemetryPayload.Firmware f) {
        return f != null && matches(VERSION, f.version()) && (f.imageSha256() == null || matches(SHA256, f.imageSha256()));
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
        Set<Integer> seen = new HashSet<>();
        for (Integer port : ports) {
            if (port == null || port < 1 || port > 65_535 || !seen.add(port)) {
                return false;
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
            if (c == null || !matches(ADDRESS, c.remoteAddress()) || c.remotePort() < 1 || c.remotePort() > 65_535
                    || (c.protocol() != null && !PROTOCOLS.contains(c.protocol()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean update(DeviceTelemetryPayload.Update u) {
        return u.state() != null && UPDATE_STATES.contains(u.state())
                && (u.targetVersion() == null || matches(VERSION, u.targetVersion()))
                && (u.attempt() == null || (u.attempt() >= 0 && u.attempt() <= 1_000_000))
                && (u.failureReason() == null
                        || u.failureReason().codePointCount(0, u.failureReason().length()) <= 256);
    }

    private static boolean percent(double v) {
        return v >= 0 && v <= 100; // false for NaN
    }

    private static boolean matches(Pattern pattern, String s) {
        return s != null && pattern.matcher(s).matches();
    }
}
