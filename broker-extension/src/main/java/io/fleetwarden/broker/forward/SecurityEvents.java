package io.fleetwarden.broker.forward;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;

/**
 * Builds {@link SecurityEvent} records with the broker's clock. Thread-safe.
 *
 * <p>An event without a verified identity (no certificate, or one that did not verify) is attributed to the
 * reserved scope {@link Scopes#FRONT_DOOR} instead of a tenant, with no device id; its Kafka key is the source
 * address ({@code addr:<ip>}, {@link io.fleetwarden.model.Topics#securityEventKey}). No tenant id can be named
 * like the scope, so no tenant ever sees these attempts as its own.
 */
public final class SecurityEvents {

    private final Clock clock;

    public SecurityEvents(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param identity  verified identity, or {@code null} when the certificate did not verify (then the event's
     *                  tenant is {@link Scopes#FRONT_DOOR})
     * @param claimedClientId MQTT client id the client sent
     * @param username  username offered on CONNECT (never the password), or null
     * @param topic     topic involved, or null
     * @param attributes extra facts, e.g. {@code mqttReasonCode}
     */
    public SecurityEvent build(SecurityEventType type, String reason, String detail, DeviceIdentity identity,
                               String claimedClientId, String username, String topic, BrokerContext broker,
                               Map<String, String> attributes) {
        return SecurityEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setType(type)
                .setTimestamp(clock.instant())
                .setTenant(identity == null ? Scopes.FRONT_DOOR : identity.tenant())
                .setDeviceId(identity == null ? null : identity.deviceId())
                .setClaimedClientId(claimedClientId)
                .setReason(reason)
                .setDetail(detail)
                .setTopic(topic)
                .setUsername(username)
                .setBroker(broker)
                .setAttributes(attributes == null ? new HashMap<>() : new HashMap<>(attributes))
                .build();
    }
}
