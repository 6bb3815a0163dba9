package io.fleetwarden.broker.hivemq;

import java.util.Map;
import java.util.Optional;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.topic.TopicPolicy;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * Applies {@link TopicPolicy} to every SUBSCRIBE and to every PUBLISH that reaches authorization. A
 * refusal answers NOT_AUTHORIZED with a reason string and records an {@code AUTHORIZATION_FAILURE}
 * security event. A connection the extension did not authenticate is refused outright (deny by
 * default). One shared, thread-safe instance.
 *
 * <p>Publishes: HiveMQ runs {@link PublishValidationInterceptor} before any authorizer, and it already
 * refuses topics outside the device's namespace and takes forwarded telemetry out of MQTT routing, so
 * in practice this authorizer sees only device events. It stays as the decision HiveMQ expects from the
 * extension (the launcher's fail-closed guard refuses every publish that no extension decided) and as a
 * second check should a connection ever lack the interceptor.
 */
public final class TopicAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {

    private final String brokerId;
    private final TopicPolicy policy;
    private final SessionRegistry sessions;
    private final EventSink sink;
    private final SecurityEvents events;
    private final BrokerMetrics metrics;

    public TopicAuthorizer(String brokerId, TopicPolicy policy, SessionRegistry sessions, EventSink sink, SecurityEvents events,
                           BrokerMetrics metrics) {
        this.brokerId = brokerId;
        this.policy = policy;
        this.sessions = sessions;
        this.sink = sink;
        this.events = events;
        this.metrics = metrics;
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        String clientId = input.getClientInformation().getClientId();
        String topic = input.getPublishPacket().getTopic();
        Optional<DeviceSession> session = sessions.get(clientId);
        Optional<TopicPolicy.Refusal> refusal = session.isEmpty()
                ? Optional.of(new TopicPolicy.Refusal(SecurityEventReasons.TOPIC_NOT_PERMITTED, "no authenticated device session"))
                : policy.checkPublish(session.get().identity().tenant(), session.get().identity().deviceId(), topic);
        if (refusal.isEmpty()) {
            output.authorizeSuccessfully();
            return;
        }
        record(session.orElse(null), input.getConnectionInformation(), clientId, "publish", topic, refusal.get(),
                AckReasonCode.NOT_AUTHORIZED.name());
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, refusal.get().detail());
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        String clientId = input.getClientInformation().getClientId();
        String filter = input.getSubscription().getTopicFilter();
        Optional<DeviceSession> session = sessions.get(clientId);
        Optional<TopicPolicy.Refusal> refusal = session.isEmpty()
                ? Optional.of(new TopicPolicy.Refusal(SecurityEventReasons.TOPIC_NOT_PERMITTED, "no authenticated device session"))
                : policy.checkSubscribe(session.get().identity().tenant(), session.get().identity().deviceId(), filter);
        if (refusal.isEmpty()) {
            output.authorizeSuccessfully();
            return;
        }
        record(session.orElse(null), input.getConnectionInformation(), clientId, "subscribe", filter, refusal.get(),
                SubackReasonCode.NOT_AUTHORIZED.name());
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, refusal.get().detail());
    }

    private void record(DeviceSession session, ConnectionInformation connection, String clientId, String activity,
                        String topic, TopicPolicy.Refusal refusal, String code) {
        metrics.authorizationRefused(activity, refusal.reason());
        sink.securityEvent(events.build(SecurityEventType.AUTHORIZATION_FAILURE, refusal.reason(), refusal.detail(),
                session == null ? null : session.identity(), clientId, null, topic,
                session == null ? BrokerContexts.of(brokerId, connection) : session.broker(),
                Map.of("activity", activity, "mqttReasonCode", code)));
    }
}
