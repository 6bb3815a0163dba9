package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;

import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Liveness and readiness of the real broker (launcher, packaged extension, real Kafka): ready only
 * when every check passes; not ready (but still live) while Kafka is unreachable and while the
 * forward buffer is at its threshold; ready again when Kafka returns and the buffer drains.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerHealthIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 1)
            .topic(Topics.SECURITY_EVENTS, 1)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .build();

    static final ObjectMapper JSON = new ObjectMapper();
    static BrokerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.health.max-buffer-depth", "5",
                "fleetwarden.validation.rate-limit-burst", "100"), (pki, crl) -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    private static JsonNode checks(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("checks");
    }

    @Test
    @Order(1)
    void liveAndReadyWhenEverythingIs() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> fx.http("/health/ready").statusCode() == 200);
        HttpResponse<String> ready = fx.http("/health/ready");
        assertThat(ready.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("UP");
        JsonNode checks = checks(ready);
        for (String name : new String[] {"extension", "workers", "listeners", "controls", "kafka", "buffer"}) {
            assertThat(checks.get(name).get("ok").asBoolean()).as(name + " in " + ready.body()).isTrue();
        }
        HttpResponse<String> live = fx.http("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(checks(live).has("kafka")).as("liveness does not depend on Kafka").isFalse();
        assertThat(fx.http("/metrics").body()).contains("fleetwarden_broker_ready 1.0")
                .contains("fleetwarden_broker_live 1.0").contains("fleetwarden_broker_kafka_reachable 1.0");
    }

    @Test
    @Order(2)
    void unknownPathsAreNotFound() throws Exception {
        assertThat(fx.http("/health").statusCode()).isEqualTo(404);
        assertThat(fx.http("/health/ready/extra").statusCode()).isEqualTo(404);
        assertThat(fx.http("/admin").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void everyBrokerMetricTheAlertRulesUseIsExported() throws Exception {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-rules"), "acme/dev-rules");
        c.disconnect();
        assertThat(io.fleetwarden.testsupport.AlertRules.assertExported(fx.http("/metrics").body(), "fleetwarden_broker_"))
                .contains("fleetwarden_broker_ready", "fleetwarden_broker_kafka_dropped_total");
    }

    @Test
    @Order(100)
    void notReadyWhileKafkaIsUnreachableOrTheBufferIsDeepButStillLive() throws Exception {
        Mqtt5BlockingClient c = fx.connected(fx.pki.deviceCertificate("acme", "dev-health"), "acme/dev-health");
        KAFKA.stop();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> fx.http("/health/ready").statusCode() == 503);
            HttpResponse<String> ready = fx.http("/health/ready");
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("DOWN");
            assertThat(checks(ready).get("kafka").get("ok").asBoolean()).as(ready.body()).isFalse();
            assertThat(checks(ready).get("kafka").get("detail").asText()).contains("unreachable");
            assertThat(fx.http("/health/live").statusCode()).as("Kafka away is no reason to restart the broker")
                    .isEqualTo(200);
            assertThat(fx.http("/metrics").body()).contains("fleetwarden_broker_ready 0.0")
                    .contains("fleetwarden_broker_kafka_reachable 0.0");

            // records wait for Kafka: at the threshold (5) the buffer check fails too
            for (int i = 0; i < 8; i++) {
                c.publishWith().topic("devices/acme/dev-health/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(BrokerFixture.telemetryJson(i)).send();
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    !checks(fx.http("/health/ready")).get("buffer").get("ok").asBoolean());
            assertThat(checks(fx.http("/health/ready")).get("buffer").get("detail").asText()).contains("from 5");
        } finally {
            KAFKA.restart();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> fx.http("/health/ready").statusCode() == 200);
        assertThat(checks(fx.http("/health/ready")).get("buffer").get("ok").asBoolean()).isTrue();
        c.disconnect();
    }
}
