package io.fleetwarden.dashboard.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.kafka.RecordPublisher;

/**
 * Appends to the audit trail: the detail text (if any) to {@code fleet.audit-details} first, then the
 * entry to {@code fleet.audit}, both durable before the action is reported done. Appends are
 * serialised per API instance; two replicas appending to one chain at once produce two entries with
 * the same seq, which the verifier reports as a fork (nothing is lost, unlike a last-writer-wins
 * record).
 */
public final class AuditLog {

    private final AuditStore store;
    private final RecordPublisher publisher;
    private final ObjectMapper mapper;
    private final Clock clock;

    public AuditLog(AuditStore store, RecordPublisher publisher, ObjectMapper mapper, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.mapper = mapper;
        this.clock = clock;
    }

    public static String alertChain(String alertId) {
        return "alert:" + alertId;
    }

    public static String deviceChain(String deviceKey) {
        return "device:" + deviceKey;
    }

    /** The chain of one enrolment CA's configuration (added, changed, removed). */
    public static String enrolmentCaChain(String fingerprint) {
        return "enrolment-ca:" + fingerprint;
    }

    public static String certificateChain(String certificateId) {
        return "certificate:" + certificateId;
    }

    /** Appends one entry and returns it. */
    public synchronized AuditEntry append(String chain, String scope, String action, String actor, String detail) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        AuditEntry head = store.head(chain).orElse(null);
        long seq = head == null ? 1 : head.seq() + 1;
        String prev = head == null ? AuditChain.GENESIS : head.hash();
        String digest = null;
        AuditDetail d = null;
        if (detail != null) {
            String salt = AuditChain.newSalt();
            digest = AuditChain.detailDigest(salt, detail);
            d = new AuditDetail(chain + "#" + seq, salt, detail);
            publisher.publish(OwnTopics.AUDIT_DETAILS, d.entryId(), write(d));
        }
        AuditEntry e = new AuditEntry(chain, seq, scope, action, actor, now, digest, prev,
                AuditChain.hash(chain, seq, scope, action, actor, now, digest, prev));
        publisher.publish(OwnTopics.AUDIT, chain, write(e));
        store.applyEntry(e);
        if (d != null) {
            store.applyDetail(d.entryId(), d);
        }
        return e;
    }

    /**
     * Erases the free text of every entry of the chain (tombstones on the compacted details topic);
     * the entries and their digests stay, so the chain still verifies. Returns the tombstoned keys.
     */
    public List<String> eraseDetails(String chain) {
        List<String> out = new ArrayList<>();
        for (AuditEntry e : store.chain(chain)) {
            if (e.detailDigest() != null) {
                publisher.publish(OwnTopics.AUDIT_DETAILS, e.id(), null);
                store.applyDetail(e.id(), null);
                out.add(OwnTopics.AUDIT_DETAILS + ":" + e.id());
            }
        }
        return out;
    }

    public AuditChain.Verification verify(String chain) {
        return AuditChain.verify(chain, store.chain(chain), store.details(chain));
    }

    private byte[] write(Object o) {
        try {
            return mapper.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
