package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;

import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.EventTime;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.payload.DeviceEventPayload;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * The device edge against the real launcher, the packaged extension, real Kafka and real clients: a device
 * cannot move event time with its clock, its lifecycle events are validated and forwarded (or refused with a
 * reason), and the TLS listener refuses client-initiated renegotiation ({@code openssl s_client -tls1_2},
 * command {@code R}).
 */
class DeviceEdgeIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(Topics.DEVICE_EVENTS, 3)
            .build();

    static final DevicePayloads PAYLOADS = new DevicePayloads();
    static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of(), (pki, crl) -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    static byte[] telemetryAt(long ts) {
        return PAYLOADS.write(new DeviceTelemetryPayload(1, ts, "cam-x1", "eu-west",
                new DeviceTelemetryPayload.Firmware("1.2.3", null), 10, 12.5, 40.0,
                new DeviceTelemetryPayload.Network(60, 1000, 2000, 10, 20, List.of(443), List.of()), null));
    }

    static Mqtt5PubAck publish(Mqtt5BlockingClient c, String topic, byte[] payload) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
            if (r.getError().isPresent() && r.getError().get() instanceof Mqtt5PubAckException e) {
                return e.getMqttMessage();
            }
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage();
        }
    }

    @Test
    void aReadingStampedADayAheadIsForwardedWithBothClocksAndRaisesAClockSkewEventForThatDevice() throws Exception {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-future"), "acme/dev-future");
        long before = System.currentTimeMillis();
        long forged = before + 86_400_000L;
        assertThat(publish(c, "devices/acme/dev-future/telemetry", telemetryAt(forged)).getReasonCode().isError()).isFalse();
        // a reading at the broker's time: no finding
        assertThat(publish(c, "devices/acme/dev-future/telemetry", telemetryAt(System.currentTimeMillis())).getReasonCode()
                .isError()).isFalse();
        long after = System.currentTimeMillis();
        c.disconnect();

        await().atMost(Duration.ofSeconds(20)).until(() ->
                fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-future")).count() == 2);
        Telemetry t = fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-future")).findFirst().orElseThrow().value();
        assertThat(t.getDeviceTime().toEpochMilli()).as("the device's claim stays as evidence").isEqualTo(forged);
        assertThat(t.getReceivedAt().toEpochMilli()).isBetween(before, after);
        assertThat(EventTime.bounded(t, EventTime.DEFAULT_SKEW.toMillis())).as("event time").isEqualTo(t.getReceivedAt().toEpochMilli());

        await().atMost(Duration.ofSeconds(20)).until(() -> fx.events().stream()
                .anyMatch(e -> SecurityEventReasons.DEVICE_CLOCK_SKEW.equals(e.getReason())));
        List<SecurityEvent> skew = fx.events().stream()
                .filter(e -> SecurityEventReasons.DEVICE_CLOCK_SKEW.equals(e.getReason())).toList();
        assertThat(skew).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(SecurityEventType.VALIDATION_FAILURE);
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.getDeviceId()).isEqualTo("dev-future");
            assertThat(e.getTopic()).isEqualTo("devices/acme/dev-future/telemetry");
            assertThat(e.getAttributes()).containsEntry("direction", "ahead").containsEntry("action", "clamped")
                    .containsEntry("deviceTime", Long.toString(forged)).containsEntry("skewedReadings", "1")
                    .containsEntry("skewWindowMs", "120000");
            assertThat(Long.parseLong(e.getAttributes().get("skewMs"))).isBetween(86_400_000L - (after - before), 86_400_000L);
        });

        int port = fx.metricsPort();
        HttpResponse<String> m = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(m.body()).contains("fleetwarden_broker_clock_skew_total{direction=\"ahead\"} 1.0")
                .contains("fleetwarden_broker_clock_skewed_devices 1.0");
    }

    @Test
    void deviceEventsAreValidatedAndForwardedWithTheVerifiedIdentityOrRefusedWithAReason() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-events"), "acme/dev-events");
        long ts = System.currentTimeMillis();
        List<DeviceEventPayload> sent = List.of(
                DeviceEventPayload.boot(ts, "WATCHDOG", "2.4.1"),
                DeviceEventPayload.configChange(ts + 1, "LOCAL", List.of("telnet.enabled")),
                DeviceEventPayload.updateResult(ts + 2, "2.4.1", "2.5.0", "FAILED", "signature check failed"));
        for (DeviceEventPayload p : sent) {
            // SUCCESS, not 0x10 "no matching subscribers": the event is forwarded, not routed to nobody.
            assertThat(publish(c, "devices/acme/dev-events/events", PAYLOADS.write(p)).getReasonCode())
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        // hostile: names another device, and an event without its fields
        Mqtt5PubAck smuggled = publish(c, "devices/acme/dev-events/events", ("{\"schema\":1,\"ts\":1,\"type\":\"BOOT\","
                + "\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\",\"deviceId\":\"dev-ok\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(smuggled.getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(smuggled.getReasonString().map(Object::toString)).get().asString()
                .startsWith(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION).contains("deviceId");
        assertThat(publish(c, "devices/acme/dev-events/events", "{\"schema\":1,\"ts\":1,\"type\":\"UPDATE_RESULT\"}"
                .getBytes(StandardCharsets.UTF_8)).getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        c.disconnect();

        var records = KAFKA.consume(Topics.DEVICE_EVENTS, 3, Duration.ofSeconds(30),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        assertThat(records).hasSize(3).allSatisfy(r -> assertThat(r.key()).isEqualTo("acme/dev-events"));
        List<DeviceLifecycleEvent> got = records.stream().map(r -> Codecs.DEVICE_EVENT.tryDecode(r.value()).value()).toList();
        assertThat(got).extracting(DeviceLifecycleEvent::getType).containsExactly(DeviceEventType.BOOT,
                DeviceEventType.CONFIG_CHANGE, DeviceEventType.UPDATE_RESULT);
        assertThat(got).allSatisfy(e -> {
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.getDeviceId()).isEqualTo("dev-events");
            assertThat(e.getBroker().getBrokerId()).isEqualTo("it-broker");
            assertThat(e.getBroker().getTlsProtocol()).isIn("TLSv1.3", "TLSv1.2");
        });
        assertThat(got.get(0).getBootReason()).isEqualTo("WATCHDOG");
        assertThat(got.get(1).getChangedKeys()).containsExactly("telnet.enabled");
        assertThat(got.get(2).getFailureReason()).isEqualTo("signature check failed");
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.events().stream().filter(e ->
                e.getType() == SecurityEventType.VALIDATION_FAILURE && "dev-events".equals(e.getDeviceId())
                        && "devices/acme/dev-events/events".equals(e.getTopic())).count() == 2);
    }

    @Test
    void clientInitiatedRenegotiationIsRefused() throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + fx.port, "-tls1_2")
                .redirectErrorStream(true).start();
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "s_client-output");
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains("Verify return code"));
            assertThat(out.toString()).contains("Protocol  : TLSv1.2").contains("Secure Renegotiation IS supported");
            assertThat(p.isAlive()).isTrue();
            OutputStream stdin = p.getOutputStream();
            stdin.write("R\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            // Refused: the broker answers the renegotiation's ClientHello with a fatal alert and the connection ends
            // at once (the stdin of s_client is still open, so it would otherwise stay connected).
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("connection closed after R:\n%s", out).isTrue();
            reader.join(5_000);
            assertThat(out.toString()).contains("RENEGOTIATING").containsIgnoringCase("handshake failure");
        } finally {
            p.destroyForcibly();
        }
    }

    private static void copy(InputStream in, StringBuffer out) {
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            out.append("\n[read failed: ").append(e).append(']');
        }
    }

}
