package io.fleetwarden.dashboard.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.device.ErasureStore;
import io.fleetwarden.dashboard.posture.Evidence.RecordRef;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;

/** The evidence store honours the durable erasure record of a decommissioned device, whatever the replay order. */
class EvidenceStoreErasureTest {

    static final Instant ERASED_AT = Instant.parse("2026-11-01T12:00:00Z");

    final ErasureStore erasures = new ErasureStore();
    final EvidenceStore evidence = new EvidenceStore();
    long offset;

    EvidenceStoreErasureTest() {
        evidence.setSuppression(erasures::covers);
    }

    void telemetry(String device, Instant at) {
        Telemetry t = Fixtures.telemetry("acme", device, "cam-x1", "1.0.0", at).setListeningPorts(List.of(23)).build();
        evidence.applyTelemetry(t, new RecordRef(Topics.TELEMETRY, "acme/" + device, 0, offset++, at));
    }

    void connect(String device, Instant at) {
        evidence.applySecurityEvent(Fixtures.securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "acme",
                device, at).build(), new RecordRef(Topics.SECURITY_EVENTS, "acme/" + device, 0, offset++, at));
    }

    void erase(String device) {
        ErasureStore.Erasure e = new ErasureStore.Erasure("acme", device, ERASED_AT, "admin");
        erasures.apply("acme/" + device, e);
        evidence.onErasure(e.tenant(), e.deviceId(), e.erasedAt());
    }

    @Test
    void erasureReadFirstKeepsRecordsAtOrBeforeItOut() {
        erase("gone");
        telemetry("gone", ERASED_AT.minusSeconds(3600));
        telemetry("gone", ERASED_AT); // at the erasure time: covered
        connect("gone", ERASED_AT.minusSeconds(10));
        assertThat(evidence.device("acme", "gone")).isEmpty();
        assertThat(evidence.suppressed()).isEqualTo(3);
        telemetry("other", ERASED_AT.minusSeconds(3600)); // another device is not affected
        assertThat(evidence.device("acme", "other")).isPresent();
    }

    @Test
    void erasureReadAfterTheDevicesRecordsDropsTheirEvidence() {
        telemetry("gone", ERASED_AT.minusSeconds(3600));
        connect("gone", ERASED_AT.minusSeconds(10));
        assertThat(evidence.device("acme", "gone")).isPresent();
        erase("gone");
        assertThat(evidence.device("acme", "gone")).isEmpty();
        assertThat(evidence.keys()).doesNotContain("acme/gone");
    }

    @Test
    void recordsAfterTheErasureAreNewFactsAndCount() {
        erase("gone");
        connect("gone", ERASED_AT.plusSeconds(1)); // for example an attempt with the revoked certificate
        assertThat(evidence.device("acme", "gone")).isPresent();
        assertThat(evidence.device("acme", "gone").get().connects).isEqualTo(1);
        assertThat(evidence.suppressed()).isZero();
    }
}
