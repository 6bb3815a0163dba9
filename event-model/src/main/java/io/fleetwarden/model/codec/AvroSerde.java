package io.fleetwarden.model.codec;

import java.util.Objects;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer and deserializer for one record type.
 *
 * <p>{@link #deserialize} throws {@link SerializationException} on bad bytes, as Kafka expects
 * (the consumer then reports the offset). Consumers that must never stop on bad input read
 * {@code byte[]} values and call {@link AvroCodec#tryDecode(byte[])} instead. A {@code null}
 * value (tombstone) maps to {@code null} both ways.
 *
 * @param <T> the record type
 */
public final class AvroSerde<T extends SpecificRecord> implements Serializer<T>, Deserializer<T> {

    private final AvroCodec<T> codec;

    public AvroSerde(AvroCodec<T> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the codec is fixed at construction
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : codec.encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (RecordDecodingException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
