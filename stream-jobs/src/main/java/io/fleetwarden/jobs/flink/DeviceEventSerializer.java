package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.specific.SpecificData;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * Network serializer of {@link DeviceEvent}, the one shuffle every telemetry report crosses: the device
 * key, then a telemetry report or a verified security event with the fields the per-device detectors
 * read. Flink's generic {@code AvroSerializer} (schema-driven writer/reader, union resolution,
 * logical-type conversions) took about 15 % of the benchmark's CPU for this shuffle.
 *
 * <p><b>Records are projected</b>: the fields in the {@code *_NOT_SENT} sets (for telemetry: device health
 * figures, packet counters, TLS parameters, certificate fingerprint and serial, connection ports and
 * protocols, the update's failure text; for security events: event id, claimed client id, detail, topic,
 * username, attributes, TLS parameters) are read by no rule of {@link DeviceFunction}; they arrive there as
 * absent (0, null). They are not lost: InfluxDB's {@code device_health} point is built from the whole
 * record in the telemetry input's own chain, before this shuffle, and the burst stage receives whole
 * security events ({@link #writeSecurityEvent}, used by {@link SubjectEventSerializer}).
 * {@code DeviceEventProjectionTest} runs the per-device operator over random streams of whole and
 * projected records and requires identical output; {@code HandSerializerTest} fails when the event-model
 * schema gains a field this class neither writes nor lists as not sent.
 */
public final class DeviceEventSerializer extends HandSerializer<DeviceEvent> {

    private static final long serialVersionUID = 1L;

    /** Every field of Telemetry, BrokerContext, NetworkConnection, UpdateStatus and SecurityEvent, in schema order. */
    static final List<String> TELEMETRY_FIELDS = List.of("tenant", "deviceId", "model", "region", "deviceTime", "receivedAt",
            "firmwareVersion", "firmwareImageHash", "uptimeSeconds", "cpuPercent", "memoryPercent", "intervalSeconds", "bytesIn",
            "bytesOut", "packetsIn", "packetsOut", "listeningPorts", "connections", "update", "broker", "quarantined");
    static final List<String> BROKER_FIELDS = List.of("brokerId", "sourceAddress", "sourcePort", "tlsProtocol", "tlsCipher",
            "certificateFingerprint", "certificateSerial", "certificateNotAfter", "mqttVersion");
    static final List<String> CONNECTION_FIELDS = List.of("remoteAddress", "remotePort", "protocol");
    static final List<String> UPDATE_FIELDS = List.of("state", "targetVersion", "attempt", "failureReason");
    static final List<String> SECURITY_FIELDS = List.of("eventId", "type", "timestamp", "tenant", "deviceId", "claimedClientId",
            "model", "region", "reason", "detail", "topic", "username", "broker", "attributes");

    /** Telemetry fields no per-device rule reads: not sent (absent on the receiving side). */
    static final Set<String> TELEMETRY_NOT_SENT = Set.of("receivedAt", "uptimeSeconds", "cpuPercent", "memoryPercent", "bytesIn",
            "packetsIn", "packetsOut");
    /** Broker fields of a telemetry report not sent. */
    static final Set<String> TELEMETRY_BROKER_NOT_SENT = Set.of("sourcePort", "tlsProtocol", "tlsCipher", "certificateFingerprint",
            "certificateSerial", "mqttVersion");
    static final Set<String> CONNECTION_NOT_SENT = Set.of("remotePort", "protocol");
    static final Set<String> UPDATE_NOT_SENT = Set.of("failureReason");
    /** Security event fields the per-device rules do not read (the burst stage gets whole events, see SubjectEventSerializer). */
    static final Set<String> SECURITY_NOT_SENT = Set.of("eventId", "claimedClientId", "detail", "topic", "username", "attributes");
    static final Set<String> SECURITY_BROKER_NOT_SENT = Set.of("sourcePort", "tlsProtocol", "tlsCipher", "certificateFingerprint",
            "certificateSerial", "certificateNotAfter", "mqttVersion");

    private static final int NONE = 0;
    private static final int TELEMETRY = 1;
    private static final int SECURITY = 2;
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
        if (e.telemetry != null) {
            out.writeByte(TELEMETRY);
            writeTelemetry(e.telemetry, out);
        } else if (e.security != null) {
            out.writeByte(SECURITY);
            writeDeviceSecurityEvent(e.security, out);
        } else {
            out.writeByte(NONE);
        }
    }

    /** A deep copy of the whole records (not the projection: a copy is not a trip over the network). */
    @Override
    public DeviceEvent copy(DeviceEvent from) {
        if (from == null) {
            return null;
        }
        DeviceEvent e = new DeviceEvent();
        e.key = from.key;
        // deepCopy, not a builder: a builder would refuse a projected record's absent required fields.
        e.telemetry = from.telemetry == null ? null : SpecificData.get().deepCopy(Telemetry.getClassSchema(), from.telemetry);
        e.security = from.security == null ? null : SpecificData.get().deepCopy(SecurityEvent.getClassSchema(), from.security);
        return e;
    }

    @Override
    public DeviceEvent deserialize(DataInputView in) throws IOException {
        DeviceEvent e = new DeviceEvent();
        e.key = readString(in);
        int kind = in.readUnsignedByte();
        if (kind == TELEMETRY) {
            e.telemetry = readTelemetry(in);
        } else if (kind == SECURITY) {
            e.security = readDeviceSecurityEvent(in);
        }
        return e;
    }

    /** A security event's fields not in {@link #SECURITY_NOT_SENT} / {@link #SECURITY_BROKER_NOT_SENT}, in schema order. */
    private void writeDeviceSecurityEvent(SecurityEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.getType() == null ? 0 : e.getType().ordinal() + 1);
        writeInstant(e.getTimestamp(), out);
        writeString(e.getTenant(), out);
        writeString(e.getDeviceId(), out);
        writeString(e.getModel(), out);
        writeString(e.getRegion(), out);
        writeString(e.getReason(), out);
        BrokerContext b = e.getBroker();
        out.writeBoolean(b != null);
        if (b != null) {
            writeString(b.getBrokerId(), out);
            writeString(b.getSourceAddress(), out);
        }
    }

    private SecurityEvent readDeviceSecurityEvent(DataInputView in) throws IOException {
        SecurityEvent e = new SecurityEvent();
        int type = in.readUnsignedByte();
        e.setType(type == 0 ? null : SECURITY_TYPES[type - 1]);
        e.setTimestamp(readInstant(in));
        e.setTenant(readSharedString(in));
        e.setDeviceId(readString(in));
        e.setModel(readSharedString(in));
        e.setRegion(readSharedString(in));
        e.setReason(readSharedString(in));
        if (in.readBoolean()) {
            BrokerContext b = new BrokerContext();
            b.setBrokerId(readSharedString(in));
            b.setSourceAddress(readString(in));
            e.setBroker(b);
        }
        return e;
    }

    /** The fields not in the {@code *_NOT_SENT} sets, in schema order. */
    private void writeTelemetry(Telemetry t, DataOutputView out) throws IOException {
        writeString(t.getTenant(), out);
        writeString(t.getDeviceId(), out);
        writeString(t.getModel(), out);
        writeString(t.getRegion(), out);
        writeInstant(t.getDeviceTime(), out);
        writeString(t.getFirmwareVersion(), out);
        writeString(t.getFirmwareImageHash(), out);
        out.writeInt(t.getIntervalSeconds());
        out.writeLong(t.getBytesOut());
        List<Integer> ports = t.getListeningPorts();
        writeVarInt(ports == null ? 0 : ports.size() + 1, out);
        if (ports != null) {
            // Indexed: the decoded lists are random-access arrays; no iterator per list.
            for (int i = 0, n = ports.size(); i < n; i++) {
                out.writeInt(ports.get(i));
            }
        }
        List<NetworkConnection> connections = t.getConnections();
        writeVarInt(connections == null ? 0 : connections.size() + 1, out);
        if (connections != null) {
            for (int i = 0, n = connections.size(); i < n; i++) {
                writeString(connections.get(i).getRemoteAddress(), out);
            }
        }
        UpdateStatus u = t.getUpdate();
        out.writeBoolean(u != null);
        if (u != null) {
            out.writeByte(u.getState() == null ? 0 : u.getState().ordinal() + 1);
            writeString(u.getTargetVersion(), out);
            out.writeInt(u.getAttempt());
        }
        BrokerContext b = t.getBroker();
        out.writeBoolean(b != null);
        if (b != null) {
            writeString(b.getBrokerId(), out);
            writeString(b.getSourceAddress(), out);
            writeInstant(b.getCertificateNotAfter(), out);
        }
        out.writeBoolean(t.getQuarantined());
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

    private Telemetry readTelemetry(DataInputView in) throws IOException {
        Telemetry t = new Telemetry();
        t.setTenant(readSharedString(in));
        t.setDeviceId(readString(in));
        t.setModel(readSharedString(in));
        t.setRegion(readSharedString(in));
        t.setDeviceTime(readInstant(in));
        t.setFirmwareVersion(readSharedString(in));
        t.setFirmwareImageHash(readSharedString(in));
        t.setIntervalSeconds(in.readInt());
        t.setBytesOut(in.readLong());
        int ports = readVarInt(in);
        if (ports > 0) {
            List<Integer> list = new ArrayList<>(ports - 1);
            for (int i = 1; i < ports; i++) {
                list.add(in.readInt());
            }
            t.setListeningPorts(list);
        }
        int connections = readVarInt(in);
        if (connections > 0) {
            List<NetworkConnection> list = new ArrayList<>(connections - 1);
            for (int i = 1; i < connections; i++) {
                NetworkConnection c = new NetworkConnection();
                c.setRemoteAddress(readString(in));
                list.add(c);
            }
            t.setConnections(list);
        }
        if (in.readBoolean()) {
            UpdateStatus u = new UpdateStatus();
            int state = in.readUnsignedByte();
            u.setState(state == 0 ? null : UPDATE_STATES[state - 1]);
            u.setTargetVersion(readSharedString(in));
            u.setAttempt(in.readInt());
            t.setUpdate(u);
        }
        if (in.readBoolean()) {
            BrokerContext b = new BrokerContext();
            b.setBrokerId(readSharedString(in));
            b.setSourceAddress(readString(in));
            b.setCertificateNotAfter(readInstant(in));
            t.setBroker(b);
        }
        t.setQuarantined(in.readBoolean());
        return t;
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

    /** Snapshot of the (stateless) serializer; it is never used for keyed state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeviceEvent> {
        public Snapshot() {
            super(DeviceEventSerializer::new);
        }
    }
}
