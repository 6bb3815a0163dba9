package io.fleetwarden.broker.hivemq;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.parameter.ClientBasedInput;

import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * Records a {@code CONNECT} event for every authenticated device and a {@code DISCONNECT} event (with
 * reason) when it goes, and removes the session. Connections that failed authentication were already
 * recorded by the authenticator. HiveMQ gives no reason code on a lost connection. One shared instance.
 */
public final class ConnectionLifecycleListener implements ClientLifecycleEventListener {

    private final SessionRegistry sessions;
    private final EventSink sink;
    private final SecurityEvents events;
    private final BrokerMetrics metrics;

    public ConnectionLifecycleListener(SessionRegistry sessions, EventSink sink, SecurityEvents events, BrokerMetrics metrics) {
        this.sessions = sessions;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {
        // recorded once authentication has decided
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        session(input).ifPresent(s -> {
            metrics.connect(true, SecurityEventReasons.CONNECTED);
            // a just-in-time admission carries its registration request to the control plane in this event
            Map<String, String> attributes = new HashMap<>(s.connectAttributes());
            attributes.put("certificateSerial", s.identity().serialHex());
            sink.securityEvent(events.build(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED,
                    "device authenticated by client certificate", s.identity(), s.clientId(), null, null, s.broker(),
                    attributes));
        });
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
        gone(input, SecurityEventReasons.CLIENT_DISCONNECT, input.getReasonCode(), input.getReasonString());
    }

    @Override
    public void onConnectionLost(ConnectionLostInput input) {
        gone(input, SecurityEventReasons.CONNECTION_LOST, Optional.empty(), Optional.empty());
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        Optional<DisconnectedReasonCode> code = input.getReasonCode();
        gone(input, serverDisconnectReason(code.orElse(null)), code, input.getReasonString());
    }

    /**
     * The reason code of a disconnect the broker initiated: a session taken over by a newer connection of the same
     * client, the broker draining its clients (shutting down or sending them to another server: planned maintenance,
     * which the detection jobs do not count as an outage or a storm), or any other broker disconnect.
     */
    static String serverDisconnectReason(DisconnectedReasonCode code) {
        if (code == null) {
            return SecurityEventReasons.DISCONNECTED_BY_BROKER;
        }
        return switch (code) {
            case SESSION_TAKEN_OVER -> SecurityEventReasons.SESSION_TAKEOVER;
            case SERVER_SHUTTING_DOWN, USE_ANOTHER_SERVER, SERVER_MOVED -> SecurityEventReasons.BROKER_DRAINING;
            default -> SecurityEventReasons.DISCONNECTED_BY_BROKER;
        };
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
        // all disconnect kinds are handled by the specific callbacks above
    }

    private void gone(ClientBasedInput input, String reason, Optional<DisconnectedReasonCode> code, Optional<String> text) {
        Optional<String> token = input.getConnectionInformation().getConnectionAttributeStore()
                .getAsString(CertificateAuthenticator.TOKEN_ATTRIBUTE);
        if (token.isEmpty()) {
            return; // never authenticated: the authenticator recorded the refusal
        }
        String clientId = input.getClientInformation().getClientId();
        Optional<DeviceSession> session = sessions.remove(clientId, token.get());
        session.ifPresent(s -> {
            String why = s.revoking().get() ? SecurityEventReasons.DISCONNECTED_REVOKED : reason;
            Map<String, String> attributes = new HashMap<>();
            code.ifPresent(c -> attributes.put("mqttReasonCode", c.name()));
            metrics.disconnect(why);
            sink.securityEvent(events.build(SecurityEventType.DISCONNECT, why, text.orElse(null), s.identity(),
                    s.clientId(), null, null, s.broker(), attributes));
        });
    }

    private Optional<DeviceSession> session(ClientBasedInput input) {
        return input.getConnectionInformation().getConnectionAttributeStore()
                .getAsString(CertificateAuthenticator.TOKEN_ATTRIBUTE)
                .flatMap(t -> sessions.byToken(input.getClientInformation().getClientId(), t));
    }
}
