package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
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
        DeviceStateSerializer v1 = serializer.withFormat(DeviceStateSerializer.FORMAT_V1);
        DeviceState s = new DeviceState(serializer.names());
        s.statusDisconnected = true;
        DataOutputSerializer out = new DataOutputSerializer(256);
        v1.serialize(s, out);
        byte[] bytes = out.getCopyOfBuffer();
        // timer, lastEvent, statusSentAt (three longs), then the flags byte: as the old writeBoolean(true) wrote it
        assertThat(bytes[24]).isEqualTo((byte) 1);
        DeviceState back = v1.deserialize(new DataInputDeserializer(bytes));
        assertThat(back.statusDisconnected).isTrue();
        assertThat(back.heldAhead).isFalse();
    }

    /** Every time field round-trips in the compact layout, set or not, near each other or as far apart as longs go. */
    @Test
    void theTimesRoundTripHoweverFarApart() throws Exception {
        long[] values = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, 63, 64, 1_765_000_000_000L, 1_765_000_300_000L,
                Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long lastEvent : values) {
            for (long other : values) {
                DeviceState s = new DeviceState(serializer.names());
                s.lastEvent = lastEvent;
                s.timer = other;
                s.statusSentAt = other == Long.MAX_VALUE ? lastEvent : other;
                s.lastReport = other == 0 ? Long.MIN_VALUE : other;
                DeviceState back = roundTrip(s);
                assertThat(back.lastEvent).isEqualTo(s.lastEvent);
                assertThat(back.timer).isEqualTo(s.timer);
                assertThat(back.statusSentAt).isEqualTo(s.statusSentAt);
                assertThat(back.lastReport).isEqualTo(s.lastReport);
                assertThat(serializer.copy(s).lastReport).isEqualTo(s.lastReport);
            }
        }
    }

    /**
     * A savepoint of an earlier release (snapshot version 1: three longs) restores a serializer that reads that layout, and
     * the current serializer asks Flink to migrate it (read with the old, written with the new); the compact layout is
     * smaller although it keeps one time more.
     */
    @Test
    void aVersionOneStateIsReadInItsLayoutAndMigrated() throws Exception {
        DeviceStateSerializer v1 = serializer.withFormat(DeviceStateSerializer.FORMAT_V1);
        DeviceState s = new DeviceState(serializer.names());
        s.lastEvent = 1_765_000_030_000L;
        s.timer = s.lastEvent + 300_000;
        s.statusSentAt = s.lastEvent - 270_000;
        s.heldAhead = true;
        s.statusModel = "cam-x200";
        DataOutputSerializer old = new DataOutputSerializer(256);
        v1.serialize(s, old);

        DataOutputSerializer snap = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(snap, v1.snapshotConfiguration());
        TypeSerializerSnapshot<DeviceState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.getCurrentVersion()).isEqualTo(DeviceStateSerializer.FORMAT_V1);
        assertThat(restored.restoreSerializer()).isEqualTo(v1).isNotEqualTo(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAfterMigration()).isTrue();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(serializer.snapshotConfiguration())
                .isCompatibleAsIs()).isTrue();

        DeviceState back = restored.restoreSerializer().deserialize(new DataInputDeserializer(old.getCopyOfBuffer()));
        assertThat(back.lastEvent).isEqualTo(s.lastEvent);
        assertThat(back.timer).isEqualTo(s.timer);
        assertThat(back.statusSentAt).isEqualTo(s.statusSentAt);
        assertThat(back.lastReport).as("not kept before version 2").isEqualTo(Long.MIN_VALUE);
        assertThat(back.heldAhead).isTrue();
        assertThat(back.statusModel).isEqualTo("cam-x200");

        back.lastReport = s.lastEvent - 30_000;
        DataOutputSerializer now = new DataOutputSerializer(256);
        serializer.serialize(back, now);
        assertThat(now.length()).as("three times in 8 bytes less, with the newest report's time").isLessThanOrEqualTo(old.length() - 5);
        DeviceState again = roundTrip(back);
        assertThat(again.lastReport).isEqualTo(back.lastReport);
        assertThat(again.timer).isEqualTo(s.timer);
    }
}
