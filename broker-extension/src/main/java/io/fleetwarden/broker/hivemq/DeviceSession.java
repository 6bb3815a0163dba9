package io.fleetwarden.broker.hivemq;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.topic.TopicPolicy;
import io.fleetwarden.model.BrokerContext;

/**
 * One authenticated connection: who it is, how it reached us, and whether we are disconnecting it
 * because it was revoked (so the disconnect is recorded with that reason).
 *
 * <p>The device key and the device's two publish topics are derived from the verified identity once, when the
 * connection is authenticated, instead of being rebuilt (and their ids re-validated) for every publish.
 *
 * @param token        unique per connection; tells a taken-over session from its successor
 * @param clientId     MQTT client id (the tenant-qualified device key {@code <tenant>/<deviceId>})
 * @param identity     verified identity
 * @param certificate  the leaf certificate, re-checked when CRLs change
 * @param broker       broker context for records about this connection
 * @param revoking     set when the extension disconnects the session because it was revoked
 * @param issuers      fingerprints of the CA certificates of its verified path (registry enforced), so a registry
 *                     change judges a session admitted through an issuing CA again; else empty
 * @param connectAttributes extra facts of its CONNECT event (the just-in-time registration request), else empty
 * @param key            {@code identity.key()}
 * @param telemetryTopic the device's telemetry topic ({@link TopicPolicy#telemetryTopic})
 * @param eventsTopic    the device's events topic ({@link TopicPolicy#eventsTopic})
 */
public record DeviceSession(String token, String clientId, DeviceIdentity identity, X509Certificate certificate,
                            BrokerContext broker, AtomicBoolean revoking, List<String> issuers,
                            Map<String, String> connectAttributes, String key, String telemetryTopic,
                            String eventsTopic) {

    public DeviceSession {
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        connectAttributes = connectAttributes == null ? Map.of() : Map.copyOf(connectAttributes);
    }

    public DeviceSession(String token, String clientId, DeviceIdentity identity, X509Certificate certificate,
                         BrokerContext broker, AtomicBoolean revoking, List<String> issuers,
                         Map<String, String> connectAttributes) {
        this(token, clientId, identity, certificate, broker, revoking, issuers, connectAttributes, identity.key(),
                TopicPolicy.telemetryTopic(identity.tenant(), identity.deviceId()),
                TopicPolicy.eventsTopic(identity.tenant(), identity.deviceId()));
    }

    public DeviceSession(String token, String clientId, DeviceIdentity identity, X509Certificate certificate,
                         BrokerContext broker, AtomicBoolean revoking) {
        this(token, clientId, identity, certificate, broker, revoking, List.of(), Map.of());
    }
}
