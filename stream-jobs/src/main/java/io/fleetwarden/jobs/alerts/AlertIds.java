package io.fleetwarden.jobs.alerts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic alert ids: a name-based UUID of the subject, the rule and the event time the alert
 * opened. The same input replayed after a failover yields the same id, and a detector can name an
 * incident's id (for {@code parentAlertId}) without asking the alert stage.
 *
 * <p>The name is hashed with SHA-256 (an RFC 9562 version-8 UUID from the first 128 bits), not MD5
 * ({@link UUID#nameUUIDFromBytes}): alert keys contain what an unauthenticated client chooses (the
 * claimed client id of a failed login, up to 64 KiB of text), and MD5 collisions can be computed, so
 * two chosen claims opening in the same millisecond could share an id, and every reader that keeps
 * the newest revision per id (the dashboard, the compacted topic) would hide one of the two alerts.
 * The UUID shape is kept for consumers that expect it (CEF {@code externalId} holds 40 characters).
 * An open alert keeps the id stored in its state, so a job restored from an older savepoint
 * continues its open alerts under their existing ids.
 */
public final class AlertIds {

    private AlertIds() {
    }

    /**
     * @param alertKey subject and rule, see {@code Finding#alertKey()}
     * @param openedAt event time the alert opened (epoch millis)
     */
    public static String of(String alertKey, long openedAt) {
        byte[] h = sha256((alertKey + "@" + openedAt).getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x80); // version 8 (custom, RFC 9562 section 5.8)
        h[8] = (byte) ((h[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
        return new UUID(b.getLong(), b.getLong()).toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
