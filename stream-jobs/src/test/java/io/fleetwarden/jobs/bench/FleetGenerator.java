package io.fleetwarden.jobs.bench;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.codec.Codecs;

/**
 * Deterministic synthetic fleet for the benchmark: event {@code i} is a function of {@code i} only.
 * Telemetry of {@code devices} devices every 30 s (event time advances 30 s per round), with
 * per-device noise, a Telnet port on 0.1 % of devices, traffic spikes on 0.05 % of reports;
 * security events: connects, disconnects, authentication failures bursts from a few addresses,
 * authorization probing.
 */
final class FleetGenerator implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    static final long BASE = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

    private final int devices;

    FleetGenerator(int devices) {
        this.devices = devices;
    }

    /**
     * The fleet index ({@link #telemetry}, {@link #security}) of element {@code i} of a {@code count}-element sequence that
     * Flink's {@code fromSequence} reads as {@code slices} contiguous ranges, one per source subtask (its
     * {@code NumberSequenceSource} splits the range into as many near-equal parts as the source has subtasks, the first
     * {@code count % slices} one longer), such that every range holds its own devices ({@code d % slices == range}), each
     * device's events in event-time order, and all ranges cover the same span of event time: the shape of a fleet's topic
     * keyed by device, read from {@code slices} partitions. Without it range {@code r} would hold events
     * {@code r * count / slices} onwards: every device's events split between the ranges, hours of event time apart, so
     * that every device looks silent for hours and back in every run (see {@code docs/benchmarks/stream-jobs.md}).
     */
    long ordered(long i, long count, int slices) {
        long per = count / slices;
        long extra = count % slices;
        if (per == 0) {
            return i;
        }
        // range r starts at r * (per + 1) while r < extra, at r * per + extra after
        int r = (int) (i < extra * (per + 1) ? i / (per + 1) : (i - extra) / per);
        long start = r * per + Math.min(r, extra);
        long j = i - start;
        int devicesOfRange = (devices - r + slices - 1) / slices; // d = r, r + slices, ... < devices
        if (devicesOfRange <= 0) {
            return i; // more ranges than devices: nothing to keep apart
        }
        long round = j / devicesOfRange;
        long d = r + (long) slices * (j % devicesOfRange);
        return round * devices + d;
    }

    long timeOf(long i) {
        long round = i / devices;
        int d = (int) (i % devices);
        return BASE + round * 30_000L + d * (30_000L / devices);
    }

    /** One mutable template per device, built once per generator instance (builders are slow; encoding is not). */
    private transient Telemetry[] templates;
    private transient SecurityEvent[] securityTemplates;

    /**
     * The template of device {@code d}: everything but the device id is a function of {@code d % 1000} (model
     * {@code d % 8}, region {@code d % 5}, connections {@code d % 50}, Telnet on {@code d % 1000 == 7}), so a thousand
     * templates serve fleets of millions of devices in a small heap.
     */
    private Telemetry template(int d) {
        if (templates == null) {
            templates = new Telemetry[TEMPLATES];
        }
        int slot = d % TEMPLATES;
        Telemetry t = templates[slot];
        if (t == null) {
            Telemetry.Builder b = Events.telemetry("dev-" + d, BASE)
                    .setModel("model-" + (d % 8)).setRegion("region-" + (d % 5))
                    .setConnections(Events.connections(3, d % 50));
            if (d % 1000 == 7) {
                b.setListeningPorts(List.of(80, 23));
            }
            t = b.build();
            templates[slot] = t;
        }
        t.setDeviceId("dev-" + d);
        return t;
    }

    private static final int TEMPLATES = 1000;

    byte[] telemetry(long i) {
        int d = (int) (i % devices);
        long ts = timeOf(i);
        long noise = (i * 2654435761L) & 0xffff;
        Telemetry t = template(d);
        t.setDeviceTime(Instant.ofEpochMilli(ts));
        t.setReceivedAt(Instant.ofEpochMilli(ts + 20));
        t.setBytesOut(noise % 2000 == 1 ? 50_000_000L : 250_000 + noise * 3);
        t.setCpuPercent(10 + noise % 20);
        return Codecs.TELEMETRY.encode(t);
    }

    byte[] security(long i) {
        int d = (int) (i % devices);
        long ts = timeOf(i * 6);
        int kind = (int) (i % 20);
        if (securityTemplates == null) {
            securityTemplates = new SecurityEvent[20 * Math.min(devices, 64)];
        }
        int slot = kind * Math.min(devices, 64) + d % Math.min(devices, 64);
        SecurityEvent cached = securityTemplates[slot];
        if (cached != null && kind < 15) {
            cached.setTimestamp(Instant.ofEpochMilli(ts));
            cached.setDeviceId("dev-" + d);
            cached.setClaimedClientId("dev-" + d);
            return Codecs.SECURITY_EVENT.encode(cached);
        }
        SecurityEvent e;
        if (kind < 8) {
            e = Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, ts, "dev-" + d, "10.0." + (d / 250) + "." + (d % 250)).build();
        } else if (kind < 15) {
            e = Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT, ts, "dev-" + d, "10.0." + (d / 250) + "." + (d % 250)).build();
        } else if (kind < 18) {
            e = Events.authFailure("guess-" + (i % 97), "203.0.113." + (i % 7), ts);
        } else {
            e = Events.security(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, ts, "dev-" + d, "10.0.0.1")
                    .setTopic("devices/other/telemetry").setAttributes(Map.of()).build();
        }
        e.setModel("model-" + (d % 8));
        securityTemplates[slot] = e;
        return Codecs.SECURITY_EVENT.encode(e);
    }
}
