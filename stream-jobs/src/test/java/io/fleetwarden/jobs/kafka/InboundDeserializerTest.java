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

    static final long SKEW = 120_000;

    private static Inbound telemetry(long deviceTime, long receivedAt) {
        byte[] bytes = Codecs.TELEMETRY.encode(Events.telemetry("cam-1", deviceTime)
                .setReceivedAt(java.time.Instant.ofEpochMilli(receivedAt)).build());
        return decode(Topics.TELEMETRY, null, bytes).get(0);
    }

    @Test
    void aDeviceTimeInsideTheWindowIsTheEventTimeUnchanged() {
        for (long behind : new long[] {0, 1, SKEW}) {
            Inbound in = telemetry(Events.T0 - behind, Events.T0);
            assertThat(in.eventTime).isEqualTo(Events.T0 - behind);
            assertThat(in.clamped()).isFalse();
            assertThat(in.telemetry.getDeviceTime().toEpochMilli()).isEqualTo(Events.T0 - behind);
        }
    }

    @Test
    void eventTimeNeverExceedsBrokerTimeWhateverTheDeviceSays() {
        for (long ahead : new long[] {1, SKEW, SKEW + 1, Events.DAY, 365 * Events.DAY}) {
            Inbound in = telemetry(Events.T0 + ahead, Events.T0);
            assertThat(in.eventTime).as("device %d ms ahead", ahead).isEqualTo(Events.T0);
            // The job's copy runs on the bounded time; the claim is kept on the Inbound.
            assertThat(in.telemetry.getDeviceTime().toEpochMilli()).isEqualTo(Events.T0);
            assertThat(in.clampedDeviceTime).isEqualTo(Events.T0 + ahead);
        }
    }

    @Test
    void eventTimeNeverFallsBehindBrokerTimeByMoreThanTheWindow() {
        for (long behind : new long[] {SKEW + 1, Events.DAY, Events.T0}) {
            Inbound in = telemetry(Events.T0 - behind, Events.T0);
            assertThat(in.eventTime).as("device %d ms behind", behind).isEqualTo(Events.T0 - SKEW);
            assertThat(in.clampedDeviceTime).isEqualTo(Events.T0 - behind);
        }
    }

    @Test
    void lifecycleEventsAreDecodedWithTheirTimeBoundedByBrokerTime() {
        for (long claimed : new long[] {Events.T0 - 1000, Events.T0 + Events.DAY, Events.T0 - Events.DAY}) {
            var e = io.fleetwarden.jobs.detect.Lifecycles.event("cam-1", io.fleetwarden.model.DeviceEventType.BOOT, claimed)
                    .setReceivedAt(java.time.Instant.ofEpochMilli(Events.T0)).build();
            byte[] bytes = Codecs.DEVICE_EVENT.encode(e);
            long expected = Math.max(Events.T0 - SKEW, Math.min(Events.T0, claimed));
            assertThat(decode(Topics.DEVICE_EVENTS, null, bytes)).singleElement().satisfies(in -> {
                assertThat(in.failed()).isFalse();
                assertThat(in.deviceEvent.getDeviceId()).isEqualTo("cam-1");
                assertThat(in.eventTime).as("claimed %d", claimed).isEqualTo(expected);
                assertThat(in.deviceEvent.getDeviceTime().toEpochMilli()).isEqualTo(expected);
                assertThat(in.clamped()).isEqualTo(expected != claimed);
            });
        }
        assertThat(decode(Topics.DEVICE_EVENTS, null, new byte[] {1, 2, 3})).singleElement()
                .satisfies(in -> assertThat(in.failed()).as("a corrupt lifecycle event is a dead letter").isTrue());
    }

    @Test
    void securityEventsKeepTheBrokerTimestampAndTheirBytes() {
        byte[] bytes = Codecs.SECURITY_EVENT.encode(Events.authFailure("x", "203.0.113.1", Events.T0));
        assertThat(decode(Topics.SECURITY_EVENTS, null, bytes)).singleElement().satisfies(in -> {
            assertThat(in.eventTime).isEqualTo(Events.T0);
            assertThat(in.value).isEqualTo(bytes);
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
