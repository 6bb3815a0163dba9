package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.SecurityEvent;

/** Harness tests of the keyed one-input detectors and the alert stage: output, timers, state cleanup. */
class DetectorHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    @Test
    void securityBurstOpensAtThresholdResolvesWhenQuietAndClearsItsState() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, SubjectEvent, Finding>(
                new KeyedProcessOperator<>(new SecurityBurstFunction(CFG)), s -> s.key, Types.STRING)) {
            h.open();
            for (int i = 0; i < 5; i++) {
                SecurityEvent e = Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 1000L);
                SecuritySubject claimed = SecuritySubject.of(e).get(0);
                assertThat(claimed.kind()).isEqualTo(SecuritySubject.Kind.CLAIMED_IDENTITY);
                h.processElement(new StreamRecord<>(new SubjectEvent(claimed, e), T0 + i * 1000L));
                if (i < 4) {
                    assertThat(h.extractOutputValues()).isEmpty();
                }
            }
            List<Finding> out = h.extractOutputValues();
            assertThat(out).singleElement().satisfies(f -> {
                assertThat(f.ruleId).isEqualTo("CMP-AUTH-001");
                assertThat(f.action).isEqualTo(Action.OPEN);
                assertThat(f.cohortValue).isEqualTo("cam-7");
                assertThat(f.evidence).containsEntry("events", "5");
            });
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isPositive();

            h.getOutput().clear();
            h.processWatermark(new Watermark(T0 + 4000 + CFG.burstQuietMs - 1));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(new Watermark(T0 + 4000 + CFG.burstQuietMs));
            assertThat(h.extractOutputValues()).singleElement().satisfies(f -> assertThat(f.action).isEqualTo(Action.CLEAR));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).as("state cleared after resolution").isZero();
        }
    }

    @Test
    void aQuietBurstResolvesAtItsQuietTimeEvenWhenTheWatermarkJumpsFarPastIt() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, SubjectEvent, Finding>(
                new KeyedProcessOperator<>(new SecurityBurstFunction(CFG)), s -> s.key, Types.STRING)) {
            h.open();
            for (int i = 0; i < 12; i++) {
                SecurityEvent e = Events.authFailure("cam-7", "198.51.100." + i, T0 + i * 1000L);
                h.processElement(new StreamRecord<>(new SubjectEvent(SecuritySubject.of(e).get(0), e), T0 + i * 1000L));
            }
            assertThat(h.numEventTimeTimers()).as("one (lazy) timer, not one per event").isEqualTo(1);
            h.getOutput().clear();
            h.processWatermark(new Watermark(T0 + 11_000 + CFG.burstQuietMs + 3_600_000));
            assertThat(h.<Finding>extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.action).isEqualTo(Action.CLEAR);
                assertThat(f.timestamp).isEqualTo(T0 + 11_000 + CFG.burstQuietMs);
            });
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void alertStageDeduplicatesRevisesResolvesAndDropsState() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert>(
                new KeyedProcessOperator<>(new AlertFunction()), Finding::alertKey, Types.STRING)) {
            h.open();
            Finding open = Finding.device("CMP-NET-001", Action.OPEN, "acme", "cam-1", T0, "telnet").with("ports", "[23]");
            h.processElement(new StreamRecord<>(open, T0));
            h.processElement(new StreamRecord<>(open, T0 + 1000)); // same evidence: swallowed
            Finding more = Finding.device("CMP-NET-001", Action.OPEN, "acme", "cam-1", T0 + 2000, "telnet").with("ports", "[23, 2323]");
            h.processElement(new StreamRecord<>(more, T0 + 2000));
            Finding clear = Finding.device("CMP-NET-001", Action.CLEAR, "acme", "cam-1", T0 + 3000, "closed");
            h.processElement(new StreamRecord<>(clear, T0 + 3000));

            List<Alert> alerts = h.extractOutputValues();
            assertThat(alerts).extracting(Alert::getRevision).containsExactly(1, 2, 3);
            assertThat(alerts).extracting(Alert::getAlertId).containsOnly(alerts.get(0).getAlertId());
            assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.OPEN, AlertStatus.OPEN, AlertStatus.RESOLVED);
            assertThat(alerts.get(1).getEvidence()).containsEntry("ports", "[23, 2323]");
            assertThat(alerts.get(2).getResolution()).startsWith("condition-cleared");
            assertThat(alerts.get(0).getGuidelines()).containsExactly(6);
            assertThat(alerts.get(0).getMitreTechnique()).isEqualTo("T1021");
            assertThat(h.numKeyedStateEntries()).as("state dropped once resolved").isZero();

            // A new occurrence after resolution is a new alert with a new id.
            h.processElement(new StreamRecord<>(Finding.device("CMP-NET-001", Action.OPEN, "acme", "cam-1", T0 + 9000, "again")
                    .with("ports", "[23]"), T0 + 9000));
            List<Alert> all = h.extractOutputValues();
            assertThat(all.get(3).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
            assertThat(all.get(3).getRevision()).isEqualTo(1);
        }
    }

    @Test
    void incidentFoldWaitsForTheMembersAlertThenExpires() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, Finding, Alert>(
                new KeyedProcessOperator<>(new AlertFunction()), Finding::alertKey, Types.STRING)) {
            h.open();
            Finding fold = Finding.device("RES-OFF-001", Action.FOLD, "acme", "cam-1", T0, "part of outage");
            fold.parentAlertId = "incident-1";
            h.processElement(new StreamRecord<>(fold, T0));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processElement(new StreamRecord<>(Finding.device("RES-OFF-001", Action.OPEN, "acme", "cam-1", T0 + 60_000, "offline"), T0 + 60_000));
            List<Alert> alerts = h.extractOutputValues();
            assertThat(alerts).singleElement().satisfies(a -> assertThat(a.getParentAlertId()).isEqualTo("incident-1"));

            // A fold for a device whose alert never opens expires with its timer and leaves no state.
            Finding other = Finding.device("RES-OFF-001", Action.FOLD, "acme", "cam-2", T0, "part of outage");
            other.parentAlertId = "incident-1";
            h.processElement(new StreamRecord<>(other, T0));
            h.processWatermark(new Watermark(T0 + AlertFunction.PENDING_PARENT_MS + 1));
            h.processElement(new StreamRecord<>(Finding.device("RES-OFF-001", Action.CLEAR, "acme", "cam-1", T0 + 120_000, "back"), T0 + 120_000));
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
