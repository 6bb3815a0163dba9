package io.fleetwarden.model.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type in Avro's
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object encoding</a>:
 * a two-byte marker, the 8-byte CRC-64-AVRO fingerprint of the writer's schema, then the binary body.
 *
 * <p>The fingerprint lets a reader pick the writer's schema from the schema history shipped in this
 * module ({@code avro-history/}) and resolve it to the current schema, so records written by an older
 * version of the platform still read after an upgrade. Instances are immutable and thread-safe
 * (Avro keeps its buffers per thread).
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    AvroCodec(Class<T> type, Schema schema, List<Schema> history) {
        this.type = Objects.requireNonNull(type, "type");
        this.schema = Objects.requireNonNull(schema, "schema");
        SpecificData model = SpecificData.getForClass(type);
        SchemaStore.Cache store = new SchemaStore.Cache();
        history.forEach(store::addSchema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, store);
    }

    public Class<T> type() {
        return type;
    }

    /** The current (writer) schema. */
    public Schema schema() {
        return schema;
    }

    /** CRC-64-AVRO fingerprint of the current schema, as written in every record header. */
    public long fingerprint() {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** Encodes a record with the current schema. */
    public byte[] encode(T value) {
        Objects.requireNonNull(value, "value");
        try {
            // Avro encodes into a per-thread buffer; copy out exactly the bytes written.
            ByteBuffer buffer = encoder.encode(value);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        } catch (AvroRuntimeException | NullPointerException | ClassCastException e) {
            // A required field left null or of the wrong type: a programming error, reported with the type.
            throw new IllegalArgumentException("invalid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a record written with the current or any historic schema of this type.
     *
     * @throws RecordDecodingException with a specific reason when the bytes are not such a record
     */
    public T decode(byte[] bytes) throws RecordDecodingException {
        if (bytes == null || bytes.length == 0) {
            throw new RecordDecodingException("empty", "empty " + type.getSimpleName() + " record", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new RecordDecodingException("unknown-schema",
                    type.getSimpleName() + " written with an unknown schema: " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new RecordDecodingException("bad-header",
                    "not a single-object encoded " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new RecordDecodingException("corrupt-body",
                    "corrupt " + type.getSimpleName() + " body: " + e, e);
        }
    }

    /** Like {@link #decode(byte[])} but never throws: the failure is returned instead. */
    public Decoded<T> tryDecode(byte[] bytes) {
        try {
            return Decoded.ok(decode(bytes));
        } catch (RecordDecodingException e) {
            return Decoded.failed(e);
        }
    }
}
