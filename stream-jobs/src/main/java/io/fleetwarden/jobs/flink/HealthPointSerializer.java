package io.fleetwarden.jobs.flink;

import java.io.IOException;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.influx.HealthPoint;

/**
 * Network serializer of {@link HealthPoint} (one per telemetry report, to the InfluxDB sink): the
 * generic POJO serializer wrote and rebuilt its three maps through nested map serializers.
 */
public final class HealthPointSerializer extends HandSerializer<HealthPoint> {

    private static final long serialVersionUID = 1L;

    @Override
    public TypeSerializer<HealthPoint> duplicate() {
        return new HealthPointSerializer();
    }

    @Override
    public HealthPoint createInstance() {
        return new HealthPoint();
    }

    @Override
    public void serialize(HealthPoint p, DataOutputView out) throws IOException {
        writeString(p.measurement, out);
        out.writeLong(p.timeNanos);
        writeVarInt(p.tagCount(), out);
        for (int i = 0; i < p.tagCount(); i++) {
            writeString(p.tagKey(i), out);
            writeString(p.tagValue(i), out);
        }
        writeVarInt(p.numberCount(), out);
        for (int i = 0; i < p.numberCount(); i++) {
            writeString(p.numberKey(i), out);
            out.writeDouble(p.numberValue(i));
        }
        writeVarInt(p.stringCount(), out);
        for (int i = 0; i < p.stringCount(); i++) {
            writeString(p.stringKey(i), out);
            writeString(p.stringValue(i), out);
        }
    }

    @Override
    public HealthPoint deserialize(DataInputView in) throws IOException {
        HealthPoint p = new HealthPoint(readString(in), in.readLong());
        for (int i = readVarInt(in); i > 0; i--) {
            p.tag(readSharedString(in), readString(in));
        }
        for (int i = readVarInt(in); i > 0; i--) {
            p.field(readSharedString(in), in.readDouble());
        }
        for (int i = readVarInt(in); i > 0; i--) {
            p.field(readSharedString(in), readString(in));
        }
        return p;
    }

    @Override
    public TypeSerializerSnapshot<HealthPoint> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<HealthPoint> {
        public Snapshot() {
            super(HealthPointSerializer::new);
        }
    }
}
