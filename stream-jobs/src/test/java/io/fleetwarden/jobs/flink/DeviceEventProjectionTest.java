package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.DAY;
import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * The per-device operator receives {@link io.fleetwarden.jobs.detect.DeviceReport}s and
 * {@link io.fleetwarden.jobs.detect.DeviceSecurityEvent}s, which {@link DeviceEventSerializer} carries across the
 * shuffle. This runs {@link DeviceFunction} twice over the same random streams of reports and security events —
 * once with the records as built, once after a trip through the serializer — and requires the same findings,
 * reachability changes, peer observations and status signals, in the same order. The streams vary every field of
 * the source records, and reach every family: offline and flapping, identity clones, baselines
 * and spikes, ports and destinations, firmware versions, hashes, update loops, advisories and certificates.
 */
class DeviceEventProjectionTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final String[] VERSIONS = {"2.3.0", "2.4.1", "2.5.0"};
    private static final String[] ADDRESSES = {"198.51.100.7", "198.51.100.8", "203.0.113.9"};
    private static final int[][] PORTS = {{80, 443}, {80, 443}, {80, 443}, {80}, {80, 443, 23}, {80, 443, 8081}, {2323}};

    @Test
    void theDetectorsSeeNoDifferenceBetweenWholeAndProjectedRecords() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            compare(seed, 4_000);
        }
    }

    private static void compare(long seed, int events) throws Exception {
        DetectionConfig cfg = DetectionConfig.fromMap(java.util.Map.of("baseline.minSamples", "5", "peer.minSamples", "5",
                "destinations.count", "8", "firmware.grace", "1d"));
        DeviceEventSerializer serializer = new DeviceEventSerializer();
        try (var whole = harness(cfg); var projected = harness(cfg)) {
            for (var h : List.of(whole, projected)) {
                h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(Events.catalog("2.5.0", T0 - 10 * DAY, null)), T0));
            }
            Random rnd = new Random(seed);
            long ts = T0;
            for (int i = 0; i < events; i++) {
                ts += rnd.nextInt(20_000);
                DeviceEvent e = rnd.nextInt(10) < 8 ? DeviceEvent.of(report(rnd, ts)) : DeviceEvent.of(connection(rnd, ts));
                whole.processElement(new StreamRecord<>(e, ts));
                projected.processElement(new StreamRecord<>(roundTrip(serializer, e), ts));
                if (rnd.nextInt(300) == 0) {
                    // Now and then a device flaps: six quick disconnect/connect pairs.
                    String device = "cam-" + rnd.nextInt(12);
                    for (int k = 0; k < 6; k++) {
                        for (SecurityEventType type : new SecurityEventType[] {SecurityEventType.DISCONNECT, SecurityEventType.CONNECT}) {
                            ts += 500;
                            DeviceEvent flap = DeviceEvent.of(Events.security(type, type == SecurityEventType.CONNECT
                                    ? SecurityEventReasons.CONNECTED : SecurityEventReasons.CONNECTION_LOST, ts, device, ADDRESSES[0]).build());
                            whole.processElement(new StreamRecord<>(flap, ts));
                            projected.processElement(new StreamRecord<>(roundTrip(serializer, flap), ts));
                        }
                    }
                }
                if (rnd.nextInt(40) == 0) {
                    // Occasionally a long silence: offline deadlines, burst quiet times and lazy timers fire.
                    ts += rnd.nextInt(3) == 0 ? 600_000 : 30_000;
                    whole.watermark(ts);
                    projected.watermark(ts);
                }
                if (i == events / 2) {
                    for (var h : List.of(whole, projected)) {
                        h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(
                                Events.advisory("ADV-" + seed, "[2.0.0,2.5.0)", Severity.HIGH)), ts));
                    }
                }
            }
            assertThat(json(values(projected.getOutput()))).as("findings, seed %d", seed).isEqualTo(json(values(whole.getOutput())));
            assertThat(values(whole.getOutput())).as("the stream reaches the rules").hasSizeGreaterThan(20);
            for (OutputTag<?> tag : List.of(DeviceFunction.CHANGES, DeviceFunction.PEERS, DeviceFunction.STATUS)) {
                assertThat(json(side(projected, tag))).as("%s, seed %d", tag.getId(), seed).isEqualTo(json(side(whole, tag)));
                assertThat(side(whole, tag)).as(tag.getId()).isNotEmpty();
            }
            assertThat(values(whole.getOutput())).extracting(o -> ((Finding) o).ruleId).as("rule families reached")
                    .contains("RES-OFF-001", "RES-FLAP-001", "CMP-NET-001", "FW-VER-001", "FW-ADV-001");
        }
    }

    private static KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> harness(DetectionConfig cfg)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(cfg), DeviceEvent::deviceKey, Types.STRING,
                DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
    }

    private static Telemetry report(Random rnd, long ts) {
        int[] ports = PORTS[rnd.nextInt(PORTS.length)];
        List<NetworkConnection> connections = new ArrayList<>();
        int n = rnd.nextInt(10) == 0 ? 5 + rnd.nextInt(30) : rnd.nextInt(4);
        for (int c = 0; c < n; c++) {
            connections.add(new NetworkConnection("203.0.113." + rnd.nextInt(60), 1 + rnd.nextInt(65_000), rnd.nextBoolean() ? "tcp" : "udp"));
        }
        String version = VERSIONS[rnd.nextInt(VERSIONS.length)];
        UpdateStatus update = switch (rnd.nextInt(6)) {
            case 0 -> new UpdateStatus(UpdateState.FAILED, "2.5.0", 1 + rnd.nextInt(5), "reason-" + rnd.nextInt(3));
            case 1 -> new UpdateStatus(UpdateState.DOWNLOADING, "2.5.0", 1, null);
            default -> new UpdateStatus(UpdateState.IDLE, null, 0, null);
        };
        BrokerContext broker = Events.broker(ADDRESSES[rnd.nextInt(ADDRESSES.length)]);
        broker.setBrokerId("broker-" + rnd.nextInt(2));
        broker.setSourcePort(rnd.nextInt(65_000));
        broker.setTlsCipher(rnd.nextBoolean() ? "TLS_AES_256_GCM_SHA384" : "TLS_CHACHA20_POLY1305_SHA256");
        broker.setCertificateFingerprint(Long.toHexString(rnd.nextLong()));
        broker.setCertificateSerial(Integer.toHexString(rnd.nextInt()));
        broker.setCertificateNotAfter(Instant.ofEpochMilli(ts + (rnd.nextInt(4) == 0 ? 10 : 400) * DAY));
        return Events.telemetry("cam-" + rnd.nextInt(12), ts)
                .setReceivedAt(Instant.ofEpochMilli(ts + rnd.nextInt(5_000)))
                .setFirmwareVersion(version)
                .setFirmwareImageHash(rnd.nextInt(8) == 0 ? "ff" + Events.HASH_241.substring(2) : Events.HASH_241)
                .setUptimeSeconds(rnd.nextInt(1_000_000)).setCpuPercent(rnd.nextDouble() * 100).setMemoryPercent(rnd.nextDouble() * 100)
                .setIntervalSeconds(rnd.nextBoolean() ? 30 : 60)
                .setBytesIn(rnd.nextInt(1_000_000)).setBytesOut(rnd.nextInt(30) == 0 ? 80_000_000L : 250_000 + rnd.nextInt(50_000))
                .setPacketsIn(rnd.nextInt(10_000)).setPacketsOut(rnd.nextInt(10_000))
                .setListeningPorts(java.util.Arrays.stream(ports).boxed().toList())
                .setConnections(connections).setUpdate(update).setBroker(broker).setQuarantined(rnd.nextInt(50) == 0)
                .build();
    }

    private static io.fleetwarden.model.SecurityEvent connection(Random rnd, long ts) {
        SecurityEventType type;
        String reason;
        switch (rnd.nextInt(8)) {
            case 0 -> {
                type = SecurityEventType.AUTHORIZATION_FAILURE;
                reason = SecurityEventReasons.TOPIC_NOT_PERMITTED;
            }
            case 1 -> {
                type = SecurityEventType.VALIDATION_FAILURE;
                reason = "payload-invalid";
            }
            case 2, 3, 4 -> {
                type = SecurityEventType.CONNECT;
                reason = SecurityEventReasons.CONNECTED;
            }
            default -> {
                type = SecurityEventType.DISCONNECT;
                reason = new String[] {SecurityEventReasons.CLIENT_DISCONNECT, SecurityEventReasons.CONNECTION_LOST,
                        SecurityEventReasons.SESSION_TAKEOVER}[rnd.nextInt(3)];
            }
        }
        String device = "cam-" + rnd.nextInt(12);
        io.fleetwarden.model.SecurityEvent e = Events.security(type, reason, ts, device, ADDRESSES[rnd.nextInt(ADDRESSES.length)])
                // The fields not sent to the per-device operator vary too.
                .setEventId("e-" + rnd.nextLong()).setClaimedClientId(rnd.nextBoolean() ? device : "claimed-" + rnd.nextInt(5))
                .setDetail(rnd.nextBoolean() ? null : "detail " + rnd.nextInt(9)).setTopic(rnd.nextBoolean() ? null : "devices/x/" + rnd.nextInt(9))
                .setUsername(rnd.nextBoolean() ? null : "user" + rnd.nextInt(3))
                .setAttributes(java.util.Map.of("k", String.valueOf(rnd.nextInt(9)))).build();
        e.getBroker().setSourcePort(rnd.nextInt(65_000));
        e.getBroker().setTlsCipher(rnd.nextBoolean() ? "TLS_AES_256_GCM_SHA384" : "TLS_CHACHA20_POLY1305_SHA256");
        e.getBroker().setCertificateFingerprint(Long.toHexString(rnd.nextLong()));
        e.getBroker().setCertificateNotAfter(Instant.ofEpochMilli(ts + rnd.nextInt(400) * DAY));
        return e;
    }

    private static DeviceEvent roundTrip(DeviceEventSerializer s, DeviceEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(e, out);
        return s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    /** Every field of every output record, as JSON (field by field, independent of equals methods). */
    private static List<String> json(List<Object> records) throws Exception {
        List<String> out = new ArrayList<>(records.size());
        for (Object r : records) {
            out.add(JSON.writeValueAsString(r));
        }
        return out;
    }

    private static List<Object> values(java.util.Collection<Object> output) {
        List<Object> out = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> r) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    private static List<Object> side(KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h, OutputTag<?> tag) {
        var records = h.getSideOutput(tag);
        List<Object> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
