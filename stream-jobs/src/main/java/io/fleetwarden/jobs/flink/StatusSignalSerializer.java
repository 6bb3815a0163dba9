package io.fleetwarden.jobs.flink;

import java.io.IOException;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.alerts.StatusSignal;

/** Network serializer of {@link StatusSignal} (per-device operator to device status; millions per benchmark run). */
public final class StatusSignalSerializer extends HandSerializer<StatusSignal> {

    private static final long serialVersionUID = 1L;

    @Override
    public TypeSerializer<StatusSignal> duplicate() {
        return new StatusSignalSerializer();
    }

    @Override
    public StatusSignal createInstance() {
        return new StatusSignal();
    }

    @Override
    public void serialize(StatusSignal s, DataOutputView out) throws IOException {
        writeString(s.key, out);
        writeString(s.tenant, out);
        writeString(s.deviceId, out);
        out.writeLong(s.timestamp);
        writeString(s.model, out);
        writeString(s.region, out);
        writeString(s.firmwareVersion, out);
        writeString(s.brokerId, out);
        writeString(s.sourceAddress, out);
        out.writeByte(s.connected == null ? 0 : s.connected ? 1 : 2);
        out.writeBoolean(s.telemetry);
        out.writeLong(s.certificateNotAfter);
        out.writeLong(s.erasedAt);
    }

    @Override
    public StatusSignal deserialize(DataInputView in) throws IOException {
        StatusSignal s = new StatusSignal();
        s.key = readString(in);
        s.tenant = readSharedString(in);
        s.deviceId = readString(in);
        s.timestamp = in.readLong();
        s.model = readSharedString(in);
        s.region = readSharedString(in);
        s.firmwareVersion = readSharedString(in);
        s.brokerId = readSharedString(in);
        s.sourceAddress = readString(in);
        int connected = in.readUnsignedByte();
        s.connected = connected == 0 ? null : connected == 1;
        s.telemetry = in.readBoolean();
        s.certificateNotAfter = in.readLong();
        s.erasedAt = in.readLong();
        return s;
    }

    @Override
    public TypeSerializerSnapshot<StatusSignal> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StatusSignal> {
        public Snapshot() {
            super(StatusSignalSerializer::new);
        }
    }
}
