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
        writeBody(o, out);
    }

    @Override
    public PeerObservation deserialize(DataInputView in) throws IOException {
        String tenant = readSharedString(in);
        String model = readSharedString(in);
        return readBody(tenant, model, in);
    }

    /** Everything but tenant and model: device id, time, outbound rate, listening ports, closed minute, resources, region, closed hour (also {@link PeerBatch}'s encoding). */
    void writeBody(PeerObservation o, DataOutputView out) throws IOException {
        writeString(o.deviceId, out);
        out.writeLong(o.timestamp);
        out.writeDouble(o.bytesOutPerSecond);
        List<Integer> ports = o.listeningPorts;
        writeVarInt(ports == null ? 0 : ports.size() + 1, out);
        if (ports != null) {
            for (int i = 0, n = ports.size(); i < n; i++) {
                out.writeInt(ports.get(i));
            }
        }
        writeVarInt(o.messagesPerMinute + 1, out);
        out.writeByte((o.ownRateReady ? 1 : 0) | (o.teachesPeers ? 2 : 0) | (o.trafficOwnKnown ? 4 : 0) | (o.trafficOwnHigh ? 8 : 0));
        out.writeDouble(o.cpuPercent);
        out.writeDouble(o.memoryPercent);
        out.writeByte(o.resourcesOwn);
        writeString(o.region, out); // shared on reading: one string per region
        boolean hour = o.hourStart != Long.MIN_VALUE;
        out.writeBoolean(hour);
        if (hour) { // once per device-hour
            out.writeLong(o.hourStart);
            out.writeDouble(o.hourBytesOut);
        }
    }

    /** Reads what {@link #writeBody} wrote, for an observation of {@code tenant}'s {@code model}. */
    PeerObservation readBody(String tenant, String model, DataInputView in) throws IOException {
        PeerObservation o = new PeerObservation();
        o.tenant = tenant;
        o.model = model;
        o.deviceId = readString(in);
        o.timestamp = in.readLong();
        o.bytesOutPerSecond = in.readDouble();
        int ports = readVarInt(in);
        o.listeningPorts = ports == 0 ? null : new ArrayList<>(ports - 1);
        for (int i = 1; i < ports; i++) {
            o.listeningPorts.add(in.readInt());
        }
        o.messagesPerMinute = readVarInt(in) - 1;
        int flags = in.readByte();
        o.ownRateReady = (flags & 1) != 0;
        o.teachesPeers = (flags & 2) != 0;
        o.trafficOwnKnown = (flags & 4) != 0;
        o.trafficOwnHigh = (flags & 8) != 0;
        o.cpuPercent = in.readDouble();
        o.memoryPercent = in.readDouble();
        o.resourcesOwn = in.readByte();
        o.region = readSharedString(in);
        if (in.readBoolean()) {
            o.hourStart = in.readLong();
            o.hourBytesOut = in.readDouble();
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
