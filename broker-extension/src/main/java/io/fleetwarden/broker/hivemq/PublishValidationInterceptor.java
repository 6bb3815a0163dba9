package io.fleetwarden.broker.hivemq;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.validation.ClockSkewMonitor;
import io.fleetwarden.broker.validation.PublishValidator;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.payload.DevicePayloads;

/**
 * The publish path of every device: quarantine, validation, forwarding. HiveMQ runs it for every
 * PUBLISH before any authorizer, as one extension task.
 *
 * <ul>
 *   <li>A topic outside the device's namespace, or a client without an authenticated session, is left to
 *       {@link TopicAuthorizer}, which refuses it (NOT_AUTHORIZED; HiveMQ then disconnects the client) and
 *       records an {@code AUTHORIZATION_FAILURE} event.</li>
 *   <li>A refused publish on the device's own topics is not delivered, answered with a PUBACK reason code
 *       on MQTT 5 (QUOTA_EXCEEDED for the rate limit, PAYLOAD_FORMAT_INVALID for malformed or
 *       schema-violating JSON, IMPLEMENTATION_SPECIFIC_ERROR for an oversized payload, NOT_AUTHORIZED under
 *       quarantine) and recorded as a security event.</li>
 *   <li>Valid device lifecycle events ({@code devices/{id}/events}: boots, configuration changes, update
 *       results; schema and a 2 KiB bound from the event model) are forwarded to {@code fleet.device-events}
 *       and, like telemetry, not routed; invalid ones are refused like invalid telemetry.</li>
 *   <li>Valid telemetry is forwarded to Kafka and then <em>not</em> routed through the MQTT broker (delivery
 *       is prevented with SUCCESS, so the device gets a normal PUBACK): its consumers read
 *       {@code fleet.telemetry}, no MQTT client may subscribe to another device's topics, so routing it
 *       (a publish-authorizer task, topic-tree matching, the retained store) would be work for nobody, and
 *       a device's retain flag cannot park data in the broker's retained store.</li>
 *   <li>Telemetry (or a device event) whose {@code ts} is outside the skew window around the broker's receive time is forwarded all
 *       the same (with a normal PUBACK; its event time is bounded by {@code receivedAt}, see
 *       {@link io.fleetwarden.model.EventTime}, so it cannot move anyone's event time), counted, and reported as a
 *       {@code VALIDATION_FAILURE/device-clock-skew} event for the device ({@link ClockSkewMonitor} throttles the
 *       events per device). Refusing it instead would let a device hide its reports by skewing its clock.</li>
 * </ul>
 * One shared, thread-safe instance.
 */
public final class PublishValidationInterceptor implements PublishInboundInterceptor {

    private final SessionRegistry sessions;
    private final ControlState controls;
    private final PublishValidator validator;
    private final EventSink sink;
    private final SecurityEvents events;
    private final BrokerMetrics metrics;
    private final ClockSkewMonitor clockSkew;
    private final Clock clock;

