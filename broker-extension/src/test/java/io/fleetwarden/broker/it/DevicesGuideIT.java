package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;

import io.fleetwarden.broker.identity.AuthDecision;
import io.fleetwarden.broker.identity.ConnectRequest;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.identity.DefaultCredentials;
import io.fleetwarden.broker.identity.IdentityRule;
import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * {@code docs/devices.md} against the real launcher, the packaged extension and real Kafka: every fenced
 * {@code sh} block of the guide, verbatim and in order, in one {@code bash} (openssl key, CSR and signing by an
 * operator's intermediate CA; {@code mosquitto_pub}; a rotation to a second certificate). The broker trusts
 * only the operator's <em>root</em> (and the test CA of its own server certificate), so every accepted device
 * certificate chained through the intermediate the device sent. Also the reason codes the guide states that
 * other ITs do not show: QoS 2 refusals in the PUBREC, the DISCONNECT after a foreign-topic publish, session
 * takeover.
 */
class DevicesGuideIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(Topics.DEVICE_EVENTS, 3)
            .build();

    static final Path GUIDE = Path.of(System.getProperty("fleetwarden.it.devices-guide", "../docs/devices.md"));

    static Path operator;
    static Path trust;
    static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        operator = Files.createTempDirectory("operator-ca");
        trust = Files.createDirectories(operator.resolve("trust"));
        // The operator's CA as an operator would make it: a root and an issuing intermediate (pathlen 0).
        run(operator, Map.of(), """
                set -euo pipefail
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out root.key
                openssl req -x509 -new -key root.key -sha384 -days 3650 -subj "/O=Operator/CN=Operator Root CA" \\
                  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out issuing.key
                openssl req -new -key issuing.key -subj "/O=Operator/CN=Operator Device Issuing CA" -out issuing.csr
                printf 'basicConstraints=critical,CA:TRUE,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid\\n' > ca.cnf
                openssl x509 -req -in issuing.csr -CA root.crt -CAkey root.key -set_serial 0x1001 -days 1825 -sha384 \\
                  -extfile ca.cnf -out issuing.crt
                cp root.crt trust/operator-root.crt
                """);
        // trusted: the operator ROOT only (not the intermediate), plus the test CA (for this class's other devices)
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.trust.ca-certificates", trust.toString()),
                (pki, crl) -> pki.writeCaPem(trust));
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    /** The fenced {@code sh} blocks of the guide, in order. */
    static String guideScript() throws Exception {
        Matcher m = Pattern.compile("(?ms)^```sh\\n(.*?)^```$").matcher(Files.readString(GUIDE));
        StringBuilder script = new StringBuilder();
        int blocks = 0;
        while (m.find()) {
            script.append(m.group(1)).append('\n');
            blocks++;
        }
        assertThat(blocks).as("sh blocks in " + GUIDE).isGreaterThanOrEqualTo(4);
        return script.toString();
    }

    @Test
    void theWorkedExampleRunsVerbatimThroughAnIntermediateCaAndBothRotationCertificatesAreAccepted() throws Exception {
        Path work = Files.createDirectories(operator.resolve("device"));
        assertThat(Files.list(trust).map(p -> p.getFileName().toString())).doesNotContain("issuing.crt");
        String out = run(work, Map.of(
                "FW_HOST", "localhost",
                "FW_PORT", Integer.toString(fx.port),
                "FW_SERVER_CA", fx.pki.writeCaPem(operator).toString(),
                "CA_CHAIN", operator.resolve("issuing.crt").toString(),
                "CA_KEY", operator.resolve("issuing.key").toString()), guideScript());

        // three publishes, each answered PUBACK success, none with another code
        assertThat(Pattern.compile("received PUBACK \\(Mid: 1, RC:0\\)").matcher(out).results().count()).as(out).isEqualTo(3);
        assertThat(Pattern.compile("RC:(?!0\\))").matcher(out).find()).as(out).isFalse();
        assertThat(out).contains("URI:urn:device:acme:thermo-0042").contains("TLS Web Client Authentication");

        // both readings on fleet.telemetry under the device key, one from each certificate of the rollover
        await().atMost(Duration.ofSeconds(30)).until(() ->
                fx.telemetry().stream().filter(r -> r.key().equals("acme/thermo-0042")).count() == 2);
        List<Telemetry> readings = fx.telemetry().stream().filter(r -> r.key().equals("acme/thermo-0042"))
                .map(r -> r.value()).toList();
        assertThat(readings).extracting(Telemetry::getUptimeSeconds).containsExactly(4242L, 4300L);
        assertThat(readings).allSatisfy(t -> {
            assertThat(t.getTenant()).isEqualTo("acme");
            assertThat(t.getModel()).isEqualTo("thermo-t2");
            assertThat(t.getBroker().getTlsProtocol()).isIn("TLSv1.3", "TLSv1.2");
        });
        assertThat(readings.get(0).getBroker().getCertificateSerial())
                .isEqualTo(certificate(work.resolve("device.crt")).getSerialNumber().toString(16));
        assertThat(readings.get(1).getBroker().getCertificateSerial())
                .isEqualTo(certificate(work.resolve("device-next.crt")).getSerialNumber().toString(16))
                .isNotEqualTo(readings.get(0).getBroker().getCertificateSerial());
        // both certificates were issued by the intermediate, which the broker does not trust by itself
        assertThat(certificate(work.resolve("device.crt")).getIssuerX500Principal().getName()).contains("Operator Device Issuing CA");

        var events = KAFKA.consume(Topics.DEVICE_EVENTS, 1, Duration.ofSeconds(30), new StringDeserializer(), new ByteArrayDeserializer());
        DeviceLifecycleEvent boot = Codecs.DEVICE_EVENT.tryDecode(events.get(0).value()).value();
        assertThat(events.get(0).key()).isEqualTo("acme/thermo-0042");
        assertThat(boot.getType()).isEqualTo(DeviceEventType.BOOT);
        assertThat(boot.getDeviceId()).isEqualTo("thermo-0042");

        // hostile: the same certificate WITHOUT its intermediate has no path to a trusted CA
        String refused = run(work, Map.of(), "mosquitto_pub -V mqttv5 -q 1 -h localhost -p " + fx.port + " --cafile "
                + fx.pki.writeCaPem(operator) + " --cert device.crt --key device.key -i acme/thermo-0042"
                + " -t devices/acme/thermo-0042/telemetry -m '{}' || true");
        assertThat(refused).containsIgnoringCase("not authori");
        SecurityEvent untrusted = awaitEvent(SecurityEventReasons.CERTIFICATE_UNTRUSTED, "acme/thermo-0042");
        assertThat(untrusted.getDeviceId()).as("an unverified certificate names nobody").isNull();
    }

    @Test
    void qos2IsCheckedLikeQos1WithTheOutcomeInThePubrec() {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-qos2");
        Mqtt5BlockingClient c = fx.connected(dev, "acme/dev-qos2");
        Mqtt5PublishResult ok = c.publishWith().topic("devices/acme/dev-qos2/telemetry").qos(MqttQos.EXACTLY_ONCE)
                .payload(BrokerFixture.telemetryJson(77)).send();
        assertThat(ok.getError()).isEmpty();
        assertThatThrownBy(() -> c.publishWith().topic("devices/acme/dev-qos2/telemetry").qos(MqttQos.EXACTLY_ONCE)
                .payload("{not json".getBytes(StandardCharsets.UTF_8)).send())
                .isInstanceOfSatisfying(Mqtt5PubRecException.class, e ->
                        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.PAYLOAD_FORMAT_INVALID));
        // QoS 0: no acknowledgement, the same checks; the valid one is forwarded, the invalid one recorded
        c.publishWith().topic("devices/acme/dev-qos2/telemetry").qos(MqttQos.AT_MOST_ONCE).payload(BrokerFixture.telemetryJson(78)).send();
        c.publishWith().topic("devices/acme/dev-qos2/telemetry").qos(MqttQos.AT_MOST_ONCE)
                .payload("{\"schema\":1}".getBytes(StandardCharsets.UTF_8)).send();
        assertThat(c.getState().isConnected()).isTrue();
        c.disconnect();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-qos2")).count() == 2);
        assertThat(fx.telemetry().stream().filter(r -> r.key().equals("acme/dev-qos2")).map(r -> r.value().getUptimeSeconds()))
                .containsExactly(77L, 78L);
        awaitEvent(SecurityEventReasons.PAYLOAD_MALFORMED, "acme/dev-qos2");
        awaitEvent(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION, "acme/dev-qos2");
    }

    @Test
    void aForeignTopicPublishEndsInDisconnectNotAuthorizedAndATakeoverInSessionTakenOver() throws Exception {
        TestCredential dev = fx.pki.deviceCertificate("acme", "dev-disc");
        CompletableFuture<Mqtt5DisconnectReasonCode> foreign = new CompletableFuture<>();
        Mqtt5BlockingClient c = fx.client("acme/dev-disc", dev).addDisconnectedListener(ctx -> foreign.complete(
                ctx.getCause() instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode() : null)).buildBlocking();
        c.connect();
        c.toAsync().publishWith().topic("devices/acme/dev-other/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload(BrokerFixture.telemetryJson(1)).send();
        assertThat(foreign.get(20, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);

        CompletableFuture<Mqtt5DisconnectReasonCode> takenOver = new CompletableFuture<>();
        Mqtt5BlockingClient first = fx.client("acme/dev-disc", dev).addDisconnectedListener(ctx -> takenOver.complete(
                ctx.getCause() instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode() : null)).buildBlocking();
        first.connect();
        Mqtt5BlockingClient second = fx.connected(dev, "acme/dev-disc");
        assertThat(takenOver.get(20, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        second.disconnect();
        awaitEvent(SecurityEventReasons.SESSION_TAKEOVER, "acme/dev-disc");
    }

    @Test
    void anIntermediateConfiguredAsTheTrustAnchorAcceptsItsDevicesWithoutTheChain() throws Exception {
        // The broker's certificate check itself (ConnectVerifier, as the extension builds it), with the issuing
        // intermediate as the only trusted CA and a device that sends its certificate alone.
        Path work = Files.createDirectories(operator.resolve("anchor"));
        run(work, Map.of("CA", operator.toString()), """
                set -euo pipefail
                openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out d.key
                openssl req -new -key d.key -subj "/O=acme/CN=thermo-0099" -out d.csr
                printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=URI:urn:device:acme:thermo-0099\n' > d.cnf
                openssl x509 -req -in d.csr -CA "$CA/issuing.crt" -CAkey "$CA/issuing.key" -set_serial 0x2002 -days 30 \
                  -extfile d.cnf -out d.crt
                """);
        X509Certificate leaf = certificate(work.resolve("d.crt"));
        X509Certificate intermediate = certificate(operator.resolve("issuing.crt"));
        X509Certificate root = certificate(operator.resolve("root.crt"));
        ConnectRequest alone = new ConnectRequest(
                "acme/thermo-0099", null, null, List.of(leaf), "TLSv1.3", "TLS_AES_128_GCM_SHA256");
        assertThat(verifier(intermediate).verify(alone)).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(verifier(root).verify(alone)).isInstanceOfSatisfying(AuthDecision.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_UNTRUSTED));
        assertThat(verifier(root).verify(new ConnectRequest("acme/thermo-0099", null, null,
                List.of(leaf, intermediate), "TLSv1.3", "TLS_AES_128_GCM_SHA256")))
                .isInstanceOf(AuthDecision.Accepted.class);
    }

    private static ConnectVerifier verifier(X509Certificate anchor) throws Exception {
        List<X509Certificate> cas = List.of(anchor);
        return new ConnectVerifier(cas,
                new CrlStore(Files.createTempDirectory("crl"), cas), (t, d, s) -> false,
                DefaultCredentials.shipped(), new IdentityRule("default"),
                Set.of("TLSv1.3", "TLSv1.2"), true, Clock.systemUTC());
    }

    private static SecurityEvent awaitEvent(String reason, String claimedClientId) {
        return fx.awaitEvent(e -> reason.equals(e.getReason()) && claimedClientId.equals(e.getClaimedClientId()));
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Runs a bash script in {@code dir} with extra environment; fails with its output unless it exits 0. */
    private static String run(Path dir, Map<String, String> env, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("script finished").isTrue();
        String out = output.get(10, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
