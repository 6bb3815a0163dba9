package io.fleetwarden.broker.hivemq;

import static io.fleetwarden.broker.hivemq.PublishValidationInterceptorTest.fake;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;

import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.topic.TopicPolicy;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/** Every branch of {@link TopicAuthorizer} with fake HiveMQ inputs: allowed, refused, and no session. */
class TopicAuthorizerTest {

    private final RecordingSink sink = new RecordingSink();
    private final List<SecurityEvent> events = sink.events;
    private final SessionRegistry sessions = new SessionRegistry();
    private TopicAuthorizer authorizer;

    @BeforeEach
    void setUp() {
        authorizer = new TopicAuthorizer("b1", new TopicPolicy(), sessions, sink, new SecurityEvents(Clock.systemUTC()),
                new BrokerMetrics());
        sessions.put(new DeviceSession("token-1", "acme/dev-1", new DeviceIdentity("acme", "dev-1", "0a", "ff", Instant.now()),
                null, BrokerContext.newBuilder().setBrokerId("b1").setMqttVersion("V_5").build(), new AtomicBoolean()));
        sessions.put(new DeviceSession("token-2", "globex/dev-1", new DeviceIdentity("globex", "dev-1", "0b", "fe", Instant.now()),
                null, BrokerContext.newBuilder().setBrokerId("b1").setMqttVersion("V_5").build(), new AtomicBoolean()));
    }

    @AfterEach
    void forwardsNoTelemetry() {
        assertThat(sink.telemetry).as("the authorizer forwards no telemetry").isEmpty();
    }

    ClientInformation client(String id) {
        return fake(ClientInformation.class, m -> m.equals("getClientId") ? id : null);
    }

    ConnectionInformation connection() {
        return fake(ConnectionInformation.class, m -> switch (m) {
            case "getMqttVersion" -> MqttVersion.V_5;
            case "getInetAddress" -> Optional.of(InetAddress.getLoopbackAddress());
            default -> null;
        });
    }

    /** The output call made: "success" or the reason code name. */
    String publish(String clientId, String topic) {
        PublishPacket packet = fake(PublishPacket.class, m -> m.equals("getTopic") ? topic : null);
        PublishAuthorizerInput input = fake(PublishAuthorizerInput.class, m -> switch (m) {
            case "getClientInformation" -> client(clientId);
            case "getConnectionInformation" -> connection();
            case "getPublishPacket" -> packet;
            default -> null;
        });
        String[] decision = new String[1];
        authorizer.authorizePublish(input, (PublishAuthorizerOutput) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PublishAuthorizerOutput.class}, (proxy, method, args) -> {
                    decision[0] = method.getName().equals("authorizeSuccessfully") ? "success"
                            : method.getName().equals("failAuthorization") ? String.valueOf(args[0]) : decision[0];
                    return null;
                }));
        return decision[0];
    }

    String subscribe(String clientId, String filter) {
        Subscription subscription = fake(Subscription.class, m -> m.equals("getTopicFilter") ? filter : null);
        SubscriptionAuthorizerInput input = fake(SubscriptionAuthorizerInput.class, m -> switch (m) {
            case "getClientInformation" -> client(clientId);
            case "getConnectionInformation" -> connection();
            case "getSubscription" -> subscription;
            default -> null;
        });
        String[] decision = new String[1];
        authorizer.authorizeSubscribe(input, (SubscriptionAuthorizerOutput) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {SubscriptionAuthorizerOutput.class}, (proxy, method, args) -> {
                    decision[0] = method.getName().equals("authorizeSuccessfully") ? "success"
                            : method.getName().equals("failAuthorization") ? String.valueOf(args[0]) : decision[0];
                    return null;
                }));
        return decision[0];
    }

    @Test
    void ownTopicsAreAuthorized() {
        assertThat(publish("acme/dev-1", "devices/acme/dev-1/events")).isEqualTo("success");
        assertThat(subscribe("acme/dev-1", "devices/acme/dev-1/commands/#")).isEqualTo("success");
        assertThat(publish("globex/dev-1", "devices/globex/dev-1/events")).isEqualTo("success");
        assertThat(subscribe("globex/dev-1", "devices/globex/dev-1/commands/#")).isEqualTo("success");
        assertThat(events).isEmpty();
    }

    @Test
    void theSameDeviceIdInAnotherTenantIsACrossTenantRefusalOfTheVerifiedDevice() {
        assertThat(publish("acme/dev-1", "devices/globex/dev-1/events")).isEqualTo("NOT_AUTHORIZED");
        assertThat(subscribe("acme/dev-1", "devices/globex/dev-1/commands/#")).isEqualTo("NOT_AUTHORIZED");
        assertThat(subscribe("globex/dev-1", "devices/acme/dev-1/commands")).isEqualTo("NOT_AUTHORIZED");
        assertThat(events).extracting(SecurityEvent::getReason).containsOnly(SecurityEventReasons.CROSS_TENANT_TOPIC);
        assertThat(events).extracting(SecurityEvent::getTenant).containsExactly("acme", "acme", "globex");
        assertThat(events).extracting(SecurityEvent::getDeviceId).containsOnly("dev-1");
        assertThat(events).extracting(e -> e.getAttributes().get("activity")).containsExactly("publish", "subscribe", "subscribe");
    }

    @Test
    void foreignPublishAndWildcardSubscribeAreRefusedAndRecorded() {
        assertThat(publish("acme/dev-1", "devices/acme/dev-2/telemetry")).isEqualTo("NOT_AUTHORIZED");
        assertThat(subscribe("acme/dev-1", "devices/+/dev-1/commands/#")).isEqualTo("NOT_AUTHORIZED");
        assertThat(events).extracting(SecurityEvent::getReason)
                .containsExactly(SecurityEventReasons.TOPIC_NOT_PERMITTED, SecurityEventReasons.WILDCARD_NOT_PERMITTED);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo(SecurityEventType.AUTHORIZATION_FAILURE);
            assertThat(e.getDeviceId()).isEqualTo("dev-1");
        });
    }

    @Test
    void aClientWithoutSessionIsRefusedAndRecordedWithItsConnection() {
        assertThat(publish("stranger", "devices/stranger/telemetry")).isEqualTo("NOT_AUTHORIZED");
        assertThat(subscribe("stranger", "devices/stranger/commands/#")).isEqualTo("NOT_AUTHORIZED");
        assertThat(events).hasSize(2).allSatisfy(e -> {
            assertThat(e.getClaimedClientId()).isEqualTo("stranger");
            assertThat(e.getDeviceId()).isNull();
            assertThat(e.getTenant()).isEqualTo(Scopes.FRONT_DOOR);
            assertThat(e.getBroker().getBrokerId()).isEqualTo("b1");
            assertThat(e.getBroker().getSourceAddress()).isEqualTo("127.0.0.1");
        });
    }
}
