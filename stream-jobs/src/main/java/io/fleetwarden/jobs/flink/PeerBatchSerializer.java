package io.fleetwarden.jobs.flink;

import java.io.IOException;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.PeerObservation;

/**
 * Network serializer of {@link PeerBatch}: tenant and model once, then the observations as the batch encoded
 * them (per observation the device id, time, outbound rate and listening ports: every field of
 * {@link PeerObservation}) in one bulk copy.
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
        writeVarInt(b.count, out);
        writeVarInt(b.encoded.length(), out);
        out.write(b.encoded.getSharedBuffer(), 0, b.encoded.length());
    }

    @Override
    public PeerBatch deserialize(DataInputView in) throws IOException {
        PeerBatch b = new PeerBatch();
        b.tenant = readSharedString(in);
        b.model = readSharedString(in);
        int count = readVarInt(in);
        int length = readVarInt(in);
        b.readEncoded(in, count, length);
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
