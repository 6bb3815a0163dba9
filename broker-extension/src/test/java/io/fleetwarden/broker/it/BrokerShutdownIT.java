package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;

import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * A graceful stop of the broker (the launcher's close) while devices are connected and Kafka is up: every device's
 * DISCONNECT security event reaches Kafka as {@code broker-draining} (planned maintenance, which the detection jobs
 * do not count as an outage), with the MQTT reason code the broker sent, and MQTT 5 devices are told
 * {@code SERVER_SHUTTING_DOWN}. HiveMQ CE's own stop closes connections without a DISCONNECT (the extension then
 * only sees lost connections), so the launcher drains its clients first.
 */
class BrokerShutdownIT {

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

    @Test
    void aGracefulStopRecordsEveryConnectedDeviceAsDrained() throws Exception {
        List<String> v5 = List.of("drain-5a", "drain-5b", "drain-5c");
        List<CompletableFuture<Throwable>> told = new java.util.ArrayList<>();
        for (String id : v5) {
            CompletableFuture<Throwable> cause = new CompletableFuture<>();
            Mqtt5BlockingClient c = fx.client("acme/" + id, fx.pki.deviceCertificate("acme", id))
                    .addDisconnectedListener(ctx -> {
                        if (ctx.getSource() != MqttDisconnectSource.USER) {
                            cause.complete(ctx.getCause());
                        }
                    }).buildBlocking();
            c.connect();
            told.add(cause);
        }
        Mqtt3BlockingClient v3 = fx.client311("acme/drain-3", fx.pki.deviceCertificate("acme", "drain-3")).buildBlocking();
        v3.connect();
        // a device that reconnects at once whenever it is sent away: the drain sends it away again until it is gone
        Mqtt5BlockingClient eager = fx.client("acme/drain-eager", fx.pki.deviceCertificate("acme", "drain-eager"))
                .automaticReconnect().initialDelay(20, TimeUnit.MILLISECONDS).maxDelay(200, TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect().buildBlocking();
        eager.connect();
        for (String id : List.of("drain-5a", "drain-5b", "drain-5c", "drain-3", "drain-eager")) {
            fx.awaitEvent(e -> e.getType() == SecurityEventType.CONNECT && id.equals(e.getDeviceId()));
        }

        fx.stopBroker();

        for (CompletableFuture<Throwable> cause : told) {
            Throwable why = cause.get(30, TimeUnit.SECONDS);
            assertThat(why).isInstanceOf(Mqtt5DisconnectException.class);
            assertThat(((Mqtt5DisconnectException) why).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN);
        }
        for (String id : List.of("drain-5a", "drain-5b", "drain-5c", "drain-3")) {
            SecurityEvent gone = fx.awaitEvent(e -> e.getType() == SecurityEventType.DISCONNECT && id.equals(e.getDeviceId()));
            assertThat(gone.getReason()).as("reason of %s's disconnect", id).isEqualTo(SecurityEventReasons.BROKER_DRAINING);
            assertThat(gone.getAttributes()).containsEntry("mqttReasonCode", "SERVER_SHUTTING_DOWN");
            assertThat(gone.getTenant()).isEqualTo("acme");
            assertThat(gone.getBroker().getBrokerId()).isEqualTo("it-broker");
        }
        // one DISCONNECT per connection, no second one from another callback
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> fx.events().stream()
                .filter(e -> e.getType() == SecurityEventType.DISCONNECT && e.getDeviceId().startsWith("drain-")
                        && !e.getDeviceId().equals("drain-eager")).count() == 4);
        // the eager device was drained at least once (it may have been drained again after each reconnect; one that
        // slips in after the drain, before HiveMQ closes the listener, ends as a lost connection)
        SecurityEvent eagerGone = fx.awaitEvent(e -> e.getType() == SecurityEventType.DISCONNECT
                && "drain-eager".equals(e.getDeviceId()) && SecurityEventReasons.BROKER_DRAINING.equals(e.getReason()));
        assertThat(eagerGone.getAttributes()).containsEntry("mqttReasonCode", "SERVER_SHUTTING_DOWN");
        eager.toAsync().disconnect(); // stops its reconnecting
    }
}
