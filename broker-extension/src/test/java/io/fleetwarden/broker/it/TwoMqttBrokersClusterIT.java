package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;

import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaCluster;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/**
 * Two {@code fleetwarden-broker} processes (the packaged launcher) sharing one three-node Kafka cluster (separate
 * processes, replication factor 3, {@code min.insync.replicas=2}), one fleet CA, devices spread across both:
 * controls apply on both brokers, a device moving to the other broker keeps working, one identity live on both
 * brokers at once is visible with both broker ids, and a {@code kill -9} of one broker moves its devices (real MQTT
 * clients with jittered exponential back-off) to the other without losing anything beyond the documented buffer
 * policy (README "Forwarding and buffering policy").
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoMqttBrokersClusterIT {

    @RegisterExtension
    static final KafkaCluster KAFKA = KafkaCluster.builder()
            .eventModelTopics(Topics.TELEMETRY, Topics.SECURITY_EVENTS, Topics.DEVICE_CONTROLS, Topics.DEVICE_EVENTS)
            .build();

    /**
     * The loss window the kill test allows: records the dead broker acknowledged with PUBACK this long before the
     * kill must be on Kafka. In steady state a record waits {@code linger.ms} (20 ms) plus one {@code acks=all}
     * produce round trip; the margin is for a loaded test machine.
     */
    static final Duration LOSS_WINDOW = Duration.ofSeconds(3);

    static TestPki pki;
    static BrokerProcess a;
    static BrokerProcess b;
    static KafkaProducer<String, byte[]> controls;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create("acme");
        Map<String, String> limits = Map.of("fleetwarden.validation.rate-limit-per-second", "100",
                "fleetwarden.validation.rate-limit-burst", "200");
        a = new BrokerProcess("broker-a", pki, KAFKA.bootstrapServers(), limits);
        b = new BrokerProcess("broker-b", pki, KAFKA.bootstrapServers(), limits);
        // start both at once: each start is a JVM plus HiveMQ plus the controls load
        Thread startA = new Thread(() -> {
            try {
                a.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        startA.start();
        b.start();
        startA.join();
        // both must serve before the first test connects to either (only a was awaited: b refused connections
        // when it started more slowly)
        for (BrokerProcess bp : new BrokerProcess[] {a, b}) {
            assertThat(bp.isAlive()).as("%s started:%n%s", bp.brokerId, bp.log(30)).isTrue();
            await().atMost(Duration.ofSeconds(120)).until(bp::ready);
        }
        Map<String, Object> p = new HashMap<>(KAFKA.producerProps());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        controls = new KafkaProducer<>(p);
    }

    @AfterAll
    static void stop() throws Exception {
        if (controls != null) {
            controls.close();
        }
        for (BrokerProcess bp : new BrokerProcess[] {a, b}) {
            if (bp != null) {
                bp.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void devicesSpreadAcrossBothBrokersAreForwardedWithTheirBrokerId() throws Exception {
        assertThat(a.pid()).isNotEqualTo(b.pid()).isNotEqualTo(ProcessHandle.current().pid());
        List<Mqtt5BlockingClient> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            BrokerProcess home = i % 2 == 0 ? a : b;
            String id = "spread-" + i;
            Mqtt5BlockingClient c = connect(home, id);
            clients.add(c);
            assertThat(publish(c, id, 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        clients.forEach(Mqtt5BlockingClient::disconnect);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, String> brokerByDevice = telemetry().stream().filter(t -> t.getDeviceId().startsWith("spread-"))
                    .collect(Collectors.toMap(Telemetry::getDeviceId, t -> t.getBroker().getBrokerId(), (x, y) -> x));
            assertThat(brokerByDevice).containsOnly(Map.entry("spread-0", "broker-a"), Map.entry("spread-1", "broker-b"),
                    Map.entry("spread-2", "broker-a"), Map.entry("spread-3", "broker-b"), Map.entry("spread-4", "broker-a"),
                    Map.entry("spread-5", "broker-b"));
        });
    }

    @Test
    @Order(2)
    void quarantineAndRevokeApplyOnBothBrokers() throws Exception {
        Mqtt5BlockingClient qa = connect(a, "q-a");
        Mqtt5BlockingClient qb = connect(b, "q-b");
        assertThat(publish(qa, "q-a", 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(publish(qb, "q-b", 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        control(ControlAction.QUARANTINE, "q-a", true, false);
        control(ControlAction.QUARANTINE, "q-b", true, false);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(publish(qa, "q-a", 2)).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(publish(qb, "q-b", 2)).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        });
        // the quarantine follows the device to the other broker
        qa.disconnect();
        Mqtt5BlockingClient qaOnB = connect(b, "q-a");
        assertThat(publish(qaOnB, "q-a", 3)).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        control(ControlAction.RELEASE, "q-a", false, false);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(publish(qaOnB, "q-a", 4)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS));
        qaOnB.disconnect();
        qb.disconnect();

        // revoke: live sessions on both brokers end, and neither broker lets the device back in
        Mqtt5BlockingClient ra = connect(a, "r-a");
        Mqtt5BlockingClient rb = connect(b, "r-b");
        control(ControlAction.REVOKE, "r-a", false, true);
        control(ControlAction.REVOKE, "r-b", false, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> !ra.getState().isConnected() && !rb.getState().isConnected());
        for (BrokerProcess broker : new BrokerProcess[] {a, b}) {
            for (String id : List.of("r-a", "r-b")) {
                assertThatThrownBy(() -> connect(broker, id)).as("%s on %s", id, broker.brokerId)
                        .isInstanceOf(Mqtt5ConnAckException.class)
                        .satisfies(e -> assertThat(((Mqtt5ConnAckException) e).getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5ConnAckReasonCode.BANNED));
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<SecurityEvent> ev = securityEvents();
            assertThat(ev).anySatisfy(e -> assertEvent(e, "r-a", SecurityEventType.DISCONNECT,
                    SecurityEventReasons.DISCONNECTED_REVOKED, "broker-a"));
            assertThat(ev).anySatisfy(e -> assertEvent(e, "r-b", SecurityEventType.DISCONNECT,
                    SecurityEventReasons.DISCONNECTED_REVOKED, "broker-b"));
        });
    }

    @Test
    @Order(3)
    void aDeviceMovingToTheOtherBrokerKeepsWorking() throws Exception {
        Mqtt5BlockingClient onA = connect(a, "mover");
        assertThat(publish(onA, "mover", 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        onA.disconnect();
        Mqtt5BlockingClient onB = connect(b, "mover");
        assertThat(publish(onB, "mover", 2)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        onB.disconnect();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(telemetry().stream()
                .filter(t -> t.getDeviceId().equals("mover"))
                .map(t -> t.getUptimeSeconds() + "@" + t.getBroker().getBrokerId()))
                .containsExactlyInAnyOrder("1@broker-a", "2@broker-b"));
    }

    /**
     * Two brokers share nothing, so a second session of one identity on the other broker takes nothing over: both
     * stay live and both publish. What the detection job needs for CMP-IDENT-001 (live from two places) is in the
     * events: two CONNECTs of one device key, each with its broker id, and no disconnect between them. The rule is
     * proven on exactly this shape in stream-jobs' {@code RuleScenarioTest} ("one address live on two brokers").
     */
    @Test
    @Order(4)
    void oneIdentityLiveOnBothBrokersAtOnceIsVisibleWithBothBrokerIds() throws Exception {
        Mqtt5BlockingClient onA = connect(a, "clone");
        Mqtt5BlockingClient onB = connect(b, "clone");
        assertThat(publish(onA, "clone", 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(publish(onB, "clone", 2)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(onA.getState().isConnected()).as("no takeover across brokers").isTrue();
        assertThat(onB.getState().isConnected()).isTrue();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<SecurityEvent> connects = securityEvents().stream()
                    .filter(e -> "clone".equals(e.getDeviceId()) && e.getType() == SecurityEventType.CONNECT).toList();
            assertThat(connects).extracting(e -> e.getBroker().getBrokerId()).containsExactlyInAnyOrder("broker-a", "broker-b");
            assertThat(connects).allSatisfy(e -> assertThat(e.getTenant()).isEqualTo("acme"));
            assertThat(securityEvents()).noneMatch(e -> "clone".equals(e.getDeviceId()) && e.getType() == SecurityEventType.DISCONNECT);
        });
        onA.disconnect();
        onB.disconnect();
    }

    /**
     * kill -9 of broker-a while 16 devices (8 on each broker) publish QoS 1 telemetry with sequence numbers. Every
     * device resends a publish that got no PUBACK (as a QoS 1 device must: its session died with the broker) and
     * reconnects with jittered exponential back-off to the next broker of its list. Then:
     * every publish broker-b acknowledged is on Kafka; every publish broker-a acknowledged more than
     * {@link #LOSS_WINDOW} before the kill is on Kafka; what is missing is only what broker-a acknowledged in that
     * window (its in-memory forward buffer); a record appears twice only if its device resent it; and broker-a's
     * devices are all publishing through broker-b.
     */
    @Test
    @Order(5)
    void killingOneBrokerMovesItsDevicesAndLosesOnlyItsUnsentBuffer() throws Exception {
        int perBroker = 8;
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 2 * perBroker; i++) {
            BrokerProcess home = i % 2 == 0 ? a : b;
            devices.add(new Device("kill-" + i, home == a ? List.of(a, b) : List.of(b, a)));
        }
        for (Device d : devices) {
            d.connect();
        }
        devices.forEach(Device::startPublishing);
        Thread.sleep(5_000);
        long killedAt = System.currentTimeMillis();
        a.kill();
        assertThat(a.isAlive()).isFalse();
        // every device of broker-a reconnects to broker-b and publishes through it
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(devices).allSatisfy(d ->
                assertThat(d.ackedAfter(killedAt, b.brokerId)).as("%s: acknowledged after the kill by broker-b (%d by any,"
                        + " %d disconnects, connected to port %d; broker-b is %d)", d.id, d.acked.values().stream()
                        .filter(x -> x.at > killedAt).count(), d.disconnects.get(), d.connectedPort(), b.port)
                        .isGreaterThanOrEqualTo(5)));
        devices.forEach(Device::stopPublishing);
        for (Device d : devices) {
            d.join();
        }

        Map<String, Integer> onKafka = new HashMap<>();
        for (Telemetry t : telemetry(Duration.ofSeconds(20))) {
            if (t.getDeviceId().startsWith("kill-")) {
                onKafka.merge(t.getDeviceId() + "#" + t.getUptimeSeconds(), 1, Integer::sum);
            }
        }
        List<String> lostBeyondPolicy = new ArrayList<>();
        List<String> lostInWindow = new ArrayList<>();
        List<String> duplicatesNotResent = new ArrayList<>();
        int duplicates = 0;
        for (Device d : devices) {
            for (Ack ack : d.acked.values()) {
                String id = d.id + "#" + ack.seq;
                int copies = onKafka.getOrDefault(id, 0);
                if (copies == 0) {
                    boolean allowed = ack.broker.equals(a.brokerId) && ack.at >= killedAt - LOSS_WINDOW.toMillis();
                    (allowed ? lostInWindow : lostBeyondPolicy).add(id + " acked by " + ack.broker + " at kill"
                            + (ack.at - killedAt) + "ms");
                } else if (copies > 1) {
                    duplicates++;
                    if (!d.resent.contains(ack.seq)) {
                        duplicatesNotResent.add(id + " x" + copies);
                    }
                }
            }
        }
        int acked = devices.stream().mapToInt(d -> d.acked.size()).sum();
        int resent = devices.stream().mapToInt(d -> d.resent.size()).sum();
        System.out.printf("kill -9 broker-a: %d publishes acknowledged (%d by broker-b after the kill), %d resent by devices,"
                        + " %d lost from broker-a's buffer (acknowledged within %d ms before the kill), %d duplicates from resends%n",
                acked, devices.stream().mapToLong(d -> d.ackedAfter(killedAt, b.brokerId)).sum(), resent,
                lostInWindow.size(), LOSS_WINDOW.toMillis(), duplicates);
        assertThat(lostBeyondPolicy).as("acknowledged publishes missing on Kafka outside the buffer policy").isEmpty();
        assertThat(duplicatesNotResent).as("records on Kafka twice although the device sent them once").isEmpty();
        // jittered back-off: the devices did not all wait the same time before reconnecting
        Set<Long> delays = devices.stream().flatMap(d -> d.reconnectDelays.stream()).collect(Collectors.toSet());
        assertThat(delays).as("reconnect delays chosen").hasSizeGreaterThan(1);
        assertThat(devices.stream().filter(d -> d.brokers.get(0) == a))
                .allSatisfy(d -> assertThat(d.connectedPort()).isEqualTo(b.port));
        devices.forEach(Device::close);
    }

    // ------------------------------------------------------------------------------------------------------------

    record Ack(long seq, String broker, long at) {
    }

    /**
     * A device: one async MQTT 5 client with a list of brokers; on a lost connection it reconnects to the next one
     * after a jittered exponential back-off (100 ms doubling up to 2 s, each delay uniformly drawn from its upper
     * half), publishes telemetry with increasing sequence numbers ({@code uptimeSeconds}) one at a time and resends
     * the same sequence number until a PUBACK arrives.
     */
    final class Device {
        final String id;
        final List<BrokerProcess> brokers;
        final Mqtt5AsyncClient client;
        final Map<Long, Ack> acked = new ConcurrentHashMap<>();
        final Set<Long> resent = ConcurrentHashMap.newKeySet();
        final List<Long> reconnectDelays = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.AtomicInteger disconnects = new java.util.concurrent.atomic.AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread thread;

        Device(String id, List<BrokerProcess> brokers) {
            this.id = id;
            this.brokers = brokers;
            MqttClientSslConfig ssl = ssl(pki.deviceCertificate("acme", id));
            this.client = Mqtt5Client.builder().identifier("acme/" + id)
                    .transportConfig(transport(brokers.get(0), ssl))
                    .addDisconnectedListener(ctx -> {
                        if (ctx.getSource() == MqttDisconnectSource.USER) {
                            return;
                        }
                        disconnects.incrementAndGet();
                        int attempt = ctx.getReconnector().getAttempts();
                        long cap = Math.min(2_000, 100L << Math.min(attempt, 5));
                        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
                        reconnectDelays.add(delay);
                        // the broker it lost first, then the others in turn
                        BrokerProcess next = brokers.get((attempt + 1) % brokers.size());
                        ctx.getReconnector().transportConfig(transport(next, ssl)).reconnect(true)
                                .delay(delay, TimeUnit.MILLISECONDS);
                    })
                    .buildAsync();
        }

        void connect() throws Exception {
            client.connect().get(30, TimeUnit.SECONDS);
        }

        void startPublishing() {
            running.set(true);
            thread = new Thread(this::publishLoop, "device-" + id);
            thread.start();
        }

        private void publishLoop() {
            long seq = 0;
            while (running.get()) {
                boolean first = true;
                while (running.get()) {
                    if (!first) {
                        resent.add(seq);
                    }
                    first = false;
                    int disconnectsBefore = disconnects.get();
                    try {
                        Mqtt5PublishResult r = client.publishWith().topic("devices/acme/" + id + "/telemetry")
                                .qos(MqttQos.AT_LEAST_ONCE).payload(BrokerFixture.telemetryJson(seq)).send()
                                .get(20, TimeUnit.SECONDS);
                        var code = ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
                        if (code == Mqtt5PubAckReasonCode.SUCCESS) {
                            if (disconnects.get() != disconnectsBefore) {
                                resent.add(seq); // the client itself may have resent it on the new connection
                            }
                            int port = connectedPort();
                            acked.put(seq, new Ack(seq, port == a.port ? a.brokerId : b.brokerId, System.currentTimeMillis()));
                            break;
                        }
                        throw new AssertionError(id + " publish " + seq + " refused: " + code);
                    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                        // no PUBACK (connection lost, session gone with the broker): resend the same reading
                        sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                seq++;
                sleep(100);
            }
        }

        /** The port of the broker this client is connected to now (-1 when it is not connected). */
        int connectedPort() {
            return client.getConfig().getConnectionConfig()
                    .map(c -> c.getTransportConfig().getServerAddress().getPort()).orElse(-1);
        }

        long ackedAfter(long at, String broker) {
            return acked.values().stream().filter(x -> x.at > at && x.broker.equals(broker)).count();
        }

        void stopPublishing() {
            running.set(false);
        }

        void join() throws InterruptedException {
            thread.join(30_000);
        }

        void close() {
            try {
                client.disconnect().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static MqttClientTransportConfig transport(BrokerProcess broker, MqttClientSslConfig ssl) {
        return MqttClientTransportConfig.builder().serverHost("localhost").serverPort(broker.port).sslConfig(ssl).build();
    }

    static MqttClientSslConfig ssl(TestCredential credential) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(pki.trustStore(BrokerFixture.PASSWORD));
            KeyStore ks = credential.keyStore(BrokerFixture.PASSWORD);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, BrokerFixture.PASSWORD);
            return MqttClientSslConfig.builder().trustManagerFactory(tmf).keyManagerFactory(kmf)
                    .protocols(List.of("TLSv1.3", "TLSv1.2")).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Mqtt5BlockingClient connect(BrokerProcess broker, String deviceId) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("acme/" + deviceId)
                .transportConfig(transport(broker, ssl(pki.deviceCertificate("acme", deviceId)))).buildBlocking();
        c.connect();
        return c;
    }

    static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String deviceId, long seq) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic("devices/acme/" + deviceId + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(BrokerFixture.telemetryJson(seq)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    static void control(ControlAction action, String device, boolean quarantined, boolean revoked) throws Exception {
        DeviceControl c = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString()).setTenant("acme")
                .setDeviceId(device).setAction(action).setQuarantined(quarantined).setRevoked(revoked)
                .setRevokedCertificateSerials(List.of()).setReason("it").setIssuedBy("it").setIssuedAt(Instant.now())
                .build();
        controls.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, "acme/" + device, Codecs.DEVICE_CONTROL.encode(c)))
                .get(60, TimeUnit.SECONDS);
    }

    static void assertEvent(SecurityEvent e, String device, SecurityEventType type, String reason, String broker) {
        assertThat(e.getDeviceId()).isEqualTo(device);
        assertThat(e.getType()).isEqualTo(type);
        assertThat(e.getReason()).isEqualTo(reason);
        assertThat(e.getBroker().getBrokerId()).isEqualTo(broker);
    }

    static List<Telemetry> telemetry() {
        return telemetry(Duration.ofSeconds(3));
    }

    /** Everything on fleet.telemetry that arrives within {@code readFor}. */
    static List<Telemetry> telemetry(Duration readFor) {
        List<ConsumerRecord<String, byte[]>> records = KAFKA.consume(Topics.TELEMETRY, Integer.MAX_VALUE,
                readFor, new StringDeserializer(), new ByteArrayDeserializer());
        return records.stream().map(r -> Codecs.TELEMETRY.tryDecode(r.value()).value()).toList();
    }

    static List<SecurityEvent> securityEvents() {
        List<ConsumerRecord<String, byte[]>> records = KAFKA.consume(Topics.SECURITY_EVENTS, Integer.MAX_VALUE,
                Duration.ofSeconds(3), new StringDeserializer(), new ByteArrayDeserializer());
        return records.stream().map(r -> Codecs.SECURITY_EVENT.tryDecode(r.value()).value()).toList();
    }
}
