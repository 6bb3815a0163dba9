package io.fleetwarden.broker.hivemq;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.services.builder.Builders;

import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.identity.AuthDecision;
import io.fleetwarden.broker.identity.ConnectRequest;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.topic.TopicPolicy;
import io.fleetwarden.model.BrokerContext;

/**
 * Authenticates every CONNECT from the client certificate (see {@link ConnectVerifier} for the rules).
 * Never passes a decision on to another extension or the broker default: it accepts or refuses. One
 * shared, thread-safe instance.
 *
 * <p>On success the connection gets explicit default permissions with default behaviour DENY (HiveMQ
 * allows everything when the permission list is empty), as a second line behind {@link TopicAuthorizer}.
 */
public final class CertificateAuthenticator implements SimpleAuthenticator {

    /** Connection attribute holding this extension's per-connection token. */
    static final String TOKEN_ATTRIBUTE = "io.fleetwarden.session-token";

    private final String tokenPrefix = UUID.randomUUID() + "-";
    private final AtomicLong tokens = new AtomicLong();
    private final String brokerId;
    private final ConnectVerifier verifier;
    private final SessionRegistry sessions;
    private final EventSink sink;
    private final SecurityEvents events;
    private final BrokerMetrics metrics;

    public CertificateAuthenticator(String brokerId, ConnectVerifier verifier, SessionRegistry sessions, EventSink sink,
                                    SecurityEvents events, BrokerMetrics metrics) {
        this.brokerId = brokerId;
        this.verifier = verifier;
        this.sessions = sessions;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        ConnectionInformation ci = input.getConnectionInformation();
        List<X509Certificate> chain = ci.getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificateChain).map(Arrays::asList)
                .or(() -> ci.getClientTlsInformation().flatMap(ClientTlsInformation::getClientCertificate).map(List::of))
                .orElse(List.of());
        ConnectRequest request = new ConnectRequest(connect.getClientId(), connect.getUserName().orElse(null),
                connect.getPassword().map(CertificateAuthenticator::utf8).orElse(null), chain,
                ci.getClientTlsInformation().map(ClientTlsInformation::getProtocol).orElse(null),
                ci.getClientTlsInformation().map(ClientTlsInformation::getCipherSuite).orElse(null));
        AuthDecision decision = verifier.verify(request);
        if (decision instanceof AuthDecision.Accepted accepted) {
            BrokerContext broker = BrokerContexts.of(brokerId, ci, accepted.identity().fingerprint());
            // unique per connection: a random prefix per authenticator (so tokens of an earlier instance of the
            // extension never match this one's) and a counter, without a SecureRandom call per connect; kept
            // server-side (clients cannot set connection attributes)
            String token = tokenPrefix + tokens.incrementAndGet();
            ci.getConnectionAttributeStore().putAsString(TOKEN_ATTRIBUTE, token);
            if (accepted.registration() != null) {
                // what the registry says the device is travels with every record of this connection (never the claim)
                broker = BrokerContext.newBuilder(broker).setRegisteredModel(accepted.registration().model())
                        .setRegisteredRegion(accepted.registration().region()).build();
            }
            sessions.put(new DeviceSession(token, connect.getClientId(), accepted.identity(), chain.get(0), broker,
                    new AtomicBoolean(), accepted.issuers(), accepted.attributes()));
            grantOwnTopics(output.getDefaultPermissions(), accepted.identity().tenant(), accepted.identity().deviceId());
            output.authenticateSuccessfully();
            return;
        }
        AuthDecision.Refused refused = (AuthDecision.Refused) decision;
        BrokerContext broker = BrokerContexts.of(brokerId, ci,
                refused.identity() == null ? null : refused.identity().fingerprint());
        ConnackReasonCode code = switch (refused.connack()) {
            case CLIENT_IDENTIFIER_NOT_VALID -> ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
            case BAD_USER_NAME_OR_PASSWORD -> ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> ConnackReasonCode.NOT_AUTHORIZED;
            case BANNED -> ConnackReasonCode.BANNED;
            case CONNECTION_RATE_EXCEEDED -> ConnackReasonCode.CONNECTION_RATE_EXCEEDED;
        };
        metrics.connect(false, refused.reason());
        Map<String, String> attributes = new HashMap<>(refused.attributes());
        attributes.put("mqttReasonCode", code.name());
        sink.securityEvent(events.build(refused.eventType(), refused.reason(), refused.detail(), refused.identity(),
                connect.getClientId(), connect.getUserName().orElse(null), null, broker, attributes));
        output.failAuthentication(code, refused.detail());
    }

    private static void grantOwnTopics(ModifiableDefaultPermissions permissions, String tenant, String deviceId) {
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        permissions.add(Builders.topicPermission().topicFilter(TopicPolicy.telemetryTopic(tenant, deviceId))
                .type(TopicPermission.PermissionType.ALLOW).activity(TopicPermission.MqttActivity.PUBLISH).build());
        permissions.add(Builders.topicPermission().topicFilter(TopicPolicy.eventsTopic(tenant, deviceId))
                .type(TopicPermission.PermissionType.ALLOW).activity(TopicPermission.MqttActivity.PUBLISH).build());
    }

    private static String utf8(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
