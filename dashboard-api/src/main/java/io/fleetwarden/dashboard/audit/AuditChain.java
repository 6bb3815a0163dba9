package io.fleetwarden.dashboard.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Hashing and verification of audit chains (JDK SHA-256). The canonical form length-prefixes every
 * field, so no choice of field contents (a comment with newlines, an actor name with separators) can
 * make two different entries hash alike.
 */
public final class AuditChain {

    /** {@code prevHash} of the first entry of a chain. */
    public static final String GENESIS = "0".repeat(64);

    private static final SecureRandom RANDOM = new SecureRandom();

    private AuditChain() {
    }

    /** The result of checking one chain. */
    public record Verification(String chain, boolean valid, int entries, int detailsErased, String head,
                               List<String> problems) {
    }

    /** The hash an entry with these fields must carry. */
    public static String hash(String chain, long seq, String scope, String action, String actor, Instant at,
                              String detailDigest, String prevHash) {
        StringBuilder b = new StringBuilder("fleetwarden-audit-v1");
        for (String f : new String[] {chain, Long.toString(seq), scope, action, actor,
                at == null ? null : Long.toString(at.toEpochMilli()), detailDigest, prevHash}) {
            if (f == null) {
                b.append("|-1:");
            } else {
                b.append('|').append(f.length()).append(':').append(f);
            }
        }
        return sha256(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh random salt (hex, 128 bits). */
    public static String newSalt() {
        byte[] s = new byte[16];
        RANDOM.nextBytes(s);
        return HexFormat.of().formatHex(s);
    }

    /** SHA-256(salt bytes || UTF-8 text), hex. */
    public static String detailDigest(String saltHex, String text) {
        byte[] salt = HexFormat.of().parseHex(saltHex);
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[salt.length + t.length];
        System.arraycopy(salt, 0, all, 0, salt.length);
        System.arraycopy(t, 0, all, salt.length, t.length);
        return sha256(all);
    }

    private static boolean matches(AuditDetail d, String digest) {
        try {
            return d.salt() != null && d.text() != null && detailDigest(d.salt(), d.text()).equals(digest);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /**
     * Checks a chain's entries in log order: seq 1, 2, 3... without gaps or duplicates (two entries
     * with one seq = a fork, e.g. two writers or an injected entry), each hash recomputes, each
     * {@code prevHash} is the previous hash, and each detail still present matches its digest.
     * Details that were erased are counted, not a problem.
     */
    public static Verification verify(String chain, List<AuditEntry> entries, Map<String, AuditDetail> details) {
        List<String> problems = new ArrayList<>();
        String prev = GENESIS;
        long expected = 1;
        int erased = 0;
        for (AuditEntry e : entries) {
            if (!chain.equals(e.chain())) {
                problems.add("entry " + e.id() + " belongs to another chain");
                continue;
            }
            if (e.seq() != expected) {
                problems.add(e.seq() < expected ? "entry seq " + e.seq() + " repeats or goes back (fork or replay)"
                        : "entries " + expected + ".." + (e.seq() - 1) + " are missing");
            }
            if (!prev.equals(e.prevHash())) {
                problems.add("entry " + e.seq() + " does not link to the previous entry");
            }
            String h = hash(e.chain(), e.seq(), e.scope(), e.action(), e.actor(), e.at(), e.detailDigest(), e.prevHash());
            if (!h.equals(e.hash())) {
                problems.add("entry " + e.seq() + " was altered (hash does not match its content)");
            }
            if (e.detailDigest() != null) {
                AuditDetail d = details.get(e.id());
                if (d == null) {
                    erased++;
                } else if (!matches(d, e.detailDigest())) {
                    problems.add("detail of entry " + e.seq() + " was altered");
                }
            }
            prev = e.hash();
            expected = e.seq() + 1;
        }
        return new Verification(chain, problems.isEmpty(), entries.size(), erased, prev, List.copyOf(problems));
    }
}
