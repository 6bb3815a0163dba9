package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.DeviceLifecycle;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.UpdateState;

/**
 * Network serializer of {@link DeviceEvent}, the one shuffle every telemetry report crosses: the device
 * key, then a {@link DeviceReport} or a {@link DeviceSecurityEvent}, every field of them. Those records hold
 * exactly what the per-device rules read, so nothing is "projected away" here: a rule that needs another field
 * adds it to the record, and this class stops compiling until it writes it. Flink's generic
 * {@code AvroSerializer} (schema-driven writer/reader, union resolution, logical-type conversions) took about
 * 15 % of the benchmark's CPU for this shuffle. The burst stage receives whole security events
 * ({@link #writeSecurityEvent}, used by {@link SubjectEventSerializer}).
 */
public final class DeviceEventSerializer extends HandSerializer<DeviceEvent> {

    private static final long serialVersionUID = 1L;

    /** Every field of Telemetry, BrokerContext, NetworkConnection, UpdateStatus and SecurityEvent, in schema order. */
    static final List<String> TELEMETRY_FIELDS = List.of("tenant", "deviceId", "model", "region", "deviceTime", "receivedAt",
            "firmwareVersion", "firmwareImageHash", "uptimeSeconds", "cpuPercent", "memoryPercent", "intervalSeconds", "bytesIn",
            "bytesOut", "packetsIn", "packetsOut", "listeningPorts", "connections", "update", "broker", "quarantined");
    static final List<String> BROKER_FIELDS = List.of("brokerId", "sourceAddress", "sourcePort", "tlsProtocol", "tlsCipher",
            "certificateFingerprint", "certificateSerial", "certificateNotAfter", "mqttVersion", "registeredModel",
            "registeredRegion");
    static final List<String> CONNECTION_FIELDS = List.of("remoteAddress", "remotePort", "protocol");
    static final List<String> UPDATE_FIELDS = List.of("state", "targetVersion", "attempt", "failureReason");
    static final List<String> SECURITY_FIELDS = List.of("eventId", "type", "timestamp", "tenant", "deviceId", "claimedClientId",
            "model", "region", "reason", "detail", "topic", "username", "broker", "attributes");

    private static final int NONE = 0;
    private static final int TELEMETRY = 1;
    private static final int SECURITY = 2;
    private static final int ERASURE = 3;
    private static final int LIFECYCLE = 4;
    private static final DeviceEventType[] LIFECYCLE_TYPES = DeviceEventType.values();
    private static final UpdateState[] UPDATE_STATES = UpdateState.values();
    private static final SecurityEventType[] SECURITY_TYPES = SecurityEventType.values();

    @Override
    public TypeSerializer<DeviceEvent> duplicate() {
        return new DeviceEventSerializer();
    }

    @Override
    public DeviceEvent createInstance() {
        return new DeviceEvent();
    }

    @Override
    public void serialize(DeviceEvent e, DataOutputView out) throws IOException {
        writeString(e.key, out);
        if (e.report != null) {
            out.writeByte(TELEMETRY);
            writeReport(e.report, out);
        } else if (e.security != null) {
            out.writeByte(SECURITY);
            writeDeviceSecurityEvent(e.security, out);
        } else if (e.erasedAt != Long.MIN_VALUE) {
            out.writeByte(ERASURE);
            out.writeLong(e.erasedAt);
        } else if (e.lifecycle != null) {
            out.writeByte(LIFECYCLE);
            DeviceLifecycle l = e.lifecycle;
            out.writeByte(l.type().ordinal());
            out.writeLong(l.time());
            writeString(l.tenant(), out);
            writeString(l.deviceId(), out);
            writeString(l.firmwareVersion(), out);
            writeString(l.toVersion(), out);
            writeString(l.updateResult(), out);
        } else {
            out.writeByte(NONE);
        }
    }

    /** The records are immutable: a copy shares them. */
    @Override
    public DeviceEvent copy(DeviceEvent from) {
        if (from == null) {
            return null;
        }
        DeviceEvent e = new DeviceEvent();
        e.key = from.key;
        e.report = from.report;
        e.security = from.security;
        e.erasedAt = from.erasedAt;
        e.lifecycle = from.lifecycle;
        return e;
    }