    public PublishValidationInterceptor(SessionRegistry sessions, ControlState controls, PublishValidator validator,
                                        ClockSkewMonitor clockSkew, EventSink sink, SecurityEvents events,
                                        BrokerMetrics metrics, Clock clock) {
        this.sessions = sessions;
        this.clockSkew = clockSkew;
        this.controls = controls;
        this.validator = validator;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        Optional<DeviceSession> found = sessions.get(input.getClientInformation().getClientId());
        String topic = input.getPublishPacket().getTopic();
        if (found.isEmpty()) {
            return; // TopicAuthorizer refuses it and records why
        }
        DeviceSession session = found.get();
        String deviceId = session.identity().deviceId();
        boolean telemetry = topic.equals(session.telemetryTopic());
        if (!telemetry && !topic.equals(session.eventsTopic())) {
            return; // outside the device's namespace: TopicAuthorizer refuses it and records why
        }
        String key = session.key();
        if (controls.isQuarantined(key)) {
            metrics.publish("refused", SecurityEventReasons.QUARANTINED);
            sink.securityEvent(events.build(SecurityEventType.QUARANTINE_ENFORCED, SecurityEventReasons.QUARANTINED,
                    "device is quarantined; publishes are refused until it is released", session.identity(),
                    session.clientId(), null, topic, session.broker(), Map.of("mqttReasonCode", AckReasonCode.NOT_AUTHORIZED.name())));
            refuse(input, output, AckReasonCode.NOT_AUTHORIZED, "device is quarantined");
            return;
        }
        byte[] payload = bytes(input.getPublishPacket().getPayload());
        PublishValidator.Verdict verdict = validator.check(key, telemetry, payload);
        if (verdict instanceof PublishValidator.Invalid invalid) {
            AckReasonCode code = ackCode(invalid.reason());
            metrics.publish("refused", invalid.reason());
            sink.securityEvent(events.build(SecurityEventType.VALIDATION_FAILURE, invalid.reason(), invalid.detail(),
                    session.identity(), session.clientId(), null, topic, session.broker(),
                    Map.of("mqttReasonCode", code.name(), "payloadBytes", Integer.toString(payload.length))));
            refuse(input, output, code, invalid.reason() + ": " + invalid.detail());
            return;
        }
        if (verdict instanceof PublishValidator.ValidTelemetry valid) {
            Instant receivedAt = clock.instant();
            long deviceTime = valid.payload().ts();
            if (clockSkew.skewed(deviceTime, receivedAt.toEpochMilli())) {
                reportSkew(session, key, topic, deviceTime, receivedAt.toEpochMilli());
            }
            sink.telemetry(DevicePayloads.toTelemetry(session.identity().tenant(), deviceId, valid.payload(),
                    session.broker(), receivedAt, false));
            metrics.forwardedTelemetry();
            output.preventPublishDelivery(); // forwarded; see the class comment
        } else if (verdict instanceof PublishValidator.ValidEvent valid) {
            Instant receivedAt = clock.instant();
            if (clockSkew.skewed(valid.payload().ts(), receivedAt.toEpochMilli())) {
                reportSkew(session, key, topic, valid.payload().ts(), receivedAt.toEpochMilli());
            }
            sink.deviceEvent(DevicePayloads.toLifecycleEvent(UUID.randomUUID().toString(), session.identity().tenant(),
                    deviceId, valid.payload(), session.broker(), receivedAt));
            metrics.publish("forwarded", "event");
            output.preventPublishDelivery(); // forwarded, like telemetry
        }
    }

    private void reportSkew(DeviceSession session, String key, String topic, long deviceTime, long receivedAt) {
        ClockSkewMonitor.Report r = clockSkew.record(key, deviceTime, receivedAt);
        long skew = io.fleetwarden.model.EventTime.skewMs(deviceTime, receivedAt);
        metrics.clockSkew(skew > 0 ? "ahead" : "behind");
        if (r == null) {
            return; // counted; this device was reported less than a report interval ago
        }
        sink.securityEvent(events.build(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.DEVICE_CLOCK_SKEW,
                "device clock " + Math.abs(r.skewMs()) + " ms " + r.direction() + " of the broker (window "
                        + clockSkew.skewMs() + " ms); reading forwarded with its event time bounded by the broker's receive time",
                session.identity(), session.clientId(), null, topic, session.broker(),
                Map.of("deviceTime", Long.toString(r.deviceTime()), "receivedAt", Long.toString(r.receivedAt()),
                        "skewMs", Long.toString(r.skewMs()), "direction", r.direction(),
                        "skewWindowMs", Long.toString(clockSkew.skewMs()), "action", "clamped",
                        "skewedReadings", Long.toString(r.skewedReadings()))));
    }

    /**
     * MQTT 5 gets the reason code and string in its PUBACK. MQTT 3.x has no PUBACK reason codes and HiveMQ
     * disconnects a 3.x client whose publish is prevented with any code other than SUCCESS, so a 3.x publish
     * is acknowledged and dropped instead: the device stays connected (a quarantined device keeps its
     * connection) and the security event already records why.
     */
    private static void refuse(PublishInboundInput input, PublishInboundOutput output, AckReasonCode code, String reasonString) {
        if (input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5) {
            output.preventPublishDelivery(code, reasonString);
        } else {
            output.preventPublishDelivery();
        }
    }

    static AckReasonCode ackCode(String reason) {
        return switch (reason) {
            case SecurityEventReasons.RATE_LIMIT_EXCEEDED -> AckReasonCode.QUOTA_EXCEEDED;
            case SecurityEventReasons.PAYLOAD_TOO_LARGE -> AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
            default -> AckReasonCode.PAYLOAD_FORMAT_INVALID;
        };
    }

    /** A copy of the payload; the buffer HiveMQ handed out is read only and keeps its position (absolute get). */
    private static byte[] bytes(Optional<ByteBuffer> payload) {
        if (payload.isEmpty()) {
            return new byte[0];
        }
        ByteBuffer b = payload.get();
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }
}
