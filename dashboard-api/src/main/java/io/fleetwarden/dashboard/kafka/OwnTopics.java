package io.fleetwarden.dashboard.kafka;

import java.util.List;
import java.util.Map;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;

/**
 * The topics the dashboard API owns and creates on demand when the deployment has not: triage
 * state, the append-only audit trail, the erasable audit details, the erasure records and the device registry.
 * Values of the last four are JSON documents described in the module README.
 */
public final class OwnTopics {

    /** Append-only, hash-chained audit entries (key = chain id); never compacted, kept forever. */
    public static final String AUDIT = "fleet.audit";
    /** Free-text details of audit entries (key = entry id), compacted: erasure tombstones them. */
    public static final String AUDIT_DETAILS = "fleet.audit-details";
    /** One record per erased device (key = device key), compacted; every reader honours it on replay (event-model). */
    public static final String ERASURES = Topics.ERASURES;

    public static final TopicSpec AUDIT_SPEC = new TopicSpec(AUDIT, "chain id (alert:<id>, device:<tenant>/<id>, certificate:<id>)",
            false, 3, "append-only audit trail of triage and control actions, a SHA-256 hash chain per subject");
    public static final TopicSpec AUDIT_DETAILS_SPEC = new TopicSpec(AUDIT_DETAILS, "audit entry id (chain#seq)", true, 3,
            "salted free text of audit entries (comments, reasons); tombstoned when the subject's data is erased");
    public static final TopicSpec ERASURES_SPEC = Topics.ERASURES_SPEC;

    /** Every topic this module creates on demand, in creation order. */
    public static final List<TopicSpec> ALL = List.of(Topics.ALERT_TRIAGE_SPEC, AUDIT_SPEC, AUDIT_DETAILS_SPEC,
            ERASURES_SPEC, Topics.DEVICE_REGISTRY_SPEC);

    private OwnTopics() {
    }

    /** Topic-level configs for creating {@code spec}. The audit trail is never deleted by retention. */
    public static Map<String, String> configs(TopicSpec spec) {
        if (spec.name().equals(AUDIT)) {
            return Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");
        }
        return Map.of("cleanup.policy", spec.cleanupPolicy());
    }
}
