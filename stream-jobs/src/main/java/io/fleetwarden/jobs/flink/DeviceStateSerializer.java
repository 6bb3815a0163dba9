package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import io.fleetwarden.jobs.detect.DeviceRule;
import io.fleetwarden.jobs.detect.DeviceRules;

/**
 * Keyed-state serializer of {@link DeviceState}: the operator's own fields, then each rule's state with that
 * rule's own Flink serializer (a POJO serializer for the rule's {@link DeviceRule#stateClass()}). The snapshot
 * keeps every rule's name and its serializer's snapshot, so a restore with rules added, removed or reordered keeps
 * each remaining rule's state (by name; a rule's POJO evolves as Flink's POJO serializer allows), and a new rule
 * starts empty.
 */
public final class DeviceStateSerializer extends TypeSerializer<DeviceState> {

    private static final long serialVersionUID = 1L;

    /** The layout this release writes ({@link Snapshot} version 2): event times as var-long deltas from {@code lastEvent}. */
    static final int FORMAT = 2;
    /** Version 1: {@code timer}, {@code lastEvent}, {@code statusSentAt} as three longs, then the flags byte; no {@code lastReport}. */
    static final int FORMAT_V1 = 1;

    private static final int DISCONNECTED = 1;
    private static final int HELD_AHEAD = 2;
    private static final int HAS_LAST_EVENT = 4;
    private static final int HAS_TIMER = 8;
    private static final int HAS_STATUS_SENT = 16;
    private static final int HAS_LAST_REPORT = 32;

    private final String[] names;
    private final TypeSerializer<Object>[] nested;
    /** The layout read and written: {@link #FORMAT}, or {@link #FORMAT_V1} for a state restored from a version-1 snapshot. */
    private final int format;

    DeviceStateSerializer(String[] names, TypeSerializer<Object>[] nested) {
        this(names, nested, FORMAT);
    }

    DeviceStateSerializer(String[] names, TypeSerializer<Object>[] nested, int format) {
        if (format != FORMAT && format != FORMAT_V1) {
            throw new IllegalArgumentException("unknown device state format " + format);
        }
        this.names = names;
        this.nested = nested;
        this.format = format;
    }

    /** The serializer for {@code rules}, their state serializers created from their state classes. */
    @SuppressWarnings("unchecked")
    public static DeviceStateSerializer of(DeviceRules rules) {
        List<DeviceRule<?>> all = rules.all();
        TypeSerializer<Object>[] nested = new TypeSerializer[all.size()];
        SerializerConfig config = new SerializerConfigImpl();
        for (int i = 0; i < all.size(); i++) {
            nested[i] = (TypeSerializer<Object>) TypeInformation.of(all.get(i).stateClass()).createSerializer(config);
        }
        return new DeviceStateSerializer(rules.names(), nested);
    }

    /** This serializer in another layout (tests: a state written by an earlier release). */
    DeviceStateSerializer withFormat(int layout) {
        return new DeviceStateSerializer(names, nested, layout);
    }