    @Override
    public DeviceEvent deserialize(DataInputView in) throws IOException {
        DeviceEvent e = new DeviceEvent();
        e.key = readString(in);
        int kind = in.readUnsignedByte();
        if (kind == TELEMETRY) {
            e.report = readReport(in);
        } else if (kind == SECURITY) {
            e.security = readDeviceSecurityEvent(in);
        } else if (kind == ERASURE) {
            e.erasedAt = in.readLong();
        } else if (kind == LIFECYCLE) {
            DeviceEventType type = LIFECYCLE_TYPES[in.readUnsignedByte()];
            long time = in.readLong();
            e.lifecycle = new DeviceLifecycle(type, time, readSharedString(in), readString(in), readSharedString(in),
                    readSharedString(in), readSharedString(in));
        }
        return e;
    }

    private void writeDeviceSecurityEvent(DeviceSecurityEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.type().ordinal());
        out.writeLong(e.timestamp());
        writeString(e.tenant(), out);
        writeString(e.deviceId(), out);
        writeString(e.model(), out);
        writeString(e.region(), out);
        writeString(e.reason(), out);
        writeString(e.brokerId(), out);
        writeString(e.sourceAddress(), out);
    }

    private DeviceSecurityEvent readDeviceSecurityEvent(DataInputView in) throws IOException {
        SecurityEventType type = SECURITY_TYPES[in.readUnsignedByte()];
        long timestamp = in.readLong();
        return new DeviceSecurityEvent(type, timestamp, readSharedString(in), readString(in), readSharedString(in),
                readSharedString(in), readSharedString(in), readSharedString(in), readString(in));
    }

    private void writeReport(DeviceReport r, DataOutputView out) throws IOException {
        writeString(r.tenant(), out);
        writeString(r.deviceId(), out);
        writeString(r.model(), out);
        writeString(r.region(), out);
        out.writeLong(r.deviceTime());
        writeString(r.firmwareVersion(), out);
        writeString(r.firmwareImageHash(), out);
        out.writeInt(r.intervalSeconds());
        out.writeLong(r.bytesOut());
        List<Integer> ports = r.listeningPorts();
        writeVarInt(ports.size(), out);
        // Indexed: the decoded lists are random-access arrays; no iterator per list.
        for (int i = 0, n = ports.size(); i < n; i++) {
            out.writeInt(ports.get(i));
        }
        List<String> destinations = r.destinations();
        writeVarInt(destinations.size(), out);
        for (int i = 0, n = destinations.size(); i < n; i++) {
            writeString(destinations.get(i), out);
        }
        DeviceReport.Update u = r.update();
        out.writeBoolean(u != null);
        if (u != null) {
            out.writeByte(u.state() == null ? 0 : u.state().ordinal() + 1);
            writeString(u.targetVersion(), out);
            out.writeInt(u.attempt());
        }
        writeString(r.brokerId(), out);
        writeString(r.sourceAddress(), out);
        out.writeLong(r.certificateNotAfter());
        out.writeBoolean(r.quarantined());
        out.writeDouble(r.cpuPercent());
        out.writeDouble(r.memoryPercent());
        writeString(r.claimedModel(), out);
        writeString(r.claimedRegion(), out);
    }

    private DeviceReport readReport(DataInputView in) throws IOException {
        String tenant = readSharedString(in);
        String deviceId = readString(in);
        String model = readSharedString(in);
        String region = readSharedString(in);
        long deviceTime = in.readLong();
        String firmwareVersion = readSharedString(in);
        String imageHash = readSharedString(in);
        int interval = in.readInt();
        long bytesOut = in.readLong();
        int n = readVarInt(in);
        List<Integer> ports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ports.add(in.readInt());
        }
        n = readVarInt(in);
        List<String> destinations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            destinations.add(readString(in));
        }
        DeviceReport.Update update = null;
        if (in.readBoolean()) {
            int state = in.readUnsignedByte();
            update = new DeviceReport.Update(state == 0 ? null : UPDATE_STATES[state - 1], readSharedString(in), in.readInt());
        }
        String brokerId = readSharedString(in);
        String sourceAddress = readString(in);
        long notAfter = in.readLong();
        boolean quarantined = in.readBoolean();
        double cpu = in.readDouble();
        double memory = in.readDouble();
        String claimedModel = readSharedString(in);
        String claimedRegion = readSharedString(in);
        return new DeviceReport(tenant, deviceId, model, region, deviceTime, firmwareVersion, imageHash, interval, bytesOut, ports,
                destinations, update, brokerId, sourceAddress, notAfter, quarantined, cpu, memory, claimedModel, claimedRegion);
    }

    private void writeBroker(BrokerContext b, DataOutputView out) throws IOException {
        out.writeBoolean(b != null);
        if (b != null) {
            writeString(b.getBrokerId(), out);
            writeString(b.getSourceAddress(), out);
            out.writeBoolean(b.getSourcePort() != null);
            if (b.getSourcePort() != null) {
                out.writeInt(b.getSourcePort());
            }
            writeString(b.getTlsProtocol(), out);
            writeString(b.getTlsCipher(), out);
            writeString(b.getCertificateFingerprint(), out);
            writeString(b.getCertificateSerial(), out);
            writeInstant(b.getCertificateNotAfter(), out);
            writeString(b.getMqttVersion(), out);
            writeString(b.getRegisteredModel(), out);
            writeString(b.getRegisteredRegion(), out);
        }
    }

    private BrokerContext readBroker(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        BrokerContext b = new BrokerContext();
        b.setBrokerId(readSharedString(in));
        b.setSourceAddress(readString(in));
        if (in.readBoolean()) {
            b.setSourcePort(in.readInt());
        }
        b.setTlsProtocol(readSharedString(in));
        b.setTlsCipher(readSharedString(in));
        b.setCertificateFingerprint(readString(in));
        b.setCertificateSerial(readString(in));
        b.setCertificateNotAfter(readInstant(in));
        b.setMqttVersion(readSharedString(in));
        b.setRegisteredModel(readSharedString(in));
        b.setRegisteredRegion(readSharedString(in));
        return b;
    }

    /** Every field of the SecurityEvent schema, in schema order ({@link #SECURITY_FIELDS}): the burst stage's whole events. */
    void writeSecurityEvent(SecurityEvent e, DataOutputView out) throws IOException {
        writeString(e.getEventId(), out);
        out.writeByte(e.getType() == null ? 0 : e.getType().ordinal() + 1);
        writeInstant(e.getTimestamp(), out);
        writeString(e.getTenant(), out);
        writeString(e.getDeviceId(), out);
        writeString(e.getClaimedClientId(), out);
        writeString(e.getModel(), out);
        writeString(e.getRegion(), out);
        writeString(e.getReason(), out);
        writeString(e.getDetail(), out);
        writeString(e.getTopic(), out);
        writeString(e.getUsername(), out);
        writeBroker(e.getBroker(), out);
        Map<String, String> attributes = e.getAttributes();
        writeVarInt(attributes == null ? 0 : attributes.size() + 1, out);
        if (attributes != null) {
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                writeString(a.getKey(), out);
                writeString(a.getValue(), out);
            }
        }
    }

    SecurityEvent readSecurityEvent(DataInputView in) throws IOException {
        SecurityEvent e = new SecurityEvent();
        e.setEventId(readString(in));
        int type = in.readUnsignedByte();
        e.setType(type == 0 ? null : SECURITY_TYPES[type - 1]);
        e.setTimestamp(readInstant(in));
        e.setTenant(readSharedString(in));
        e.setDeviceId(readString(in));
        e.setClaimedClientId(readString(in));
        e.setModel(readSharedString(in));
        e.setRegion(readSharedString(in));
        e.setReason(readSharedString(in));
        e.setDetail(readString(in));
        e.setTopic(readString(in));
        e.setUsername(readString(in));
        e.setBroker(readBroker(in));
        int attributes = readVarInt(in);
        if (attributes > 0) {
            Map<String, String> map = new HashMap<>();
            for (int i = 1; i < attributes; i++) {
                map.put(readString(in), readString(in));
            }
            e.setAttributes(map);
        }
        return e;
    }

    /** Millisecond precision, as the schema's timestamp-millis. */
    private static void writeInstant(Instant i, DataOutputView out) throws IOException {
        out.writeBoolean(i != null);
        if (i != null) {
            out.writeLong(i.toEpochMilli());
        }
    }

    private static Instant readInstant(DataInputView in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochMilli(in.readLong()) : null;
    }

    @Override
    public TypeSerializerSnapshot<DeviceEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot of the (stateless) serializer. It is also the serializer of device-detectors' {@code held-ahead-queue} keyed state
     * (security events waiting for the watermark, empty unless the sources are read far apart): a change of this format
     * needs a new snapshot version that reads the old one, or a restored job cannot read the events it held.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeviceEvent> {
        public Snapshot() {
            super(DeviceEventSerializer::new);
        }
    }
}
