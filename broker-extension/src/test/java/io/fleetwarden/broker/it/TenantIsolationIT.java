package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;

import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Two tenants, one device id (issue: a device of tenant {@code initech} whose certificate names
 * {@code hx-dev-0030} took over the live session of {@code globex/hx-dev-0030}). Both devices are connected
 * at once through the real launcher, the packaged extension and real Kafka, each publishes and subscribes,
 * and the initech device then tries everything the flat id space allowed. Neither session is taken over,
 * nothing crosses over, and every forbidden attempt is refused with its own reason, naming the verified
 * device that tried it.
 */
class TenantIsolationIT {

    static final String ID = "hx-dev-0030";

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(Topics.DEVICE_EVENTS, 3)
            .build();

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


    private static Predicate<SecurityEvent> event(SecurityEventType type, String reason, String claimedClientId) {
        return e -> e.getType() == type && e.getReason().equals(reason) && claimedClientId.equals(e.getClaimedClientId());
    }

    private static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String topic, byte[] payload) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
            if (r.getError().isPresent() && r.getError().get() instanceof Mqtt5PubAckException e) {
                return e.getMqttMessage().getReasonCode();
            }
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    private static List<Mqtt5SubAckReasonCode> subscribe(Mqtt5BlockingClient c, String filter, List<Mqtt5Publish> inbox) {
        try {
            return c.toAsync().subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(inbox::add).send()
                    .join().getReasonCodes();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException s) {
                return s.getMqttMessage().getReasonCodes();
            }
            throw e;
        }
    }

    private static List<Long> uptimes(String key) {
        return fx.telemetry().stream().filter(r -> r.key().equals(key)).map(ConsumerRecord::value)
                .map(Telemetry::getUptimeSeconds).toList();
    }

    @Test
    void sameDeviceIdInTwoTenantsNeverInterferes() throws Exception {
        TestCredential globexCert = fx.pki.deviceCertificate("globex", ID);
        TestCredential initechCert = fx.pki.deviceCertificate("initech", ID);
        String globexId = DeviceIdentities.clientId("globex", ID);
        String initechId = DeviceIdentities.clientId("initech", ID);

        // both connected at once (devices subscribe to nothing: the platform sends no commands over MQTT)
        Mqtt5BlockingClient globex = fx.connected(globexCert, globexId);
        Mqtt5BlockingClient initech = fx.connected(initechCert, initechId);

        // each publishes telemetry and events on its own topics
        for (int i = 1; i <= 3; i++) {
            assertThat(publish(globex, DeviceIdentities.telemetryTopic("globex", ID), BrokerFixture.telemetryJson(100 + i)))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(publish(initech, DeviceIdentities.telemetryTopic("initech", ID), BrokerFixture.telemetryJson(200 + i)))
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        // (a valid lifecycle event: event payloads are validated like telemetry)
        byte[] boot = ("{\"schema\":1,\"ts\":" + System.currentTimeMillis()
                + ",\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.2.3\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(publish(globex, DeviceIdentities.eventsTopic("globex", ID), boot)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(publish(initech, DeviceIdentities.eventsTopic("initech", ID), boot)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        // the initech device subscribes into globex's namespace: refused, recorded against initech/hx-dev-0030
        List<Mqtt5Publish> stolen = new CopyOnWriteArrayList<>();
        for (String filter : List.of(DeviceIdentities.commandsTopic("globex", ID), DeviceIdentities.commandsTopic("globex", ID) + "/#")) {
            assertThat(subscribe(initech, filter, stolen)).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        SecurityEvent crossSub = fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.CROSS_TENANT_TOPIC,
                initechId));
        assertThat(crossSub.getTenant()).isEqualTo("initech");
        assertThat(crossSub.getDeviceId()).isEqualTo(ID);
        assertThat(crossSub.getTopic()).startsWith("devices/globex/" + ID + "/commands");
        assertThat(crossSub.getAttributes()).containsEntry("activity", "subscribe");

        // the initech certificate tries to open globex's session: refused before any takeover, with its own reason
        Mqtt5BlockingClient hijack = fx.client(globexId, initechCert).buildBlocking();
        Throwable t = catchThrowable(hijack::connect);
        assertThat(t).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID));
        SecurityEvent crossConnect = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE,
                SecurityEventReasons.CROSS_TENANT_CLIENT_ID, globexId));
        assertThat(crossConnect.getTenant()).isEqualTo("initech");
        assertThat(crossConnect.getDeviceId()).isEqualTo(ID);

        // the old flat client id (the one that took sessions over) is refused for both tenants
        for (TestCredential cert : List.of(globexCert, initechCert)) {
            Mqtt5BlockingClient flat = fx.client(ID, cert).buildBlocking();
            assertThat(catchThrowable(flat::connect)).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                    assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.events().stream()
                .filter(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CLIENT_ID_NOT_TENANT_QUALIFIED, ID))
                .map(SecurityEvent::getTenant).distinct().count() == 2);

        // a quarantine of initech/hx-dev-0030 stops initech's publishes only
        try (KafkaProducer<String, byte[]> controls = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            DeviceControl q = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString()).setTenant("initech")
                    .setDeviceId(ID).setAction(ControlAction.QUARANTINE).setQuarantined(true).setRevoked(false)
                    .setRevokedCertificateSerials(List.of()).setReason("it").setIssuedBy("it").setIssuedAt(Instant.now()).build();
            controls.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, "initech/" + ID, Codecs.DEVICE_CONTROL.encode(q))).get();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> publish(initech, DeviceIdentities.telemetryTopic("initech", ID),
                BrokerFixture.telemetryJson(299)) == Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(publish(globex, DeviceIdentities.telemetryTopic("globex", ID), BrokerFixture.telemetryJson(104)))
                .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);

        // finally the initech device publishes into globex's telemetry topic: refused (and HiveMQ closes initech's
        // own connection for it), recorded against initech, and nothing reaches globex's records
        assertThat(publish(initech, DeviceIdentities.telemetryTopic("globex", ID), BrokerFixture.telemetryJson(666)))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        SecurityEvent crossPub = fx.awaitEvent(e -> event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.CROSS_TENANT_TOPIC,
                initechId).test(e) && "publish".equals(e.getAttributes().get("activity")));
        assertThat(crossPub.getTenant()).isEqualTo("initech");
        assertThat(crossPub.getTopic()).isEqualTo(DeviceIdentities.telemetryTopic("globex", ID));

        // globex's session was never taken over or disturbed
        assertThat(globex.getState().isConnected()).isTrue();
        assertThat(fx.events()).noneMatch(e -> e.getType() == SecurityEventType.DISCONNECT && globexId.equals(e.getClaimedClientId()));
        assertThat(fx.events()).noneMatch(e -> SecurityEventReasons.SESSION_TAKEOVER.equals(e.getReason()));

        // each tenant's telemetry is its own, under its own key; nothing of the other (or of the attack) crossed over
        await().atMost(Duration.ofSeconds(20)).until(() -> uptimes("globex/" + ID).size() >= 4 && uptimes("initech/" + ID).size() >= 3);
        assertThat(uptimes("globex/" + ID)).containsExactly(101L, 102L, 103L, 104L);
        // (publishes of 299 may have been forwarded until the quarantine arrived)
        assertThat(uptimes("initech/" + ID)).startsWith(201L, 202L, 203L).allMatch(u -> u == 201L || u == 202L || u == 203L || u == 299L);
        assertThat(fx.telemetry()).filteredOn(r -> r.key().startsWith("globex/"))
                .allSatisfy(r -> assertThat(r.value().getTenant()).isEqualTo("globex"));

        // no subscription was granted; the refused one never delivered anything
        assertThat(stolen).isEmpty();
        globex.disconnect();
    }
}
