package io.fleetwarden.model.codec;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of decoding one record: either a value or the reason it could not be read.
 * Lets consumers route bad input to a dead-letter topic instead of failing.
 *
 * @param <T> the record type
 */
public final class Decoded<T> {

    private final T value;
    private final RecordDecodingException error;

    private Decoded(T value, RecordDecodingException error) {
        this.value = value;
        this.error = error;
    }

    public static <T> Decoded<T> ok(T value) {
        return new Decoded<>(Objects.requireNonNull(value, "value"), null);
    }

    public static <T> Decoded<T> failed(RecordDecodingException error) {
        return new Decoded<>(null, Objects.requireNonNull(error, "error"));
    }

    public boolean isOk() {
        return error == null;
    }

    /** The decoded value; throws {@link IllegalStateException} when decoding failed. */
    public T value() {
        if (error != null) {
            throw new IllegalStateException("record could not be decoded: " + error.getMessage(), error);
        }
        return value;
    }

    public Optional<T> toOptional() {
        return Optional.ofNullable(value);
    }

    /** The decoding error; empty when decoding succeeded. */
    public Optional<RecordDecodingException> error() {
        return Optional.ofNullable(error);
    }
}
