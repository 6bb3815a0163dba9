package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/** The deserializer never throws: every bad record comes out with a specific reason and its bytes. */
class InboundDeserializerTest {

    private static List<Inbound> decode(String topic, byte[] key, byte[] value) {
        List<Inbound> out = new ArrayList<>();
        new InboundDeserializer().deserialize(new ConsumerRecord<>(topic, 1, 42L, key, value), new Collector<>() {
            @Override
            public void collect(Inbound record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        });
        return out;
    }

    @Test
    void decodesTelemetryWithItsEventTime() {
        byte[] bytes = Codecs.TELEMETRY.encode(Events.telemetry("cam-1", Events.T0).build());
        assertThat(decode(Topics.TELEMETRY, null, bytes)).singleElement().satisfies(in -> {
            assertThat(in.failed()).isFalse();
            assertThat(in.telemetry.getDeviceId()).isEqualTo("cam-1");
            assertThat(in.eventTime).isEqualTo(Events.T0);
        });
    }

    @Test
    void badRecordsCarryReasonAndBytes() {
        byte[] json = "{\"deviceId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(decode(Topics.TELEMETRY, null, json)).singleElement().satisfies(in -> {
            assertThat(in.errorCode).isEqualTo("bad-header");
            assertThat(in.value).isEqualTo(json);
            assertThat(in.offset).isEqualTo(42L);
        });
        assertThat(decode(Topics.SECURITY_EVENTS, null, new byte[0])).singleElement()
                .satisfies(in -> assertThat(in.errorCode).isEqualTo("empty"));
        // A telemetry record on the security topic is the wrong type: its schema is unknown to that codec.
        byte[] telemetry = Codecs.TELEMETRY.encode(Events.telemetry("cam-1", Events.T0).build());
        assertThat(decode(Topics.SECURITY_EVENTS, null, telemetry)).singleElement()
                .satisfies(in -> assertThat(in.errorCode).isEqualTo("unknown-schema"));
    }

    @Test
    void advisoryTombstoneRemovesTheAdvisory() {
        assertThat(decode(Topics.ADVISORIES, "FWSA-1".getBytes(StandardCharsets.UTF_8), null)).singleElement()
                .satisfies(in -> assertThat(in.removedAdvisoryId).isEqualTo("FWSA-1"));
        assertThat(decode(Topics.FIRMWARE_CATALOG, "cam-x1".getBytes(StandardCharsets.UTF_8), null)).isEmpty();
    }
}
