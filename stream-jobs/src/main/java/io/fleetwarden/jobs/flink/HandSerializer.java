package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of the hand-written serializers of records that cross a shuffle at the telemetry rate
 * ({@link DeviceEvent}, {@link PeerBatch}, {@link io.fleetwarden.jobs.alerts.StatusSignal},
 * {@link io.fleetwarden.jobs.influx.HealthPoint}, ...).
 * They are used on the network only, never for keyed state, so their format may change between releases.
 * Copies go through serialisation unless a subclass overrides {@link #copy(Object)} (only used when
 * object reuse is off). Strings are written as UTF-8 bytes with a var-int length (0 = null).
 * Not thread-safe (a scratch buffer): {@link #duplicate()} gives each task its own instance.
 */
public abstract class HandSerializer<T> extends TypeSerializer<T> {

    private static final long serialVersionUID = 1L;

    private transient byte[] scratch;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T copy(T from) {
        if (from == null) {
            return null;
        }
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    protected static void writeVarInt(int v, DataOutputView out) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    protected static int readVarInt(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed var-int");
    }

    /**
     * Writes {@code s} as a var-int of its UTF-8 length + 1 (0 for null) and its UTF-8 bytes. Through
     * {@link String#getBytes(java.nio.charset.Charset)}: for a Latin-1 string (ids, names, addresses, hashes: almost every
     * string here) the JDK checks and copies its bytes with vectorised intrinsics, which cost less than checking and
     * copying it a character at a time into a scratch buffer (as this did until 2026-12-07: 200 against 150 ns per
     * telemetry report on the device shuffle, measured with its strings in the CPU cache), for one short-lived byte[].
     */
    protected final void writeString(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(b.length + 1, out);
        out.write(b);
    }

    /** Slots of the shared-string table (a power of two). */
    private static final int SHARED_SLOTS = 512;
    /** Longer strings are never shared (a SHA-256 in hex is 64). */
    private static final int SHARED_MAX_LENGTH = 64;

    private transient String[] sharedStrings;
    private transient byte[][] sharedBytes;

    /**
     * {@link #readString} for fields with few distinct values (tenant, model, region, firmware version, broker
     * id, ...): a string equal to one read recently is returned as the same instance from a small direct-mapped
     * table (its hash code already computed, equality with the state's copy an identity check) instead of a new
     * allocation per record. A slot holds the last string that hashed to it, so a field with many values only
     * costs a comparison; results are always equal to {@link #readString}'s.
     */
    protected final String readSharedString(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        int len = n - 1;
        if (len > SHARED_MAX_LENGTH) {
            return readBytesAsString(in, len);
        }
        if (scratch == null || scratch.length < len) {
            scratch = new byte[Math.max(len, 256)];
        }
        in.readFully(scratch, 0, len);
        if (sharedStrings == null) {
            sharedStrings = new String[SHARED_SLOTS];
            sharedBytes = new byte[SHARED_SLOTS][];
        }
        // The slot: length, first and last 8 bytes (a SHA-256 in hex is not walked twice); equality is checked in full.
        int h = len;
        int head = Math.min(len, 8);
        for (int i = 0; i < head; i++) {
            h = 31 * h + scratch[i];
        }
        for (int i = Math.max(head, len - 8); i < len; i++) {
            h = 31 * h + scratch[i];
        }
        int slot = (h ^ (h >>> 16)) & (SHARED_SLOTS - 1);
        byte[] known = sharedBytes[slot];
        if (known != null && java.util.Arrays.equals(known, 0, known.length, scratch, 0, len)) {
            return sharedStrings[slot];
        }
        String value = new String(scratch, 0, len, StandardCharsets.UTF_8);
        sharedBytes[slot] = java.util.Arrays.copyOf(scratch, len);
        sharedStrings[slot] = value;
        return value;
    }

    protected final String readString(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        return readBytesAsString(in, n - 1);
    }

    private String readBytesAsString(DataInputView in, int len) throws IOException {
        if (scratch == null || scratch.length < len) {
            scratch = new byte[Math.max(len, 256)];
        }
        in.readFully(scratch, 0, len);
        return new String(scratch, 0, len, StandardCharsets.UTF_8);
    }
}
