package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;

import io.fleetwarden.broker.launcher.FleetwardenBroker;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Two brokers started by the launcher in one JVM, each with its own settings, do not interfere: each
 * extension runs with its own broker id, limits and metrics port, and a third broker whose extension
 * fails to start is refused without touching the two that run. (Settings that used to travel through
 * JVM system properties leaked from one broker into the next one started.)
 */
class TwoBrokersInOneJvmIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 1)
            .topic(Topics.SECURITY_EVENTS, 1)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .build();

    static BrokerFixture a;
    static BrokerFixture b;

    @BeforeAll
    static void start() throws Exception {
        // A refuses payloads over 64 bytes; B keeps the default (16 KiB) and must not inherit A's limit.
        a = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.broker-id", "broker-a",
                "fleetwarden.validation.max-payload-bytes", "64"), (pki, crl) -> { });
        b = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.broker-id", "broker-b"), (pki, crl) -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static Mqtt5PubAckReasonCode publish(Mqtt5BlockingClient c, String device, long seq) {
        try {
            Mqtt5PublishResult r = c.publishWith().topic("devices/acme/" + device + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(BrokerFixture.telemetryJson(seq)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    @Test
    void eachBrokerRunsWithItsOwnSettings() throws Exception {
        assertThat(a.metricsPort()).isPositive().isNotEqualTo(b.metricsPort());
        Mqtt5BlockingClient onB = b.connected(b.pki.deviceCertificate("acme", "dev-b"), "acme/dev-b");
        assertThat(publish(onB, "dev-b", 1)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        onB.disconnect();
        Mqtt5BlockingClient onA = a.connected(a.pki.deviceCertificate("acme", "dev-a"), "acme/dev-a");
        assertThat(publish(onA, "dev-a", 1)).isEqualTo(Mqtt5PubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
        onA.disconnect();

        await().atMost(Duration.ofSeconds(20)).until(() -> b.telemetry().stream().anyMatch(r -> r.key().equals("acme/dev-b")));
        Telemetry fromB = b.telemetry().stream().filter(r -> r.key().equals("acme/dev-b")).map(ConsumerRecord::value)
                .findFirst().orElseThrow();
        assertThat(fromB.getBroker().getBrokerId()).isEqualTo("broker-b");
        assertThat(a.http("/metrics").body()).contains("payload-too-large").doesNotContain("result=\"forwarded\"");
        assertThat(b.http("/metrics").body()).contains("result=\"forwarded\"").doesNotContain("payload-too-large");
    }

    @Test
    void aBrokerWhoseExtensionFailsLeavesTheOthersServing() throws Exception {
        assertThatThrownBy(() -> new BrokerFixture(KAFKA.bootstrapServers(),
                Map.of("fleetwarden.trust.ca-certificates", "/no/such/ca.pem"), (pki, crl) -> { }))
                .isInstanceOf(FleetwardenBroker.ExtensionNotStartedException.class)
                .hasMessageContaining("trust.ca-certificates");
        for (BrokerFixture fx : new BrokerFixture[] {a, b}) {
            await().atMost(Duration.ofSeconds(30)).until(() -> fx.http("/health/ready").statusCode() == 200);
            Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-still"), "acme/dev-still");
            assertThat(c.getState().isConnected()).isTrue();
            c.disconnect();
        }
    }
}
