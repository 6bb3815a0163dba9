package io.fleetwarden.jobs.flink;

import java.io.IOException;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.SecuritySubject;

/** Network serializer of {@link SubjectEvent} (security events to the burst stage), with the security-event writer of {@link DeviceEventSerializer}. */
public final class SubjectEventSerializer extends HandSerializer<SubjectEvent> {

    private static final long serialVersionUID = 1L;
    private static final SecuritySubject.Kind[] KINDS = SecuritySubject.Kind.values();

    /** Reads the security event (its string scratch buffer); never shared between threads, see duplicate(). */
    private final DeviceEventSerializer events = new DeviceEventSerializer();

    @Override
    public TypeSerializer<SubjectEvent> duplicate() {
        return new SubjectEventSerializer();
    }

    @Override
    public SubjectEvent createInstance() {
        return new SubjectEvent();
    }

    @Override
    public void serialize(SubjectEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.kind == null ? 0 : e.kind.ordinal() + 1);
        writeString(e.tenant, out);
        writeString(e.id, out);
        writeString(e.key, out);
        out.writeBoolean(e.event != null);
        if (e.event != null) {
            events.writeSecurityEvent(e.event, out);
        }
    }

    @Override
    public SubjectEvent deserialize(DataInputView in) throws IOException {
        SubjectEvent e = new SubjectEvent();
        int kind = in.readUnsignedByte();
        e.kind = kind == 0 ? null : KINDS[kind - 1];
        e.tenant = readString(in);
        e.id = readString(in);
        e.key = readString(in);
        if (in.readBoolean()) {
            e.event = events.readSecurityEvent(in);
        }
        return e;
    }

    @Override
    public TypeSerializerSnapshot<SubjectEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SubjectEvent> {
        public Snapshot() {
            super(SubjectEventSerializer::new);
        }
    }
}
