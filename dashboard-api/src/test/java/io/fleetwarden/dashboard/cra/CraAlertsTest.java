package io.fleetwarden.dashboard.cra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/**
 * CRA deadline reminders as alerts, on the injected clock: the reminder before the 24-hour deadline
 * publishes an alert in the platform scope, it turns CRITICAL at the last reminder, the submission
 * resolves it, and a restart (or a second replica reading the same alert topic) publishes nothing twice.
 */
class CraAlertsTest {

    /** The fleet, advisory, stores and clock of {@link CraServiceTest}. */
    final CraServiceTest fx = new CraServiceTest();


    /** fleet.alerts as a list of written records; {@link #materialise} plays the dashboard's materialiser. */
    final List<Alert> written = new ArrayList<>();
    final List<byte[]> bytes = new ArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();
    final RecordPublisher kafka = (topic, key, value) -> {
        if (failing.get()) {
            throw new IllegalStateException("broker unavailable");
        }
        assertThat(topic).isEqualTo(Topics.ALERTS);
        Alert a = Codecs.ALERT.tryDecode(value).value();
        assertThat(key).isEqualTo(a.getAlertId());
        written.add(a);
        bytes.add(value);
    };

    CraService withAlerts(CraCaseStore store, AlertStore materialised, AtomicBoolean live) {
        return new CraService(store, fx.catalog, fx.alerts, fx.posture, fx.clock, new CraAlerts(store, materialised, kafka, live::get));
    }

    void materialise(AlertStore store) {
        written.forEach(store::applyAlert);
    }

