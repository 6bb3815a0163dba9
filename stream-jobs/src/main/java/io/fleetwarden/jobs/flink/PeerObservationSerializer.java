package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.util.ArrayList;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.PeerObservation;

/** Network serializer of {@link PeerObservation} (one per telemetry report, to the model-peer stage). */
public final class PeerObservationSerializer extends HandSerializer<PeerObservation> {

    private static final long serialVersionUID = 1L;

    @Override
    public TypeSerializer<PeerObservation> duplicate() {
        return new PeerObservationSerializer();
    }

    @Override
    public PeerObservation createInstance() {
        return new PeerObservation();
    }

    @Override
    public void serialize(PeerObservation o, DataOutputView out) throws IOException {
        writeString(o.tenant, out);
        writeString(o.model, out);
        writeString(o.deviceId, out);
        out.writeLong(o.timestamp);
        out.writeDouble(o.bytesOutPerSecond);
        writeVarInt(o.listeningPorts == null ? 0 : o.listeningPorts.size() + 1, out);
        if (o.listeningPorts != null) {
            for (Integer p : o.listeningPorts) {
                out.writeInt(p);
            }
        }
    }

    @Override
    public PeerObservation deserialize(DataInputView in) throws IOException {
        PeerObservation o = new PeerObservation();
        o.tenant = readSharedString(in);
        o.model = readSharedString(in);
        o.deviceId = readString(in);
        o.timestamp = in.readLong();
        o.bytesOutPerSecond = in.readDouble();
        int ports = readVarInt(in);
        o.listeningPorts = ports == 0 ? null : new ArrayList<>(ports - 1);
        for (int i = 1; i < ports; i++) {
            o.listeningPorts.add(in.readInt());
        }
        return o;
    }

    @Override
    public TypeSerializerSnapshot<PeerObservation> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PeerObservation> {
        public Snapshot() {
            super(PeerObservationSerializer::new);
        }
    }
}
