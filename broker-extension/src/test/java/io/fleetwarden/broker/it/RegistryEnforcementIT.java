package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.Certificate;
import io.fleetwarden.model.DeviceRegistration.State;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Registry enforcement end to end: the packaged extension with {@code registry.enforcement=on} in the real launcher,
 * mutual TLS, real MQTT clients and real Kafka carrying {@code fleet.device-registry}. An unregistered, a suspended and
 * a wrong-certificate device are refused at CONNECT with their reason codes (CONNACK and security event, attributed to
 * the verified device); a registered device works and its telemetry carries the REGISTERED model and region whatever
 * its payload claims; a rollover with two certificates admits both; a suspension disconnects the live session.
 */
class RegistryEnforcementIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(TopicSpec.compacted(Topics.DEVICE_REGISTRY))
            .topic(Topics.DEVICE_EVENTS, 3)
            .build();

    static BrokerFixture fx;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.registry.enforcement", "on"), (pki, crl) -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (producer != null) {
            producer.close();
        }
    }

    /** Writes a registration as the control plane would, and waits until it is in Kafka. */
    static void register(String deviceId, String model, String region, State state, TestCredential... certificates)
            throws Exception {
        List<Certificate> certs = new ArrayList<>();
        for (TestCredential c : certificates) {
            certs.add(new Certificate(ConnectVerifier.fingerprint(c.certificate()), c.certificate().getNotAfter().toInstant()));
        }
        DeviceRegistration r = new DeviceRegistration("acme", deviceId, model, region, state, certs, List.of(),
                Instant.now(), "it");
        producer.send(new ProducerRecord<>(Topics.DEVICE_REGISTRY, r.key(), r.toJson())).get(10, TimeUnit.SECONDS);
    }

    static Mqtt5ConnAckException refused(String deviceId, TestCredential cred) {
        Mqtt5BlockingClient c = fx.client(DeviceIdentities.clientId("acme", deviceId), cred).buildBlocking();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(c::connect);
        assertThat(t).isInstanceOf(Mqtt5ConnAckException.class);
        return (Mqtt5ConnAckException) t;
    }

    /** Connects, retrying while the broker has not yet read the registration just written. */
    static Mqtt5BlockingClient connectWhenAdmitted(String deviceId, TestCredential cred) {
        List<Mqtt5BlockingClient> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Mqtt5BlockingClient c = fx.client(DeviceIdentities.clientId("acme", deviceId), cred).buildBlocking();
            try {
                c.connect();
                out.add(c);
                return true;
            } catch (Mqtt5ConnAckException e) {
                return false;
            }
        });
        return out.get(0);
    }


    static Predicate<SecurityEvent> refusal(String deviceId, String reason) {
        return e -> e.getType() == SecurityEventType.AUTHENTICATION_FAILURE && reason.equals(e.getReason())
                && deviceId.equals(e.getDeviceId()) && "acme".equals(e.getTenant());
    }

    @Test
    void anUnregisteredDeviceIsRefusedWithItsReasonAndTheEventNamesIt() {
        Mqtt5ConnAckException e = refused("reg-none", fx.pki.deviceCertificate("acme", "reg-none"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).hasValueSatisfying(
                s -> assertThat(s).contains("not registered"));
        SecurityEvent ev = fx.awaitEvent(refusal("reg-none", SecurityEventReasons.DEVICE_NOT_REGISTERED));
        assertThat(ev.getAttributes()).containsEntry("mqttReasonCode", "NOT_AUTHORIZED");
    }

    @Test
    void aRegisteredDeviceWorksAndItsTelemetryCarriesTheRegisteredModelAndRegion() throws Exception {
        TestCredential cred = fx.pki.deviceCertificate("acme", "reg-ok");
        register("reg-ok", "thermo-t2", "ap-south", State.ACTIVE, cred);
        Mqtt5BlockingClient c = connectWhenAdmitted("reg-ok", cred);
        try {
            // the payload claims cam-x1 / eu-west (BrokerFixture.telemetryJson); the registry says otherwise
            c.publishWith().topic(DeviceIdentities.telemetryTopic("acme", "reg-ok")).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(BrokerFixture.telemetryJson(1)).send();
            List<Telemetry> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                fx.telemetry().stream().filter(r -> r.key().equals("acme/reg-ok")).map(ConsumerRecord::value)
                        .findFirst().ifPresent(seen::add);
                return !seen.isEmpty();
            });
            Telemetry t = seen.get(0);
            assertThat(t.getModel()).as("the claim is kept as evidence").isEqualTo("cam-x1");
            assertThat(t.getBroker().getRegisteredModel()).isEqualTo("thermo-t2");
            assertThat(t.getBroker().getRegisteredRegion()).isEqualTo("ap-south");
        } finally {
            c.disconnect();
        }
    }

    @Test
    void aSuspendedDeviceIsRefusedAndASuspensionDisconnectsItsLiveSession() throws Exception {
        TestCredential cred = fx.pki.deviceCertificate("acme", "reg-susp");
        register("reg-susp", "cam-x1", "eu-west", State.ACTIVE, cred);
        Mqtt5BlockingClient live = connectWhenAdmitted("reg-susp", cred);
        register("reg-susp", "cam-x1", "eu-west", State.SUSPENDED, cred);
        await().atMost(Duration.ofSeconds(20)).until(() -> !live.getState().isConnected());
        Mqtt5ConnAckException e = refused("reg-susp", cred);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        fx.awaitEvent(refusal("reg-susp", SecurityEventReasons.DEVICE_SUSPENDED));
    }

    @Test
    void aDecommissionedDeviceIsBanned() throws Exception {
        TestCredential cred = fx.pki.deviceCertificate("acme", "reg-gone");
        register("reg-gone", "cam-x1", null, State.DECOMMISSIONED, cred);
        await().atMost(Duration.ofSeconds(20)).until(() -> refused("reg-gone", cred).getMqttMessage().getReasonCode()
                == Mqtt5ConnAckReasonCode.BANNED);
        fx.awaitEvent(refusal("reg-gone", SecurityEventReasons.DEVICE_DECOMMISSIONED));
    }

    @Test
    void aValidFleetCertificateThatIsNotRegisteredForTheDeviceIsRefused() throws Exception {
        TestCredential registered = fx.pki.deviceCertificate("acme", "reg-fp");
        TestCredential clone = fx.pki.deviceCertificate("acme", "reg-fp");
        register("reg-fp", "cam-x1", "eu-west", State.ACTIVE, registered);
        connectWhenAdmitted("reg-fp", registered).disconnect();
        Mqtt5ConnAckException e = refused("reg-fp", clone);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        SecurityEvent ev = fx.awaitEvent(refusal("reg-fp", SecurityEventReasons.CERTIFICATE_NOT_REGISTERED));
        assertThat(ev.getBroker().getCertificateFingerprint())
                .isEqualTo(ConnectVerifier.fingerprint(clone.certificate()));
    }

    @Test
    void duringARolloverBothCertificatesConnectAndAfterItOnlyTheNewOne() throws Exception {
        TestCredential old = fx.pki.deviceCertificate("acme", "reg-rot");
        TestCredential renewed = fx.pki.deviceCertificate("acme", "reg-rot");
        register("reg-rot", "cam-x1", "eu-west", State.ACTIVE, old, renewed);
        connectWhenAdmitted("reg-rot", old).disconnect();
        connectWhenAdmitted("reg-rot", renewed).disconnect();
        register("reg-rot", "cam-x1", "eu-west", State.ACTIVE, renewed);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Mqtt5BlockingClient c = fx.client(DeviceIdentities.clientId("acme", "reg-rot"), old).buildBlocking();
            try {
                c.connect();
                c.disconnect();
                return false;
            } catch (Mqtt5ConnAckException e) {
                return true;
            }
        });
        fx.awaitEvent(refusal("reg-rot", SecurityEventReasons.CERTIFICATE_NOT_REGISTERED));
        connectWhenAdmitted("reg-rot", renewed).disconnect();
    }
}
