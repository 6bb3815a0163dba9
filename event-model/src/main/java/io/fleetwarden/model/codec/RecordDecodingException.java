package io.fleetwarden.model.codec;

/**
 * A Kafka record value could not be read as the expected record type. The message says why
 * (bad header, unknown schema fingerprint, truncated body) so that dead-letter entries are
 * actionable.
 */
public final class RecordDecodingException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public RecordDecodingException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Stable machine-readable reason: {@code empty}, {@code bad-header}, {@code unknown-schema} or {@code corrupt-body}. */
    public String reason() {
        return reason;
    }
}
