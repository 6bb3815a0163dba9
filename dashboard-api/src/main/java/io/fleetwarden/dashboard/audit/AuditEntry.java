package io.fleetwarden.dashboard.audit;

import java.time.Instant;

/**
 * One entry of an append-only audit chain (topic {@code fleet.audit}, key = {@code chain}).
 *
 * <p>{@code hash} = SHA-256 over the canonical form of every other field (see {@link AuditChain});
 * {@code prevHash} is the previous entry's hash (64 zeros for {@code seq} 1), so changing, removing,
 * reordering or inserting an entry breaks every later link. The free text of the action (comment,
 * reason, assignee) is NOT in the entry: only {@code detailDigest} = SHA-256(salt || text), with salt
 * and text kept on the compacted {@code fleet.audit-details} topic, which erasure tombstones. The
 * chain therefore stays verifiable after erasure while the text (and, with the salt gone, any way
 * to guess it from the digest) is gone.
 *
 * @param chain        {@code alert:<alertId>}, {@code device:<tenant>/<deviceId>}, {@code certificate:<id>} or
 *                     {@code enrolment-ca:<fingerprint>}
 * @param seq          1, 2, 3... within the chain
 * @param scope        tenant of the subject, or a reserved scope ({@code _front-door}, {@code _certificate})
 * @param action       what happened (acknowledge, assign, comment, resolve, reopen, quarantine, release,
 *                     revoke, unrevoke, decommission, erase)
 * @param actor        authenticated user, token or policy name
 * @param at           server time of the action
 * @param detailDigest hex SHA-256 of salt and detail text, or {@code null} when the action has none
 * @param prevHash     hash of entry {@code seq - 1}
 * @param hash         hash of this entry
 */
public record AuditEntry(String chain, long seq, String scope, String action, String actor, Instant at,
                         String detailDigest, String prevHash, String hash) {

    /** The id of this entry ({@code chain#seq}), the key of its detail record. */
    public String id() {
        return chain + "#" + seq;
    }
}
