package io.fleetwarden.jobs.detect;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.fleetwarden.model.Severity;

/**
 * What a detector says about one subject and one rule: the condition holds ({@link Action#OPEN},
 * again with fresher evidence if already open), it cleared ({@link Action#CLEAR}), or the subject's
 * alert belongs to an incident ({@link Action#FOLD}). The alert stage turns findings into
 * deduplicated {@code Alert} revisions. A Flink POJO: public fields and a no-argument constructor.
 */
public class Finding {

    /** What happened to the rule's condition. */
    public enum Action { OPEN, CLEAR, FOLD, ERASE }

    public String ruleId;
    public Action action;
    public String tenant;
    /** Device the finding is about; null for cohort, address and claimed-identity subjects. */
    public String deviceId;
    /** For non-device subjects: model, region, broker, source-address or claimed-identity. */
    public String cohortDimension;
    public String cohortValue;
    public String summary;
    public Map<String, String> evidence = new TreeMap<>();
    /** Event time the finding refers to (epoch millis). */
    public long timestamp;
    /** For FOLD: the incident alert id; otherwise null. ERASE: the subject was erased at {@link #timestamp}. */
    public String parentAlertId;
    /** Overrides the rule's severity (e.g. advisory severity); null keeps the rule's. */
    public Severity severity;
    /**
     * For a cohort incident's opening finding: device ids of its members (bounded, see
     * {@link CohortRules#MEMBERS_KEPT}); the incident stage compares incidents by them. Null otherwise; not part of the
     * alert.
     */
    public java.util.List<String> members;

    public Finding() {
    }

    public static Finding device(String ruleId, Action action, String tenant, String deviceId, long timestamp, String summary) {
        Finding f = new Finding();
        f.ruleId = ruleId;
        f.action = action;
        f.tenant = tenant;
        f.deviceId = deviceId;
        f.timestamp = timestamp;
        f.summary = summary;
        return f;
    }

    public static Finding other(String ruleId, Action action, String tenant, String dimension, String value,
                                long timestamp, String summary) {
        Finding f = new Finding();
        f.ruleId = ruleId;
        f.action = action;
        f.tenant = tenant;
        f.cohortDimension = dimension;
        f.cohortValue = value;
        f.timestamp = timestamp;
        f.summary = summary;
        return f;
    }

    public Finding with(String key, Object value) {
        evidence.put(key, String.valueOf(value));
        return this;
    }

    /** The subject: {@code tenant/deviceId} or {@code tenant|dimension=value}. */
    public String subjectKey() {
        return subjectKey(tenant, deviceId, cohortDimension, cohortValue);
    }

    public static String subjectKey(String tenant, String deviceId, String dimension, String value) {
        return deviceId != null ? tenant + "/" + deviceId : tenant + "|" + dimension + "=" + value;
    }

    /** Key of the alert stage: one open alert per subject and rule. */
    public String alertKey() {
        return subjectKey() + "#" + ruleId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Finding f)) {
            return false;
        }
        return timestamp == f.timestamp && Objects.equals(ruleId, f.ruleId) && action == f.action
                && Objects.equals(subjectKey(), f.subjectKey()) && Objects.equals(evidence, f.evidence)
                && Objects.equals(parentAlertId, f.parentAlertId) && severity == f.severity;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ruleId, action, subjectKey(), timestamp);
    }

    @Override
    public String toString() {
        return action + " " + ruleId + " " + subjectKey() + " @" + timestamp + " " + evidence
                + (parentAlertId == null ? "" : " parent=" + parentAlertId);
    }
}