    /** The layout (unit names) this serializer reads and writes. */
    String[] names() {
        return names;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<DeviceState> duplicate() {
        TypeSerializer<Object>[] copies = new TypeSerializer[nested.length];
        boolean same = true;
        for (int i = 0; i < nested.length; i++) {
            copies[i] = nested[i].duplicate();
            same &= copies[i] == nested[i];
        }
        return same ? this : new DeviceStateSerializer(names, copies, format);
    }

    @Override
    public DeviceState createInstance() {
        return new DeviceState(names);
    }

    @Override
    public DeviceState copy(DeviceState from) {
        DeviceState to = new DeviceState(from.layout);
        for (int i = 0; i < from.rules.length; i++) {
            Object s = from.rules[i];
            int n = from.layout == names ? i : indexOf(from.layout[i]);
            to.rules[i] = s == null ? null : n < 0 ? s : nested[n].copy(s);
        }
        to.timer = from.timer;
        to.statusModel = from.statusModel;
        to.statusRegion = from.statusRegion;
        to.statusFirmware = from.statusFirmware;
        to.statusBroker = from.statusBroker;
        to.statusAddress = from.statusAddress;
        to.statusCertificateNotAfter = from.statusCertificateNotAfter;
        to.statusQuarantined = from.statusQuarantined;
        to.statusDisconnected = from.statusDisconnected;
        to.heldAhead = from.heldAhead;
        to.statusSentAt = from.statusSentAt;
        to.lastEvent = from.lastEvent;
        to.lastReport = from.lastReport;
        return to;
    }

    @Override
    public DeviceState copy(DeviceState from, DeviceState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DeviceState s, DataOutputView out) throws IOException {
        if (format == FORMAT_V1) {
            out.writeLong(s.timer);
            out.writeLong(s.lastEvent);
            out.writeLong(s.statusSentAt);
            // One byte, two flags: a state written before heldAhead existed has 0 or 1 here (statusDisconnected alone).
            out.writeByte((s.statusDisconnected ? DISCONNECTED : 0) | (s.heldAhead ? HELD_AHEAD : 0));
        } else {
            // The flags say which times are set; the times are written as var-long differences from lastEvent (a
            // device's timer, status signal and newest report lie minutes from its newest event: 3 bytes each, not 8).
            // The differences wrap as longs both ways, so every value round-trips, however far apart.
            boolean hasLastEvent = s.lastEvent != Long.MIN_VALUE;
            out.writeByte((s.statusDisconnected ? DISCONNECTED : 0) | (s.heldAhead ? HELD_AHEAD : 0)
                    | (hasLastEvent ? HAS_LAST_EVENT : 0) | (s.timer != DeviceState.NO_TIMER ? HAS_TIMER : 0)
                    | (s.statusSentAt != Long.MIN_VALUE ? HAS_STATUS_SENT : 0) | (s.lastReport != Long.MIN_VALUE ? HAS_LAST_REPORT : 0));
            long base = hasLastEvent ? s.lastEvent : 0;
            if (hasLastEvent) {
                out.writeLong(s.lastEvent);
            }
            if (s.timer != DeviceState.NO_TIMER) {
                writeVarLong(s.timer - base, out);
            }
            if (s.statusSentAt != Long.MIN_VALUE) {
                writeVarLong(s.statusSentAt - base, out);
            }
            if (s.lastReport != Long.MIN_VALUE) {
                writeVarLong(s.lastReport - base, out);
            }
        }
        writeString(s.statusModel, out);
        writeString(s.statusRegion, out);
        writeString(s.statusFirmware, out);
        writeString(s.statusBroker, out);
        writeString(s.statusAddress, out);
        out.writeLong(s.statusCertificateNotAfter);
        out.writeBoolean(s.statusQuarantined);
        for (int i = 0; i < names.length; i++) {
            // A state still in a restored layout is written in this one (by name).
            Object r = s.layout == names ? s.rules[i] : s.stateOf(names[i]);
            out.writeBoolean(r != null);
            if (r != null) {
                nested[i].serialize(r, out);
            }
        }
    }

    @Override
    public DeviceState deserialize(DataInputView in) throws IOException {
        DeviceState s = new DeviceState(names);
        int flags;
        if (format == FORMAT_V1) {
            s.timer = in.readLong();
            s.lastEvent = in.readLong();
            s.statusSentAt = in.readLong();
            flags = in.readUnsignedByte();
        } else {
            flags = in.readUnsignedByte();
            if ((flags & HAS_LAST_EVENT) != 0) {
                s.lastEvent = in.readLong();
            }
            long base = (flags & HAS_LAST_EVENT) != 0 ? s.lastEvent : 0;
            if ((flags & HAS_TIMER) != 0) {
                s.timer = base + readVarLong(in);
            }
            if ((flags & HAS_STATUS_SENT) != 0) {
                s.statusSentAt = base + readVarLong(in);
            }
            if ((flags & HAS_LAST_REPORT) != 0) {
                s.lastReport = base + readVarLong(in);
            }
        }
        s.statusDisconnected = (flags & DISCONNECTED) != 0;
        s.heldAhead = (flags & HELD_AHEAD) != 0;
        s.statusModel = readString(in);
        s.statusRegion = readString(in);
        s.statusFirmware = readString(in);
        s.statusBroker = readString(in);
        s.statusAddress = readString(in);
        s.statusCertificateNotAfter = in.readLong();
        s.statusQuarantined = in.readBoolean();
        for (int i = 0; i < names.length; i++) {
            if (in.readBoolean()) {
                s.rules[i] = nested[i].deserialize(in);
            }
        }
        return s;
    }

    /** Zig-zag var-long: small differences of either sign in few bytes (1 for |d| < 64, 3 for |d| < 1,048,576). */
    private static void writeVarLong(long d, DataOutputView out) throws IOException {
        long v = (d << 1) ^ (d >> 63);
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (v >>> 1) ^ -(v & 1);
            }
        }
        throw new IOException("malformed var-long in device state");
    }

    @Override
    public DeviceState deserialize(DeviceState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void writeString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceStateSerializer d && d.format == format && Arrays.equals(d.names, names)
                && Arrays.equals(d.nested, nested);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names);
    }

    /** The snapshot; its version is the state's layout: 1 ({@link #FORMAT_V1}) or 2 ({@link #FORMAT}). */
    @Override
    public TypeSerializerSnapshot<DeviceState> snapshotConfiguration() {
        return new Snapshot(this);
    }

    /** The rules' names and their serializers' snapshots. */
    public static final class Snapshot implements TypeSerializerSnapshot<DeviceState> {

        private String[] names;
        private TypeSerializerSnapshot<?>[] nested;
        /** The layout of the state written with this snapshot's serializer. */
        private int format = FORMAT;

        /** For reading a snapshot. */
        public Snapshot() {
        }

        Snapshot(DeviceStateSerializer s) {
            names = s.names;
            format = s.format;
            nested = new TypeSerializerSnapshot<?>[s.nested.length];
            for (int i = 0; i < nested.length; i++) {
                nested[i] = s.nested[i].snapshotConfiguration();
            }
        }

        @Override
        public int getCurrentVersion() {
            return format;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(names.length);
            for (int i = 0; i < names.length; i++) {
                out.writeUTF(names[i]);
                TypeSerializerSnapshot.writeVersionedSnapshot(out, nested[i]);
            }
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            if (readVersion != FORMAT && readVersion != FORMAT_V1) {
                throw new IOException("unknown device state snapshot version " + readVersion);
            }
            format = readVersion; // the snapshot's content is the same in both versions; the state's layout is not
            int n = in.readInt();
            names = new String[n];
            nested = new TypeSerializerSnapshot<?>[n];
            for (int i = 0; i < n; i++) {
                names[i] = in.readUTF();
                nested[i] = TypeSerializerSnapshot.readVersionedSnapshot(in, classLoader);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public TypeSerializer<DeviceState> restoreSerializer() {
            TypeSerializer<Object>[] serializers = new TypeSerializer[nested.length];
            for (int i = 0; i < nested.length; i++) {
                serializers[i] = (TypeSerializer<Object>) nested[i].restoreSerializer();
            }
            return new DeviceStateSerializer(names, serializers, format);
        }

        /**
         * Called on the new serializer's snapshot with the one the state was written with. Rules present in both must
         * be compatible; a different set or order of rules, or a rule's state that needs migrating, reads the old
         * state with the old serializer ({@link DeviceState#adopt} then moves each rule's state by name).
         */
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public TypeSerializerSchemaCompatibility<DeviceState> resolveSchemaCompatibility(TypeSerializerSnapshot<DeviceState> old) {
            if (!(old instanceof Snapshot o)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            // A state in the version-1 layout is read with the old serializer and written in this one.
            boolean migrate = o.format != format || !Arrays.equals(names, o.names);
            for (int i = 0; i < names.length; i++) {
                int j = Arrays.asList(o.names).indexOf(names[i]);
                if (j < 0) {
                    continue;
                }
                TypeSerializerSchemaCompatibility<?> c = ((TypeSerializerSnapshot) nested[i]).resolveSchemaCompatibility(o.nested[j]);
                if (c.isIncompatible()) {
                    return TypeSerializerSchemaCompatibility.incompatible();
                }
                migrate |= !c.isCompatibleAsIs();
            }
            return migrate ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
    }
}
