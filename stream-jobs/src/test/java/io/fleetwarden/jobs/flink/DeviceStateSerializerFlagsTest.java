package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The device state's two flags share the byte {@code statusDisconnected} had alone: each round-trips, and a state written
 * before the read-ahead flag existed (0 or 1 there) reads with it unset.
 */
class DeviceStateSerializerFlagsTest {

    private final DeviceStateSerializer serializer = DeviceStateSerializer.of(DeviceRules.standard(DetectionConfig.defaults()));

    private DeviceState roundTrip(DeviceState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void bothFlagsRoundTripInOneByte() throws Exception {
        for (boolean disconnected : new boolean[] {false, true}) {
            for (boolean held : new boolean[] {false, true}) {
                DeviceState s = new DeviceState(serializer.names());
                s.statusDisconnected = disconnected;
                s.heldAhead = held;
                DeviceState back = roundTrip(s);
                assertThat(back.statusDisconnected).isEqualTo(disconnected);
                assertThat(back.heldAhead).isEqualTo(held);
                assertThat(serializer.copy(s).heldAhead).isEqualTo(held);
            }
        }
    }

    @Test
    void aStateWrittenBeforeTheReadAheadFlagReadsWithItUnset() throws Exception {
        DeviceState s = new DeviceState(serializer.names());
        s.statusDisconnected = true;
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        byte[] bytes = out.getCopyOfBuffer();
        // timer, lastEvent, statusSentAt (three longs), then the flags byte: as the old writeBoolean(true) wrote it
        assertThat(bytes[24]).isEqualTo((byte) 1);
        DeviceState back = serializer.deserialize(new DataInputDeserializer(bytes));
        assertThat(back.statusDisconnected).isTrue();
        assertThat(back.heldAhead).isFalse();
    }
}
