package io.fleetwarden.dashboard.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fleetwarden.dashboard.Fixtures;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.TriageState;
import io.fleetwarden.model.codec.Codecs;

class AlertServiceTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    final Clock clock = Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC);
    final AlertStore store = new AlertStore();
    final List<AlertTriage> published = new ArrayList<>();
    final io.fleetwarden.dashboard.audit.AuditStore auditStore = new io.fleetwarden.dashboard.audit.AuditStore();
    final io.fleetwarden.dashboard.audit.AuditLog audit = new io.fleetwarden.dashboard.audit.AuditLog(auditStore,
            (topic, key, value) -> { }, io.fleetwarden.dashboard.web.Json.mapper(), clock);
    final AlertService service = new AlertService(store, (topic, key, value) -> {
        assertThat(topic).isEqualTo(Topics.ALERT_TRIAGE);
        published.add(Codecs.ALERT_TRIAGE.tryDecode(value).value());
    }, clock, audit, auditStore);
    final Principal acme = new Principal("alice", Role.ANALYST, Set.of("acme"), false);
    final Principal globex = new Principal("bob", Role.ANALYST, Set.of("globex"), false);

    Alert alert(String id) {
        Alert a = Fixtures.alert(id, "acme", "cam-1", "FW-COMP-001", Severity.HIGH, T0);
        store.applyAlert(a);
        return a;
    }

    @Test
    void everyActionPublishesTheFullStateWithWhoAndWhen() {
        alert("x");
        service.acknowledge(acme, "x");
        service.comment(acme, "x", "hello");
        AlertView v = service.resolve(acme, "x", "false-positive");
        assertThat(v.status()).isEqualTo("RESOLVED");
        assertThat(v.resolution()).isEqualTo("FALSE_POSITIVE");
        assertThat(published).extracting(AlertTriage::getVersion).containsExactly(1, 2, 3);
        AlertTriage last = published.get(2);
        assertThat(last.getHistory()).hasSize(3);
        assertThat(last.getHistory().get(1).getActor()).isEqualTo("alice");
        assertThat(last.getHistory().get(1).getAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(last.getHistory().get(1).getDetail()).isEqualTo("hello");
    }

    @Test
    void anOlderTriageVersionArrivingLateDoesNotWinAndHistoryIsNotLost() {
        alert("x");
        service.acknowledge(acme, "x");
        AlertTriage v1 = published.get(0);
        service.comment(acme, "x", "second");
        store.applyTriage(v1); // replay of the first record after the second was applied
        assertThat(store.triage("x").orElseThrow().getVersion()).isEqualTo(2);
        service.comment(acme, "x", "third");
        assertThat(published.get(2).getHistory()).extracting(h -> h.getAction())
                .containsExactly("acknowledge", "comment", "comment");
    }

    @Test
    void jobResolutionShowsResolvedUntilAnAnalystReopensAfterIt() {
        Alert a = alert("x");
        Alert resolved = Fixtures.resolvedByJob(a, T0.plusSeconds(30));
        store.applyAlert(resolved);
        assertThat(service.get(acme, "x").status()).isEqualTo("RESOLVED");
        AlertView reopened = service.reopen(acme, "x", "still happening");
        assertThat(reopened.status()).isEqualTo("OPEN");
        assertThat(reopened.jobStatus()).isEqualTo("RESOLVED");
        // a later job resolution wins again
        store.applyAlert(Alert.newBuilder(resolved).setRevision(5).setResolvedAt(T0.plusSeconds(120))
                .setUpdatedAt(T0.plusSeconds(120)).build());
        assertThat(service.get(acme, "x").status()).isEqualTo("RESOLVED");
        // an older revision never overwrites a newer one
        store.applyAlert(a);
        assertThat(store.alert("x").orElseThrow().getRevision()).isEqualTo(5);
    }

    @Test
    void invalidTransitionsAndOtherTenantsAreRefused() {
        alert("x");
        assertThatThrownBy(() -> service.reopen(acme, "x", null)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(409));
        service.resolve(acme, "x", "duplicate");
        assertThatThrownBy(() -> service.acknowledge(acme, "x")).satisfies(e ->
                assertThat(((ApiException) e).status()).isEqualTo(409));
        assertThatThrownBy(() -> service.comment(globex, "x", "hi")).satisfies(e ->
                assertThat(((ApiException) e).status()).isEqualTo(404));
        assertThatThrownBy(() -> service.get(globex, "x")).satisfies(e ->
                assertThat(((ApiException) e).status()).isEqualTo(404));
        assertThatThrownBy(() -> AlertService.parseResolution("meh")).hasMessageContaining("true-positive");
        assertThat(store.triage("x").orElseThrow().getState()).isEqualTo(TriageState.RESOLVED);
    }

    @Test
    void listFiltersByStatusSeverityRuleDeviceCohortAndTimeAndPages() {
        for (int i = 0; i < 10; i++) {
            store.applyAlert(Fixtures.alert("a" + i, i < 7 ? "acme" : "globex", "cam-" + (i % 2),
                    i % 3 == 0 ? "R1" : "R2", i == 4 ? Severity.CRITICAL : Severity.LOW, T0.plusSeconds(i)));
        }
        store.applyAlert(Alert.newBuilder(Fixtures.alert("c1", "acme", null, "R9", Severity.HIGH, T0))
                .setCohortDimension("model").setCohortValue("cam-x1").build());
        service.acknowledge(acme, "a2");
        AlertService.Page all = service.list(new AlertQuery(Set.of("acme"), null, null, null, null, null, null, null, 0, 3));
        assertThat(all.total()).isEqualTo(8);
        assertThat(all.items()).extracting(AlertView::alertId).containsExactly("a6", "a5", "a4");
        assertThat(service.list(new AlertQuery(Set.of("acme"), "acknowledged", null, null, null, null, null, null, 0, 50))
                .items()).extracting(AlertView::alertId).containsExactly("a2");
        assertThat(service.list(new AlertQuery(Set.of(), null, "critical", null, null, null, null, null, 0, 50)).total())
                .isEqualTo(1);
        assertThat(service.list(new AlertQuery(Set.of("acme"), null, null, "R1", "cam-0", null, null, null, 0, 50))
                .items()).extracting(AlertView::alertId).containsExactly("a6", "a0");
        assertThat(service.list(new AlertQuery(Set.of("acme"), null, null, null, null, "model=cam-x1", null, null, 0, 50))
                .items()).extracting(AlertView::alertId).containsExactly("c1");
        assertThat(service.list(new AlertQuery(Set.of("acme"), null, null, null, null, null, T0.plusSeconds(2),
                T0.plusSeconds(4), 0, 50)).items()).extracting(AlertView::alertId).containsExactly("a3", "a2");
        assertThat(service.list(new AlertQuery(Set.of("globex"), null, null, null, null, null, null, null, 0, 50)).total())
                .isEqualTo(3);
    }

    @Test
    void deviceAlertsFoldedUnderAnIncidentAreListedByParentAtTheirNewestRevision() {
        // stream-jobs: an incident (cohort alert) and member RES-OFF-001 alerts; the fold is a new
        // revision of the member alert that sets parentAlertId
        store.applyAlert(Alert.newBuilder(Fixtures.alert("inc", "acme", null, "RES-COHORT-001", Severity.HIGH, T0))
                .setCohortDimension("model").setCohortValue("cam-x1").build());
        Alert m1 = alert("m1");
        Alert m2 = alert("m2");
        alert("other");
        store.applyAlert(Alert.newBuilder(m1).setRevision(2).setParentAlertId("inc").setUpdatedAt(T0.plusSeconds(5)).build());
        store.applyAlert(Alert.newBuilder(m2).setRevision(2).setParentAlertId("inc").setUpdatedAt(T0.plusSeconds(6)).build());
        // a stale revision 1 replayed late must not unfold m2
        store.applyAlert(m2);
        AlertService.Page folded = service.list(new AlertQuery(Set.of("acme"), null, null, null, null, null, null, null,
                0, 50, "inc"));
        assertThat(folded.items()).extracting(AlertView::alertId).containsExactlyInAnyOrder("m1", "m2");
        assertThat(folded.items()).allSatisfy(v -> {
            assertThat(v.parentAlertId()).isEqualTo("inc");
            assertThat(v.revision()).isEqualTo(2);
        });
        assertThat(service.list(new AlertQuery(Set.of("globex"), null, null, null, null, null, null, null, 0, 50, "inc"))
                .total()).isZero();
    }
}
