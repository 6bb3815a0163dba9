package io.fleetwarden.broker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/** The broker's controls reader on a real KRaft broker: hostile records on the control topic are skipped, never fatal. */
@Timeout(120)
class ControlsConsumerIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS)).build();

    private static void send(String key, byte[] value) throws Exception {
        Map<String, Object> props = KAFKA.producerProps();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.DEVICE_CONTROLS, key, value)).get();
        }
    }

    private static byte[] quarantine(String device, boolean on) {
        return Codecs.DEVICE_CONTROL.encode(DeviceControl.newBuilder().setControlId("c-" + device + on).setTenant("acme")
                .setDeviceId(device).setAction(on ? ControlAction.QUARANTINE : ControlAction.RELEASE)
                .setQuarantined(on).setRevoked(false).setRevokedCertificateSerials(List.of())
                .setIssuedBy("op").setIssuedAt(Instant.EPOCH).build());
    }

    @Test
    void garbageOnTheControlTopicIsSkippedAndControlsAroundItAreEnforced() throws Exception {
        send("acme/d1", quarantine("d1", true));
        send("acme/d2", "not avro at all".getBytes(StandardCharsets.UTF_8));
        send("acme/d3", new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3}); // Avro marker, unknown schema
        send("acme/d4", quarantine("d4", true));
        ControlState state = new ControlState();
        List<ControlState.Change> changes = new CopyOnWriteArrayList<>();
        try (ControlsConsumer consumer = new ControlsConsumer(KAFKA.bootstrapServers(), "it-broker", state, changes::add)) {
            consumer.start();
            assertThat(consumer.awaitInitialLoad(Duration.ofSeconds(30))).isTrue();
            assertThat(state.isQuarantined("acme/d1")).isTrue();
            assertThat(state.isQuarantined("acme/d4")).isTrue();
            assertThat(consumer.skipped()).isEqualTo(2);
            assertThat(changes).hasSize(2);

            send("acme/d1", quarantine("d1", false));
            await().atMost(Duration.ofSeconds(20)).until(() -> !state.isQuarantined("acme/d1"));
            assertThat(state.isQuarantined("acme/d4")).isTrue();
        }
    }
}
