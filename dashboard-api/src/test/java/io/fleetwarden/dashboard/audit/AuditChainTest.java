package io.fleetwarden.dashboard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.web.Json;

/** The hash chain: a valid chain verifies; every kind of tampering is named; erasure is not tampering. */
class AuditChainTest {

    final AuditStore store = new AuditStore();
    final List<String> written = new ArrayList<>();
    final AuditLog log = new AuditLog(store, (topic, key, value) -> written.add(topic + ":" + key + ":" + (value != null)),
            Json.mapper(), Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC));

    List<AuditEntry> threeEntries() {
        log.append("alert:a1", "acme", "acknowledge", "alice", null);
        log.append("alert:a1", "acme", "comment", "alice", "call the owner");
        log.append("alert:a1", "acme", "resolve", "bob", "TRUE_POSITIVE");
        return store.chain("alert:a1");
    }

    @Test
    void aWrittenChainVerifiesAndLinksEachEntryToThePrevious() {
        List<AuditEntry> c = threeEntries();
        assertThat(c).extracting(AuditEntry::seq).containsExactly(1L, 2L, 3L);
        assertThat(c.get(0).prevHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(c.get(1).prevHash()).isEqualTo(c.get(0).hash());
        assertThat(c.get(1).detailDigest()).hasSize(64).isNotEqualTo(AuditChain.detailDigest("00", "call the owner"));
        AuditChain.Verification v = log.verify("alert:a1");
        assertThat(v.valid()).isTrue();
        assertThat(v.entries()).isEqualTo(3);
        assertThat(v.head()).isEqualTo(c.get(2).hash());
        assertThat(written).containsExactly("fleet.audit:alert:a1:true", "fleet.audit-details:alert:a1#2:true",
                "fleet.audit:alert:a1:true", "fleet.audit-details:alert:a1#3:true", "fleet.audit:alert:a1:true");
    }

    @Test
    void alteredDroppedForkedAndReorderedEntriesAreNamed() {
        List<AuditEntry> c = threeEntries();
        Map<String, AuditDetail> details = store.details("alert:a1");
        AuditEntry e2 = c.get(1);
        AuditEntry altered = new AuditEntry(e2.chain(), e2.seq(), e2.scope(), e2.action(), "mallory", e2.at(),
                e2.detailDigest(), e2.prevHash(), e2.hash());
        assertThat(AuditChain.verify("alert:a1", List.of(c.get(0), altered, c.get(2)), details).problems())
                .anyMatch(p -> p.contains("entry 2 was altered"));
        assertThat(AuditChain.verify("alert:a1", List.of(c.get(0), c.get(2)), details).problems())
                .anyMatch(p -> p.contains("missing")).anyMatch(p -> p.contains("does not link"));
        assertThat(AuditChain.verify("alert:a1", List.of(c.get(0), c.get(1), c.get(1), c.get(2)), details).problems())
                .anyMatch(p -> p.contains("fork"));
        assertThat(AuditChain.verify("alert:a1", List.of(c.get(1), c.get(0), c.get(2)), details).valid()).isFalse();
        Map<String, AuditDetail> forgedText = new HashMap<>(details);
        forgedText.put(e2.id(), new AuditDetail(e2.id(), details.get(e2.id()).salt(), "nothing to see"));
        assertThat(AuditChain.verify("alert:a1", c, forgedText).problems()).containsExactly("detail of entry 2 was altered");
        forgedText.put(e2.id(), new AuditDetail(e2.id(), "not-hex", "x"));
        assertThat(AuditChain.verify("alert:a1", c, forgedText).valid()).isFalse();
    }

    @Test
    void separatorsInFieldsCannotMakeTwoEntriesHashAlike() {
        Instant at = Instant.EPOCH;
        assertThat(AuditChain.hash("c", 1, "s", "a|b", "c", at, null, AuditChain.GENESIS))
                .isNotEqualTo(AuditChain.hash("c", 1, "s", "a", "b|c", at, null, AuditChain.GENESIS));
        assertThat(AuditChain.hash("c", 1, "s", "a", "", at, null, AuditChain.GENESIS))
                .isNotEqualTo(AuditChain.hash("c", 1, "s", "a", null, at, null, AuditChain.GENESIS));
    }

    @Test
    void erasedDetailsAreCountedNotTamperingAndTheChainContinues() {
        threeEntries();
        assertThat(log.eraseDetails("alert:a1")).hasSize(2);
        AuditChain.Verification v = log.verify("alert:a1");
        assertThat(v.valid()).isTrue();
        assertThat(v.detailsErased()).isEqualTo(2);
        assertThat(store.detail("alert:a1#2")).isEmpty();
        log.append("alert:a1", "acme", "erase", "admin", null);
        assertThat(log.verify("alert:a1").valid()).isTrue();
        assertThat(store.chain("alert:a1")).hasSize(4);
    }
}
