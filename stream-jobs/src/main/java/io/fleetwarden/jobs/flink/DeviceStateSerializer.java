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

    private final String[] names;
    private final TypeSerializer<Object>[] nested;

    DeviceStateSerializer(String[] names, TypeSerializer<Object>[] nested) {
        this.names = names;
        this.nested = nested;
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
        return same ? this : new DeviceStateSerializer(names, copies);
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
        out.writeLong(s.timer);
        out.writeLong(s.lastEvent);
        out.writeLong(s.statusSentAt);
        // One byte, two flags: a state written before heldAhead existed has 0 or 1 here (statusDisconnected alone).
        out.writeByte((s.statusDisconnected ? 1 : 0) | (s.heldAhead ? 2 : 0));
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
        s.timer = in.readLong();
        s.lastEvent = in.readLong();
        s.statusSentAt = in.readLong();
        int flags = in.readUnsignedByte();
        s.statusDisconnected = (flags & 1) != 0;
        s.heldAhead = (flags & 2) != 0;
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
        return o instanceof DeviceStateSerializer d && Arrays.equals(d.names, names) && Arrays.equals(d.nested, nested);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names);
    }

    @Override
    public TypeSerializerSnapshot<DeviceState> snapshotConfiguration() {
        return new Snapshot(this);
    }

    /** The rules' names and their serializers' snapshots. */
    public static final class Snapshot implements TypeSerializerSnapshot<DeviceState> {

        private static final int VERSION = 1;

        private String[] names;
        private TypeSerializerSnapshot<?>[] nested;

        /** For reading a snapshot. */
        public Snapshot() {
        }

        Snapshot(DeviceStateSerializer s) {
            names = s.names;
            nested = new TypeSerializerSnapshot<?>[s.nested.length];
            for (int i = 0; i < nested.length; i++) {
                nested[i] = s.nested[i].snapshotConfiguration();
            }
        }

        @Override
        public int getCurrentVersion() {
            return VERSION;
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
            return new DeviceStateSerializer(names, serializers);
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
            boolean migrate = !Arrays.equals(names, o.names);
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
