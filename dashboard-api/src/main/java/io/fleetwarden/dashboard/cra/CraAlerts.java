package io.fleetwarden.dashboard.cra;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.model.rules.RuleDefinition;

/**
 * Raises CRA Article 14 deadline reminders as alerts on {@code fleet.alerts} (rule
 * {@value #RULE_ID}), so analysts triage them in the normal alert queue: one alert per case and stage,
 * opened when the stage's reminder is raised, revised to CRITICAL when the deadline is close
 * ({@link #ESCALATE_BEFORE}) and RESOLVED when the stage is submitted.
 *
 * <p>Scope: the reserved scope {@link Scopes#PLATFORM}, seen only by platform-wide roles. Only they can
 * act on a case (record the fix, submit a stage), a case spans every tenant the advisory affects, and
 * the alert names the case's whole picture; a tenant learns of the case through the CRA page, scoped
 * to its own devices.
 *
 * <p>Idempotence: the alert id is a SHA-256 name-based UUID of rule, stage and case (like the stream
 * jobs' {@code AlertIds}), and every revision is a pure function of the case record (revision 1 = open,
 * 2 = escalated, 3 = resolved; times come from the case's reminder and submission times and the
 * deadline, never from the clock of the replica that publishes). Before publishing, the materialised
 * alert is checked: a revision already there (or newer) is not published again, so a restart does not
 * duplicate it, and two API replicas that both publish write the same bytes under the same key.
 * Publishing waits until the alert topic is replayed ({@code live}), else a restart would not yet see
 * what it published before.
 */
public final class CraAlerts {

    public static final String RULE_ID = "CRA-DEADLINE-001";
    /** From when before the deadline the alert is CRITICAL (the last reminder). */
    public static final Map<String, Duration> ESCALATE_BEFORE = Map.of(CraCase.EARLY_WARNING, Duration.ofHours(1),
            CraCase.NOTIFICATION, Duration.ofHours(2), CraCase.FINAL_REPORT, Duration.ofDays(1));
    static final int OPENED = 1;
    static final int ESCALATED = 2;
    static final int RESOLVED = 3;

    private static final Logger LOG = LoggerFactory.getLogger(CraAlerts.class);

    private final CraCaseStore store;
    private final AlertStore alerts;
    private final RecordPublisher publisher;
    private final BooleanSupplier live;
    private final RuleDefinition rule = RuleCatalog.standard().byId(RULE_ID)
            .orElseThrow(() -> new IllegalStateException("rule " + RULE_ID + " is not in the catalogue"));

    public CraAlerts(CraCaseStore store, AlertStore alerts, RecordPublisher publisher, BooleanSupplier live) {
        this.store = store;
        this.alerts = alerts;
        this.publisher = publisher;
        this.live = live;
    }

    /** The alert id of {@code stage} of {@code caseId}: the stage (a fixed word) first, so no case id can alias another pair. */
    public static String alertId(String caseId, String stage) {
        byte[] h = sha256((RULE_ID + "/" + stage + "/" + caseId).getBytes(StandardCharsets.UTF_8));
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

    /**
     * Publishes every alert revision the cases call for at {@code now} that the materialised alerts do
     * not hold yet; returns what was published (nothing before the alert topic is replayed). A failed
     * write is logged and retried on the next call.
     */
    public List<Alert> sync(Instant now) {
        List<Alert> published = new ArrayList<>();
        if (publisher == null || !live.getAsBoolean()) {
            return published;
        }
        for (CraCase c : store.list()) {
            for (String stage : CraCase.STAGES) {
                Alert wanted = wanted(c, stage, now);
                if (wanted == null) {
                    continue;
                }
                Alert have = alerts.alert(wanted.getAlertId()).orElse(null);
                if (have != null && have.getRevision() >= wanted.getRevision()) {
                    continue;
                }
                try {
                    publisher.publish(Topics.ALERTS, wanted.getAlertId(), Codecs.ALERT.encode(wanted));
                    published.add(wanted);
                } catch (RuntimeException e) {
                    LOG.warn("CRA deadline alert {} of case {} not published (retried next check): {}", stage,
                            c.caseId(), e.toString());
                }
            }
        }
        return published;
    }

    /** The revision of the stage's alert the case calls for at {@code now}, or null (no reminder raised yet). */
    Alert wanted(CraCase c, String stage, Instant now) {
        Instant remindedAt = c.reminders().get(stage);
        Instant due = c.deadline(stage);
        if (remindedAt == null || due == null) {
            return null;
        }
        Instant escalateAt = due.minus(ESCALATE_BEFORE.get(stage));
        CraCase.Submission sub = c.submissions().get(stage);
        Instant last = sub != null ? sub.at() : now;
        boolean escalated = !last.isBefore(escalateAt);
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("caseId", c.caseId());
        evidence.put("advisoryId", c.advisoryId());
        evidence.put("stage", stage);
        evidence.put("due", due.toString());
        evidence.put("remindedAt", remindedAt.toString());
        evidence.put("escalatesAt", escalateAt.toString());
        evidence.put("cveIds", String.join(",", c.cveIds()));
        evidence.put("model", c.model());
        evidence.put("affectedVersions", c.affectedVersions() == null ? "" : c.affectedVersions());
        Alert.Builder a = Alert.newBuilder().setAlertId(alertId(c.caseId(), stage)).setRuleId(RULE_ID)
                .setRuleName(rule.name()).setTenant(Scopes.PLATFORM).setDeviceId(null).setCohortDimension(null)
                .setCohortValue(null).setGuidelines(rule.guidelines()).setMitreTechnique(rule.mitreTechnique())
                .setParentAlertId(null).setOpenedAt(remindedAt)
                .setSeverity(escalated ? Severity.CRITICAL : Severity.valueOf(rule.severity().name()))
                .setSummary("CRA Article 14 " + stage + " of case " + c.caseId() + " (" + String.join(", ", c.cveIds())
                        + ") due " + due);
        if (sub != null) {
            evidence.put("submittedAt", sub.at().toString());
            evidence.put("submittedBy", sub.by());
            evidence.put("reference", sub.reference());
            return a.setRevision(RESOLVED).setStatus(AlertStatus.RESOLVED).setEvidence(evidence)
                    .setResolution("stage submitted to the authority" + (sub.at().isAfter(due) ? " after the deadline" : ""))
                    .setUpdatedAt(max(remindedAt, sub.at())).setResolvedAt(max(remindedAt, sub.at())).build();
        }
        return a.setRevision(escalated ? ESCALATED : OPENED).setStatus(AlertStatus.OPEN).setEvidence(evidence)
                .setResolution(null).setUpdatedAt(escalated ? max(remindedAt, escalateAt) : remindedAt)
                .setResolvedAt(null).build();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
