package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.PeerObservation;

/**
 * Network serializer of {@link PeerBatch}: tenant and model once, then per observation the device id, time,
 * outbound rate and listening ports (every field of {@link PeerObservation}).
 */
public final class PeerBatchSerializer extends HandSerializer<PeerBatch> {

    private static final long serialVersionUID = 1L;

    @Override
    public TypeSerializer<PeerBatch> duplicate() {
        return new PeerBatchSerializer();
    }

    @Override
    public PeerBatch createInstance() {
        return new PeerBatch();
    }

    @Override
    public void serialize(PeerBatch b, DataOutputView out) throws IOException {
        writeString(b.tenant, out);
        writeString(b.model, out);
        writeVarInt(b.observations.size(), out);
        for (PeerObservation o : b.observations) {
            writeString(o.deviceId, out);
            out.writeLong(o.timestamp);
            out.writeDouble(o.bytesOutPerSecond);
            List<Integer> ports = o.listeningPorts;
            writeVarInt(ports == null ? 0 : ports.size() + 1, out);
            if (ports != null) {
                for (Integer p : ports) {
                    out.writeInt(p);
                }
            }
        }
    }

    @Override
    public PeerBatch deserialize(DataInputView in) throws IOException {
        PeerBatch b = new PeerBatch();
        b.tenant = readSharedString(in);
        b.model = readSharedString(in);
        int n = readVarInt(in);
        b.observations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PeerObservation o = new PeerObservation();
            o.tenant = b.tenant;
            o.model = b.model;
            o.deviceId = readString(in);
            o.timestamp = in.readLong();
            o.bytesOutPerSecond = in.readDouble();
            int ports = readVarInt(in);
            o.listeningPorts = ports == 0 ? null : new ArrayList<>(ports - 1);
            for (int p = 1; p < ports; p++) {
                o.listeningPorts.add(in.readInt());
            }
            b.observations.add(o);
        }
        return b;
    }

    @Override
    public TypeSerializerSnapshot<PeerBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PeerBatch> {
        public Snapshot() {
            super(PeerBatchSerializer::new);
        }
    }
}
