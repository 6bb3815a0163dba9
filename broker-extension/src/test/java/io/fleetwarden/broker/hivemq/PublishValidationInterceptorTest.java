package io.fleetwarden.broker.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.validation.ClockSkewMonitor;
import io.fleetwarden.broker.validation.PublishValidator;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;

/**
 * Every branch of the publish path with fake HiveMQ inputs: foreign topics and unknown clients (left to
 * the authorizer), quarantine, refused payloads (MQTT 5 and 3), valid telemetry (forwarded and taken out
 * of routing), device events (forwarded or refused) and device clocks outside the skew window.
 */
class PublishValidationInterceptorTest {

    private static final DevicePayloads PAYLOADS = new DevicePayloads();

    /** What the interceptor asked of the output. */
    static final class Outcome {
        boolean prevented;
        AckReasonCode code;
        String reasonString;
    }

    private final RecordingSink sink = new RecordingSink();
    private final List<Telemetry> forwarded = sink.telemetry;
    private final List<SecurityEvent> events = sink.events;
    private final SessionRegistry sessions = new SessionRegistry();
    private final ControlState controls = new ControlState();
    private PublishValidationInterceptor interceptor;

    /** The broker's clock: tests that look at time move it. */
    private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final BrokerMetrics metrics = new BrokerMetrics();

    @BeforeEach
    void setUp() {
        interceptor = new PublishValidationInterceptor(sessions, controls,
                new PublishValidator(PAYLOADS, 1024, 1000, 1000, System::nanoTime),
                new ClockSkewMonitor(Duration.ofMinutes(2), Duration.ofMinutes(1)), sink,
                new SecurityEvents(clock), metrics, clock);
        sessions.put(new DeviceSession("token-1", "acme/dev-1", new DeviceIdentity("acme", "dev-1", "0a", "ff", Instant.now()),
                null, BrokerContext.newBuilder().setBrokerId("b1").setMqttVersion("V_5").build(), new AtomicBoolean()));
    }

    byte[] telemetry() {
        return telemetry(now.get());
    }

    static byte[] telemetry(long ts) {
        return PAYLOADS.write(new DeviceTelemetryPayload(1, ts, "cam-x1", "eu-west",
                new DeviceTelemetryPayload.Firmware("1.2.3", null), 10, 12.5, 40.0,
                new DeviceTelemetryPayload.Network(60, 1000, 2000, 10, 20, List.of(443), List.of()), null));
    }

