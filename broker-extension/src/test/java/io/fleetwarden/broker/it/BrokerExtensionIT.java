package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;

import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * End to end through the real launcher, the packaged extension zip, real Kafka and real MQTT clients
 * (HiveMQ client, mosquitto, openssl): every accepted and refused case asserts the MQTT answer and the
 * record on Kafka. One broker and one Kafka for the class; the Kafka outage runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerExtensionIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(Topics.DEVICE_EVENTS, 3)
            .build();

    static BrokerFixture fx;
    static TestCredential crlRevoked;
    static KafkaProducer<String, byte[]> controls;

    @BeforeAll
    static void start() throws Exception {
        controls = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
        // written before the broker starts: it must be enforced from the first publish (topic read from the beginning)
        control(ControlAction.QUARANTINE, "dev-pre", true, false);
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of(
                "fleetwarden.validation.max-payload-bytes", "4096",
                "fleetwarden.validation.rate-limit-per-second", "2",
                "fleetwarden.validation.rate-limit-burst", "30"),
                (pki, crl) -> crlRevoked = pki.revokedDeviceCertificate("dev-crl"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (controls != null) {
            controls.close();
        }
        if (fx != null) {
            fx.close();
        }
    }


    private static Predicate<SecurityEvent> event(SecurityEventType type, String reason, String claimedClientId) {
        return e -> e.getType() == type && e.getReason().equals(reason) && claimedClientId.equals(e.getClaimedClientId());
    }

    private static Mqtt5ConnAckException refusedConnect(String clientId, TestCredential credential) {
        Mqtt5BlockingClient c = fx.client(clientId, credential).buildBlocking();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(c::connect);
        assertThat(t).isInstanceOf(Mqtt5ConnAckException.class);
        return (Mqtt5ConnAckException) t;
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

    private static void control(ControlAction action, String device, boolean quarantined, boolean revoked) {
        DeviceControl c = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString()).setTenant("acme")
                .setDeviceId(device).setAction(action).setQuarantined(quarantined).setRevoked(revoked)
                .setRevokedCertificateSerials(List.of()).setReason("it").setIssuedBy("it").setIssuedAt(Instant.now())
                .build();
        controls.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, "acme/" + device, Codecs.DEVICE_CONTROL.encode(c)));
        controls.flush();
    }

    @Test
    @Order(1)
    void extensionIsLoadedFromThePackagedZip() {
        assertThat(fx.broker.extensionSource())
                .contains(fx.dir.resolve("extensions").toUri().getPath())
                .endsWith(".jar");
    }

    @Test
    void acceptedDevicePublishesTelemetryEnrichedOnKafka() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-ok");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-ok");
        assertThat(publish(c, "devices/acme/dev-ok/telemetry", BrokerFixture.telemetryJson(1)).isError()).isFalse();
        c.disconnect();

        await().atMost(Duration.ofSeconds(20)).until(() -> fx.telemetry().stream().anyMatch(r -> r.key().equals("acme/dev-ok")));
        Telemetry t = fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-ok")).findFirst().orElseThrow().value();
        assertThat(t.getTenant()).isEqualTo("acme");
        assertThat(t.getDeviceId()).isEqualTo("dev-ok");
        assertThat(t.getModel()).isEqualTo("cam-x1");
        assertThat(t.getBroker().getBrokerId()).isEqualTo("it-broker");
        assertThat(t.getBroker().getSourceAddress()).isEqualTo("127.0.0.1");
        assertThat(t.getBroker().getTlsProtocol()).isIn("TLSv1.3", "TLSv1.2");
        assertThat(t.getBroker().getTlsCipher()).contains("GCM");
        assertThat(t.getBroker().getCertificateSerial()).isEqualTo(dev.certificate().getSerialNumber().toString(16));
        assertThat(t.getBroker().getMqttVersion()).isEqualTo("V_5");

        fx.awaitEvent(event(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme/dev-ok"));
        SecurityEvent bye = fx.awaitEvent(event(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT, "acme/dev-ok"));
        assertThat(bye.getTenant()).isEqualTo("acme");
    }

    @Test
    void noClientCertificateIsRefused() {
        Mqtt5ConnAckException e = refusedConnect("acme/dev-nocert", null);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.NO_CLIENT_CERTIFICATE, "acme/dev-nocert"));
        assertThat(ev.getDeviceId()).isNull();
        assertThat(ev.getTenant()).as("no verified identity: the reserved front-door scope").isEqualTo(Scopes.FRONT_DOOR);
    }

    @Test
    void foreignCaIsRefusedAndRecorded() {
        Mqtt5ConnAckException e = refusedConnect("acme/dev-foreign", fx.pki.foreignDeviceCertificate("dev-foreign"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).hasValueSatisfying(s -> assertThat(s).contains("fleet CA"));
        fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_UNTRUSTED, "acme/dev-foreign"));
    }

    @Test
    void expiredCertificateIsRefused() {
        Mqtt5ConnAckException e = refusedConnect("acme/dev-expired", fx.pki.expiredDeviceCertificate("dev-expired"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_EXPIRED, "acme/dev-expired"));
    }

    @Test
    void notYetValidCertificateIsRefused() {
        Mqtt5ConnAckException e = refusedConnect("acme/dev-future", fx.pki.notYetValidDeviceCertificate("dev-future"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_NOT_YET_VALID, "acme/dev-future"));
    }

    @Test
    void certificateRevokedByCrlIsRefused() {
        Mqtt5ConnAckException e = refusedConnect("acme/dev-crl", crlRevoked);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED);
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_REVOKED, "acme/dev-crl"));
        assertThat(ev.getDeviceId()).isEqualTo("dev-crl");
    }

    @Test
    void crlUpdateDisconnectsALiveSession() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-crl-live");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-crl-live");
        fx.pki.revoke(dev);
        fx.pki.writeCrl(fx.crlDir);
        await().atMost(Duration.ofSeconds(15)).until(() -> !c.getState().isConnected());
        fx.awaitEvent(event(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_REVOKED, "acme/dev-crl-live"));
    }

    @Test
    void revokeOnTheControlTopicDisconnectsAndRefusesLaterConnects() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-revoke");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-revoke");
        control(ControlAction.REVOKE, "dev-revoke", false, true);
        await().atMost(Duration.ofSeconds(15)).until(() -> !c.getState().isConnected());
        fx.awaitEvent(event(SecurityEventType.DISCONNECT, SecurityEventReasons.DISCONNECTED_REVOKED, "acme/dev-revoke"));
        Mqtt5ConnAckException e = refusedConnect("acme/dev-revoke", dev);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED);
        fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_REVOKED, "acme/dev-revoke"));
    }

    /**
     * Controls as the dashboard publishes them for identities the platform has not seen and for bare
     * certificates: a never-connected device revoked ahead is refused at its first CONNECT; a serial
     * alone disconnects the live session holding it; a SHA-256 fingerprint alone refuses its connect.
     */
    @Test
    void controlsAheadOfFirstConnectAndByBareSerialOrFingerprintAreEnforced() {
        TestCredential ahead = fx.pki.deviceCertificate("acme", "dev-never-seen");
        control(ControlAction.REVOKE, "dev-never-seen", false, true);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(refusedConnect("acme/dev-never-seen", ahead)
                .getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED));

        TestCredential bySerial = fx.pki.deviceCertificate("acme", "dev-bare-serial");
        Mqtt5BlockingClient live = fx.connected(bySerial, "acme/dev-bare-serial");
        String serial = bySerial.certificate().getSerialNumber().toString(16);
        certificateControl("serial:" + serial, List.of(serial));
        await().atMost(Duration.ofSeconds(15)).until(() -> !live.getState().isConnected());
        assertThat(refusedConnect("acme/dev-bare-serial", bySerial).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.BANNED);

        TestCredential byPrint = fx.pki.deviceCertificate("acme", "dev-bare-print");
        certificateControl("sha256:" + io.fleetwarden.broker.identity.ConnectVerifier.fingerprint(byPrint.certificate()),
                List.of());
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(refusedConnect("acme/dev-bare-print", byPrint)
                .getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED));
    }

    private static void certificateControl(String id, List<String> serials) {
        DeviceControl c = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString())
                .setTenant(io.fleetwarden.model.Scopes.CERTIFICATE).setDeviceId(id).setAction(ControlAction.REVOKE)
                .setQuarantined(false).setRevoked(true).setRevokedCertificateSerials(serials).setReason("it")
                .setIssuedBy("it").setIssuedAt(Instant.now()).build();
        controls.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, io.fleetwarden.model.Scopes.CERTIFICATE + "/" + id,
                Codecs.DEVICE_CONTROL.encode(c)));
        controls.flush();
    }

    @Test
    void sessionTakeoverIsRecordedForTheOldConnection() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-twin");
        Mqtt5BlockingClient first = fx.connected(dev, "acme/dev-twin");
        Mqtt5BlockingClient second = fx.connected(dev, "acme/dev-twin");
        await().atMost(Duration.ofSeconds(15)).until(() -> !first.getState().isConnected());
        fx.awaitEvent(event(SecurityEventType.DISCONNECT, SecurityEventReasons.SESSION_TAKEOVER, "acme/dev-twin"));
        // the newer connection is still the registered one: its publishes are accepted
        assertThat(publish(second, "devices/acme/dev-twin/telemetry", BrokerFixture.telemetryJson(5)).isError()).isFalse();
        second.disconnect();
    }

    @Test
    void clientIdMismatchGets0x85() {
        Mqtt5ConnAckException e = refusedConnect("someone-else", fx.pki.deviceCertificate("acme", "dev-mismatch"));
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x85);
        assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).hasValueSatisfying(s -> assertThat(s).contains("acme/dev-mismatch"));
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CLIENT_ID_MISMATCH, "someone-else"));
        assertThat(ev.getDeviceId()).isEqualTo("dev-mismatch");
    }

    @Test
    void mqtt311ClientIdMismatchIsIdentifierRejected() {
        Mqtt3BlockingClient c = fx.client311("someone-else-311", fx.pki.deviceCertificate("acme", "dev-mismatch-311"))
                .buildBlocking();
        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> {
            assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED);
            assertThat(e.getMqttMessage().getReturnCode().getCode()).isEqualTo(0x02);
        });
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CLIENT_ID_MISMATCH,
                "someone-else-311"));
        assertThat(ev.getDeviceId()).isEqualTo("dev-mismatch-311");
    }

    @Test
    void mqtt311RefusedPublishIsAcknowledgedButNotForwarded() {
        Mqtt3BlockingClient c = fx.client311("acme/dev-v311", fx.pki.deviceCertificate("acme", "dev-v311")).buildBlocking();
        c.connect();
        // mappable to a Telemetry record, but cpuPercent breaks the schema's maximum of 100
        byte[] violating = new DevicePayloads().write(new DeviceTelemetryPayload(1, System.currentTimeMillis(), "cam-x1",
                "eu-west", new DeviceTelemetryPayload.Firmware("1.2.3", null), 1, 250.0, 40.0,
                new DeviceTelemetryPayload.Network(60, 1000, 2000, 10, 20, List.of(443), List.of()), null));
        // MQTT 3.1.1 has no PUBACK reason codes: the refused publish is still acknowledged (send returns) ...
        c.publishWith().topic("devices/acme/dev-v311/telemetry").qos(MqttQos.AT_LEAST_ONCE).payload(violating).send();
        c.publishWith().topic("devices/acme/dev-v311/telemetry").qos(MqttQos.AT_LEAST_ONCE).payload(BrokerFixture.telemetryJson(2))
                .send();
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();

        // ... recorded as a security event ...
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION,
                "acme/dev-v311"));
        assertThat(ev.getDeviceId()).isEqualTo("dev-v311");
        assertThat(ev.getDetail()).contains("cpuPercent");
        // ... and not forwarded: same key, same partition, so once the valid second publish arrived the refused
        // first one would have arrived before it
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.telemetry().stream().anyMatch(r -> r.key().equals("acme/dev-v311")));
        List<Telemetry> forwarded = fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-v311"))
                .map(ConsumerRecord::value).toList();
        assertThat(forwarded).hasSize(1);
        assertThat(forwarded.get(0).getUptimeSeconds()).isEqualTo(2);
        assertThat(forwarded.get(0).getBroker().getMqttVersion()).isEqualTo("V_3_1_1");
    }

    @Test
    void passwordIsNeverAccepted() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-pw");
        Mqtt5BlockingClient c = fx.client("acme/dev-pw", dev).simpleAuth().username("dev-pw")
                .password("a-strong-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.PASSWORD_NOT_ALLOWED, "acme/dev-pw"));
        assertThat(ev.toString()).doesNotContain("a-strong-secret");
        assertThat(ev.getTenant()).isEqualTo("acme");
        assertThat(ev.getDeviceId()).isEqualTo("dev-pw");
    }

    @Test
    void aStolenValidCertificateWithADefaultPasswordIsAttributedToItsDevice() {
        // default-password stuffing with a valid device certificate: the certificate is verified first, so the
        // event names the device and tenant the certificate belongs to (and is keyed by it on Kafka)
        TestCredential stolen = fx.pki.deviceCertificate("acme", "dev-stolen");
        Mqtt5BlockingClient c = fx.client("whatever-id", stolen).simpleAuth().username("root")
                .password("xc3511".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "whatever-id"));
        assertThat(ev.getTenant()).isEqualTo("acme");
        assertThat(ev.getDeviceId()).isEqualTo("dev-stolen");
        assertThat(ev.getUsername()).isEqualTo("root");
        assertThat(Topics.securityEventKey(ev)).isEqualTo("acme/dev-stolen");
        assertThat(ev.toString()).doesNotContain("xc3511");
    }

    @Test
    void factoryDefaultCredentialsAreASecurityEvent() {
        Mqtt5BlockingClient c = fx.client("mirai-bot", null).simpleAuth().username("root")
                .password("xc3511".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        assertThatThrownBy(c::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class, e ->
                assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS, "mirai-bot"));
        assertThat(ev.getUsername()).isEqualTo("root");
        assertThat(ev.getTenant()).isEqualTo(Scopes.FRONT_DOOR);
        assertThat(ev.getDeviceId()).isNull();
        assertThat(Topics.securityEventKey(ev)).isEqualTo("addr:127.0.0.1");
        assertThat(ev.toString()).doesNotContain("xc3511");
    }

    @Test
    void tls11IsRefusedAtTheHandshake() throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + fx.port, "-tls1_1",
                "-cipher", "DEFAULT@SECLEVEL=0").redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isNotZero();
        // the broker answers the TLS 1.1 ClientHello with a protocol_version alert; no session, no certificate
        assertThat(out).contains("alert protocol version").doesNotContain("BEGIN CERTIFICATE");
        // and TLS 1.3 with the same tool does reach the broker
        Process ok = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + fx.port, "-tls1_3")
                .redirectErrorStream(true).start();
        ok.getOutputStream().close();
        assertThat(ok.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("TLSv1.3");
    }

    @Test
    void publishingToAnotherDevicesTopicIsNotAuthorized() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-nosy"), "acme/dev-nosy");
        assertThat(publish(c, "devices/acme/dev-ok/telemetry", BrokerFixture.telemetryJson(1)))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, "acme/dev-nosy"));
        assertThat(ev.getTopic()).isEqualTo("devices/acme/dev-ok/telemetry");
    }

    @Test
    void everySubscriptionIsRefusedWithItsReason() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-wild"), "acme/dev-wild");
        for (String filter : List.of("devices/acme/+/telemetry", "$SYS/#", "$share/g/devices/acme/dev-wild/commands/#",
                "devices/acme/dev-wild/commands/#")) {
            assertThatThrownBy(() -> c.subscribeWith().topicFilter(filter).send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCodes())
                            .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        }
        fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.WILDCARD_NOT_PERMITTED, "acme/dev-wild"));
        fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED, "acme/dev-wild"));
        fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED, "acme/dev-wild"));
        // the old contract's own commands subscription: refused with its own reason, and the device stays connected
        fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.SUBSCRIPTIONS_NOT_OFFERED, "acme/dev-wild"));
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();
    }

    @Test
    void oversizedAndMalformedPayloadsAreRefusedAndNotForwarded() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-bad"), "acme/dev-bad");
        assertThat(publish(c, "devices/acme/dev-bad/telemetry", new byte[5000]))
                .isEqualTo(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
        assertThat(publish(c, "devices/acme/dev-bad/telemetry", "{not json".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(publish(c, "devices/acme/dev-bad/telemetry", "{\"schema\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();
        fx.awaitEvent(event(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_TOO_LARGE, "acme/dev-bad"));
        fx.awaitEvent(event(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_MALFORMED, "acme/dev-bad"));
        fx.awaitEvent(event(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION, "acme/dev-bad"));
        assertThat(fx.telemetry()).noneMatch(r -> r.key().equals("acme/dev-bad"));
    }

    @Test
    void rateLimitIsEnforcedPerDevice() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-flood"), "acme/dev-flood");
        List<Mqtt5PubAckReasonCode> codes = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            codes.add(publish(c, "devices/acme/dev-flood/events", "{}".getBytes(StandardCharsets.UTF_8)));
        }
        c.disconnect();
        assertThat(codes).contains(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        assertThat(codes.subList(0, 20)).doesNotContain(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
        fx.awaitEvent(event(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.RATE_LIMIT_EXCEEDED, "acme/dev-flood"));
    }

    @Test
    void mosquittoClientsPublishAndSubscribe() throws Exception {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-mosq");
        Path pem = Files.createDirectories(fx.dir.resolve("mosq"));
        TestCredential.PemFiles files = dev.writePem(pem);
        Path ca = fx.pki.writeCaPem(pem);
        String json = new String(BrokerFixture.telemetryJson(7), StandardCharsets.UTF_8);
        Process pub = new ProcessBuilder("mosquitto_pub", "-h", "localhost", "-p", Integer.toString(fx.port),
                "--cafile", ca.toString(), "--cert", files.certificate().toString(), "--key", files.privateKey().toString(),
                "-V", "mqttv5", "-q", "1", "-i", "acme/dev-mosq", "-t", "devices/acme/dev-mosq/telemetry", "-m", json)
                .redirectErrorStream(true).start();
        assertThat(pub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.telemetry().stream().anyMatch(r -> r.key().equals("acme/dev-mosq")));

        // a foreign subscription from mosquitto_sub is refused with NOT_AUTHORIZED and recorded
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "localhost", "-p", Integer.toString(fx.port),
                "--cafile", ca.toString(), "--cert", files.certificate().toString(), "--key", files.privateKey().toString(),
                "-V", "mqttv5", "-i", "acme/dev-mosq", "-t", "devices/acme/dev-ok/commands", "-W", "3")
                .redirectErrorStream(true).start();
        assertThat(sub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("denied");
        fx.awaitEvent(event(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, "acme/dev-mosq"));
    }

    @Test
    void quarantineRefusesPublishesButKeepsTheConnectionAndReleaseRestores() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-q");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-q");
        control(ControlAction.QUARANTINE, "dev-q", true, false);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                publish(c, "devices/acme/dev-q/telemetry", BrokerFixture.telemetryJson(2)) == Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(c.getState().isConnected()).isTrue();
        fx.awaitEvent(event(SecurityEventType.QUARANTINE_ENFORCED, SecurityEventReasons.QUARANTINED, "acme/dev-q"));

        control(ControlAction.RELEASE, "dev-q", false, false);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                !publish(c, "devices/acme/dev-q/telemetry", BrokerFixture.telemetryJson(3)).isError());
        c.disconnect();
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.telemetry().stream().anyMatch(r -> r.key().equals("acme/dev-q")));
    }

    @Test
    void controlsWrittenBeforeStartAreEnforcedFromTheFirstPublish() {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-pre"), "acme/dev-pre");
        assertThat(publish(c, "devices/acme/dev-pre/telemetry", BrokerFixture.telemetryJson(1)))
                .isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        c.disconnect();
        fx.awaitEvent(event(SecurityEventType.QUARANTINE_ENFORCED, SecurityEventReasons.QUARANTINED, "acme/dev-pre"));
    }

    @Test
    void metricsAreServedAsPrometheusText() throws Exception {
        int port = fx.broker.metricsPort();
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("fleetwarden_broker_connects_total").contains("fleetwarden_broker_kafka_buffer_depth");
    }

    @Test
    @Order(100)
    void kafkaOutageLosesNothingAndKeepsOrder() throws Exception {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-outage");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-outage");
        KAFKA.stop();
        int n = 15;
        for (int i = 0; i < n; i++) {
            assertThat(publish(c, "devices/acme/dev-outage/telemetry", BrokerFixture.telemetryJson(1000 + i)).isError()).isFalse();
        }
        c.disconnect();
        KAFKA.restart();
        await().atMost(Duration.ofSeconds(90)).until(() ->
                fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-outage")).count() >= n);
        List<Long> seq = fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-outage"))
                .map(ConsumerRecord::value).map(Telemetry::getUptimeSeconds).toList();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(1000L + i);
        }
        assertThat(seq).containsExactlyElementsOf(expected);
    }
}