    @Test
    void reminderBeforeTheDeadlineIsAnAlertThatEscalatesAndResolvesOnSubmission(@TempDir Path dir) {
        fx.fleet();
        CraCaseStore store = new CraCaseStore(dir.resolve("cases.json"));
        CraService cra = withAlerts(store, fx.alerts, new AtomicBoolean(true));
        CraCase c = cra.markExploited(fx.platform, "FWSA-2026-0042", null, "ex-1", null);
        String id = CraAlerts.alertId(c.caseId(), CraCase.EARLY_WARNING);

        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(17)).plusSeconds(59 * 60); // 6 h 1 min before the early warning is due
        assertThat(cra.checkDeadlines()).isEmpty();
        assertThat(written).isEmpty();

        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(18)); // 6 h before: the reminder
        assertThat(cra.checkDeadlines()).singleElement().extracting(CraService.Reminder::stage).isEqualTo(CraCase.EARLY_WARNING);
        assertThat(written).singleElement().satisfies(a -> {
            assertThat(a.getAlertId()).isEqualTo(id);
            assertThat(a.getRuleId()).isEqualTo(CraAlerts.RULE_ID);
            assertThat(a.getRevision()).isEqualTo(1);
            assertThat(a.getStatus()).isEqualTo(AlertStatus.OPEN);
            assertThat(a.getSeverity()).isEqualTo(Severity.HIGH);
            assertThat(a.getTenant()).isEqualTo(Scopes.PLATFORM);
            assertThat(a.getDeviceId()).isNull();
            assertThat(a.getGuidelines()).containsExactly(2, 3);
            assertThat(a.getOpenedAt()).isEqualTo(CraServiceTest.T0.plus(Duration.ofHours(18)));
            assertThat(a.getEvidence()).containsEntry("caseId", c.caseId()).containsEntry("stage", CraCase.EARLY_WARNING)
                    .containsEntry("due", CraServiceTest.T0.plus(Duration.ofHours(24)).toString());
            assertThat(a.getOpenedAt()).isBefore(CraServiceTest.T0.plus(Duration.ofHours(24)));
        });
        assertThat(cra.checkDeadlines()).as("not yet materialised: the same record again, harmless").isEmpty();
        assertThat(written).hasSize(2);
        assertThat(bytes.get(1)).as("a repeat is byte-identical").isEqualTo(bytes.get(0));
        materialise(fx.alerts);
        written.clear();
        bytes.clear();
        cra.checkDeadlines();
        assertThat(written).as("materialised: nothing to publish").isEmpty();

        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(23)).plusSeconds(1); // the last reminder, under an hour left
        cra.checkDeadlines();
        assertThat(written).singleElement().satisfies(a -> {
            assertThat(a.getAlertId()).isEqualTo(id);
            assertThat(a.getRevision()).isEqualTo(2);
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getStatus()).isEqualTo(AlertStatus.OPEN);
            assertThat(a.getUpdatedAt()).isEqualTo(CraServiceTest.T0.plus(Duration.ofHours(23)));
        });
        materialise(fx.alerts);
        written.clear();

        fx.clock.now = fx.clock.now.plusSeconds(600);
        cra.submit(fx.platform, c.caseId(), CraCase.EARLY_WARNING, "SRP-2026-1");
        assertThat(written).as("resolved by the submission itself").singleElement().satisfies(a -> {
            assertThat(a.getAlertId()).isEqualTo(id);
            assertThat(a.getRevision()).isEqualTo(3);
            assertThat(a.getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(a.getResolvedAt()).isEqualTo(fx.clock.now);
            assertThat(a.getResolution()).isEqualTo("stage submitted to the authority");
            assertThat(a.getEvidence()).containsEntry("reference", "SRP-2026-1");
        });
        materialise(fx.alerts);
        written.clear();
        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(30));
        cra.checkDeadlines();
        assertThat(written).as("resolved stays resolved; the notification is not due for a reminder yet").isEmpty();
        assertThat(fx.alerts.alert(id).orElseThrow().getStatus()).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void aRestartOrASecondReplicaNeverDuplicatesTheAlert(@TempDir Path dir) {
        fx.fleet();
        Path file = dir.resolve("cases.json");
        CraService first = withAlerts(new CraCaseStore(file), fx.alerts, new AtomicBoolean(true));
        CraCase c = first.markExploited(fx.platform, "FWSA-2026-0042", null, "ex-1", null);
        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(19));
        first.checkDeadlines();
        assertThat(written).hasSize(1);
        byte[] original = bytes.get(0);
        List<Alert> topic = new ArrayList<>(written);

        // restart: cases from the file, the alert topic replayed into a fresh store
        AlertStore replayed = new AlertStore();
        AtomicBoolean live = new AtomicBoolean(false);
        CraService restarted = withAlerts(new CraCaseStore(file), replayed, live);
        written.clear();
        bytes.clear();
        fx.clock.now = fx.clock.now.plusSeconds(120);
        assertThat(restarted.checkDeadlines()).as("the reminder is in the case file").isEmpty();
        assertThat(written).as("nothing published before the alert topic is replayed").isEmpty();
        topic.forEach(replayed::applyAlert);
        live.set(true);
        restarted.checkDeadlines();
        assertThat(written).as("the replayed alert is there: no duplicate").isEmpty();

        // a second replica that has not materialised it yet writes the very same record under the same key
        CraService other = withAlerts(new CraCaseStore(file), new AlertStore(), new AtomicBoolean(true));
        other.checkDeadlines();
        assertThat(written).singleElement().extracting(Alert::getAlertId)
                .isEqualTo(CraAlerts.alertId(c.caseId(), CraCase.EARLY_WARNING));
        assertThat(Arrays.equals(bytes.get(0), original)).as("same bytes as the first publication").isTrue();
    }

    @Test
    void aFailedWriteIsRetriedAndIdsDoNotAliasAcrossCasesOrStages(@TempDir Path dir) {
        fx.fleet();
        CraCaseStore store = new CraCaseStore(dir.resolve("cases.json"));
        CraService cra = withAlerts(store, fx.alerts, new AtomicBoolean(true));
        CraCase c = cra.markExploited(fx.platform, "FWSA-2026-0042", null, "ex-1", null);
        fx.clock.now = CraServiceTest.T0.plus(Duration.ofHours(19));
        failing.set(true);
        assertThat(cra.checkDeadlines()).hasSize(1); // the reminder is raised and listed even without Kafka
        assertThat(written).isEmpty();
        failing.set(false);
        cra.checkDeadlines();
        assertThat(written).hasSize(1);

        assertThat(CraAlerts.alertId(c.caseId(), CraCase.EARLY_WARNING))
                .isNotEqualTo(CraAlerts.alertId(c.caseId(), CraCase.NOTIFICATION))
                .isEqualTo(CraAlerts.alertId(c.caseId(), CraCase.EARLY_WARNING))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        // a hostile advisory id cannot make its case's early warning collide with another case's notification
        assertThat(CraAlerts.alertId("CRA-X/notification", CraCase.EARLY_WARNING))
                .isNotEqualTo(CraAlerts.alertId("CRA-X", CraCase.NOTIFICATION));
    }
}