    @SuppressWarnings("unchecked")
    static <T> T fake(Class<T> type, java.util.function.Function<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object answer = answers.apply(method.getName());
            if (answer == null && method.getReturnType() == Optional.class) {
                return Optional.empty();
            }
            return answer;
        });
    }

    Outcome publish(String clientId, MqttVersion version, String topic, byte[] payload) {
        return publish(clientId, version, topic, ByteBuffer.wrap(payload));
    }

    Outcome publish(String clientId, MqttVersion version, String topic, ByteBuffer payload) {
        ClientInformation client = fake(ClientInformation.class, m -> m.equals("getClientId") ? clientId : null);
        ConnectionInformation connection = fake(ConnectionInformation.class, m -> switch (m) {
            case "getMqttVersion" -> version;
            case "getInetAddress" -> Optional.of(java.net.InetAddress.getLoopbackAddress());
            default -> null;
        });
        PublishPacket packet = fake(PublishPacket.class, m -> switch (m) {
            case "getTopic" -> topic;
            case "getPayload" -> Optional.of(payload);
            default -> null;
        });
        PublishInboundInput input = fake(PublishInboundInput.class, m -> switch (m) {
            case "getClientInformation" -> client;
            case "getConnectionInformation" -> connection;
            case "getPublishPacket" -> packet;
            default -> null;
        });
        Outcome outcome = new Outcome();
        PublishInboundOutput output = (PublishInboundOutput) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PublishInboundOutput.class}, (proxy, method, args) -> {
                    if (method.getName().equals("preventPublishDelivery")) {
                        outcome.prevented = true;
                        outcome.code = args == null ? AckReasonCode.SUCCESS : (AckReasonCode) args[0];
                        outcome.reasonString = args != null && args.length > 1 ? (String) args[1] : null;
                    }
                    return null;
                });
        interceptor.onInboundPublish(input, output);
        return outcome;
    }

    @Test
    void validTelemetryIsForwardedAndTakenOutOfRoutingWithSuccess() {
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry());
        assertThat(o.prevented).isTrue();
        assertThat(o.code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(forwarded).singleElement().satisfies(t -> {
            assertThat(t.getTenant()).isEqualTo("acme");
            assertThat(t.getDeviceId()).isEqualTo("dev-1");
            assertThat(t.getBroker().getBrokerId()).isEqualTo("b1");
        });
        assertThat(events).isEmpty();
    }

    @Test
    void onlyThePublishedWindowOfHiveMqsBufferIsReadAndTheBufferIsLeftAsItWas() {
        // HiveMQ hands out a read-only view that need not start at 0; the bytes around it are not the payload
        byte[] json = telemetry();
        byte[] around = new byte[json.length + 20];
        java.util.Arrays.fill(around, (byte) '}');
        System.arraycopy(json, 0, around, 7, json.length);
        ByteBuffer view = ByteBuffer.wrap(around, 7, json.length).asReadOnlyBuffer();
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", view);
        assertThat(o.code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(forwarded).singleElement().satisfies(t -> assertThat(t.getUptimeSeconds()).isEqualTo(10));
        assertThat(view.position()).isEqualTo(7);
        assertThat(view.remaining()).isEqualTo(json.length);
        assertThat(events).isEmpty();
    }

    @Test
    void aReadingAtTheEdgeOfTheSkewWindowIsNoFinding() {
        long t = now.get();
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(t + 120_000));
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(t - 120_000));
        assertThat(forwarded).hasSize(2);
        assertThat(events).isEmpty();
    }

    @Test
    void aReadingStampedADayAheadIsForwardedWithBothClocksAndReportedAsClockSkew() {
        long t = now.get();
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(t + 86_400_000L));
        // Forwarded with a normal PUBACK: its event time is bounded downstream (EventTime), the device's claim stays as evidence.
        assertThat(o.code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(forwarded).singleElement().satisfies(r -> {
            assertThat(r.getDeviceTime().toEpochMilli()).isEqualTo(t + 86_400_000L);
            assertThat(r.getReceivedAt().toEpochMilli()).isEqualTo(t);
            assertThat(io.fleetwarden.model.EventTime.bounded(r, 120_000)).isEqualTo(t);
        });
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(SecurityEventType.VALIDATION_FAILURE);
            assertThat(e.getReason()).isEqualTo(SecurityEventReasons.DEVICE_CLOCK_SKEW);
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.getDeviceId()).isEqualTo("dev-1");
            assertThat(e.getAttributes()).containsEntry("direction", "ahead").containsEntry("skewMs", "86400000")
                    .containsEntry("deviceTime", Long.toString(t + 86_400_000L)).containsEntry("receivedAt", Long.toString(t))
                    .containsEntry("action", "clamped").containsEntry("skewedReadings", "1");
        });
    }

    @Test
    void oneMillisecondPastTheWindowBehindIsAFindingAndEventsAreThrottledPerDeviceWithoutLosingTheCount() {
        long t = now.get();
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(t - 120_001));
        now.addAndGet(10_000);
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(0));
        now.addAndGet(10_000);
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(1));
        assertThat(events).singleElement().satisfies(e -> assertThat(e.getAttributes())
                .containsEntry("direction", "behind").containsEntry("skewMs", "-120001").containsEntry("skewedReadings", "1"));
        now.addAndGet(60_000);
        publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry(now.get() + 3_600_000L));
        assertThat(events).hasSize(2);
        assertThat(events.get(1).getAttributes()).containsEntry("direction", "ahead").containsEntry("skewedReadings", "3");
        assertThat(forwarded).hasSize(4);
    }

    @Test
    void aValidDeviceEventIsForwardedWithTheVerifiedIdentityAndTakenOutOfRouting() {
        byte[] json = PAYLOADS.write(io.fleetwarden.model.payload.DeviceEventPayload.updateResult(now.get() - 5_000,
                "1.2.3", "1.3.0", "FAILED", "signature check failed"));
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/events", json);
        assertThat(o.prevented).isTrue();
        assertThat(o.code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(sink.deviceEvents).singleElement().satisfies(e -> {
            assertThat(e.getTenant()).isEqualTo("acme");
            assertThat(e.getDeviceId()).isEqualTo("dev-1");
            assertThat(e.getType()).isEqualTo(io.fleetwarden.model.DeviceEventType.UPDATE_RESULT);
            assertThat(e.getUpdateResult()).isEqualTo("FAILED");
            assertThat(e.getDeviceTime().toEpochMilli()).isEqualTo(now.get() - 5_000);
            assertThat(e.getReceivedAt().toEpochMilli()).isEqualTo(now.get());
            assertThat(e.getBroker().getBrokerId()).isEqualTo("b1");
            assertThat(e.getEventId()).isNotBlank();
        });
        assertThat(forwarded).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void aDeviceEventStampedFarBehindIsForwardedAndReportedAsClockSkew() {
        byte[] json = PAYLOADS.write(io.fleetwarden.model.payload.DeviceEventPayload.boot(0, "POWER_ON", "1.2.3"));
        assertThat(publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/events", json).code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(sink.deviceEvents).singleElement().satisfies(e -> assertThat(e.getDeviceTime().toEpochMilli()).isZero());
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getReason()).isEqualTo(SecurityEventReasons.DEVICE_CLOCK_SKEW);
            assertThat(e.getTopic()).isEqualTo("devices/acme/dev-1/events");
            assertThat(e.getAttributes()).containsEntry("direction", "behind");
        });
    }

    @Test
    void anInvalidDeviceEventIsRefusedWithItsReasonAndNotForwarded() {
        // A device naming another device in its event: unknown property, refused.
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/events", ("{\"schema\":1,\"ts\":1,\"type\":\"BOOT\","
                + "\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\",\"deviceId\":\"dev-2\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(o.code).isEqualTo(AckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(o.reasonString).startsWith(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        assertThat(sink.deviceEvents).isEmpty();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(SecurityEventType.VALIDATION_FAILURE);
            assertThat(e.getTopic()).isEqualTo("devices/acme/dev-1/events");
        });
    }

    @Test
    void topicsOutsideTheNamespaceAndUnknownClientsAreLeftToTheAuthorizer() {
        for (Outcome o : List.of(publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-2/telemetry", telemetry()),
                publish("acme/dev-1", MqttVersion.V_3_1_1, "$SYS/broker/x", telemetry()),
                publish("stranger", MqttVersion.V_5, "devices/stranger/telemetry", telemetry()))) {
            assertThat(o.prevented).isFalse();
        }
        assertThat(forwarded).isEmpty();
        assertThat(events).as("TopicAuthorizer records these").isEmpty();
    }

    @Test
    void quarantinedDeviceIsRefusedOnItsOwnTopics() {
        controls.apply("acme/dev-1", DeviceControl.newBuilder().setControlId("c1").setTenant("acme").setDeviceId("dev-1")
                .setAction(io.fleetwarden.model.ControlAction.QUARANTINE).setQuarantined(true).setRevoked(false)
                .setRevokedCertificateSerials(List.of()).setIssuedBy("soc").setIssuedAt(Instant.now()).build());
        Outcome o = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", telemetry());
        assertThat(o.code).isEqualTo(AckReasonCode.NOT_AUTHORIZED);
        assertThat(forwarded).isEmpty();
        assertThat(events).singleElement().satisfies(e ->
                assertThat(e.getType()).isEqualTo(SecurityEventType.QUARANTINE_ENFORCED));
    }

    @Test
    void invalidPayloadIsRefusedWithItsReasonOnMqtt5AndSilentlyAckedOnMqtt3() {
        Outcome v5 = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/telemetry", "{\"schema\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(v5.code).isEqualTo(AckReasonCode.PAYLOAD_FORMAT_INVALID);
        Outcome v3 = publish("acme/dev-1", MqttVersion.V_3_1_1, "devices/acme/dev-1/telemetry", "not json".getBytes(StandardCharsets.UTF_8));
        assertThat(v3.prevented).isTrue();
        assertThat(v3.code).isEqualTo(AckReasonCode.SUCCESS);
        assertThat(forwarded).isEmpty();
        assertThat(events).extracting(SecurityEvent::getReason)
                .containsExactly(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION, SecurityEventReasons.PAYLOAD_MALFORMED);
        Outcome big = publish("acme/dev-1", MqttVersion.V_5, "devices/acme/dev-1/events", new byte[2048]);
        assertThat(big.code).isEqualTo(AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
    }
}
