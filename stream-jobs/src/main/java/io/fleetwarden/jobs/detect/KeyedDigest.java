package io.fleetwarden.jobs.detect;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A keyed 64-bit digest (SipHash-2-4) of values a device controls, for the few places where a rule must
 * remember many such values in fixed space (the destinations a device contacted, the evidence of an open
 * firmware finding). A plain {@link String#hashCode()} is public: a device can choose two addresses with
 * the same hash (e.g. {@code "Aa"} and {@code "BB"}) and hide a new destination behind a known one. With a
 * secret 128-bit key per job, finding a collision needs the key; by chance one in 2^64.
 *
 * <p>The key is chosen when the job is built and kept in the operator's state
 * ({@code DeviceFunction}), so a restored job digests the same value to the same number and its
 * remembered digests stay valid. Not thread-safe (one instance per operator instance).
 */
public final class KeyedDigest {

    /** Length of the secret key in bytes. */
    public static final int KEY_BYTES = 16;

    private final byte[] key;
    private final SipHash mac = new SipHash();
    /** Scratch buffer for one length-prefixed value (digests run once per destination per report: no garbage). */
    private byte[] scratch = new byte[64];

    public KeyedDigest(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a keyed digest needs a " + KEY_BYTES + "-byte key");
        }
        this.key = key.clone();
        mac.init(new KeyParameter(this.key));
    }

    /** A fresh random key (SecureRandom). */
    public static byte[] newKey() {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** A digest with a fresh random key: for tests and for state that does not outlive the instance. */
    public static KeyedDigest random() {
        return new KeyedDigest(newKey());
    }

    /** The key (a copy), to be kept in operator state. */
    public byte[] key() {
        return key.clone();
    }

    /** Digest of one string ({@code null} digests like the empty string's distinct marker). */
    public long of(String value) {
        mac.reset();
        update(value);
        return mac.doFinal();
    }

    /**
     * Digest of a string map, entries in the map's iteration order (a sorted map gives a canonical digest).
     * Every key and value is length-prefixed, so no two different maps feed the same bytes.
     */
    public long of(Map<String, String> map) {
        mac.reset();
        updateInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            update(e.getKey());
            update(e.getValue());
        }
        return mac.doFinal();
    }

    /** Feeds the value's UTF-8 bytes after their length (-1 for null), in one call. */
    private void update(String value) {
        if (value == null) {
            updateInt(-1);
            return;
        }
        int n = value.length();
        if (n + 4 > scratch.length) {
            scratch = new byte[Math.max(n + 4, 2 * scratch.length)];
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                byte[] b = value.getBytes(StandardCharsets.UTF_8); // not ASCII: the general encoder
                updateInt(b.length);
                mac.update(b, 0, b.length);
                return;
            }
            scratch[4 + i] = (byte) c;
        }
        putInt(scratch, n);
        mac.update(scratch, 0, n + 4);
    }

    private void updateInt(int v) {
        byte[] b = new byte[4];
        putInt(b, v);
        mac.update(b, 0, 4);
    }

    private static void putInt(byte[] b, int v) {
        b[0] = (byte) (v >>> 24);
        b[1] = (byte) (v >>> 16);
        b[2] = (byte) (v >>> 8);
        b[3] = (byte) v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyedDigest d && Arrays.equals(d.key, key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "KeyedDigest[SipHash-2-4, key not shown]";
    }
}
