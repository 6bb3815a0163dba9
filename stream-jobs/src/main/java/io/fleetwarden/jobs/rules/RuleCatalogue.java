package io.fleetwarden.jobs.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.model.rules.RuleDefinition;

/**
 * The detection catalogue of the stream jobs: the entries of the event-model {@link RuleCatalog} (the one
 * source of ids, names, severities, guidelines, techniques, descriptions and threshold defaults), as
 * {@link Rule}s, with a constant per rule for the code that emits it; the catalogue's rules the stream jobs do not raise
 * ({@link RuleDefinition#raisedByStreamJobs()}) are left out. {@link DetectionConfig} takes its
 * defaults from the same catalogue.
 */
public final class RuleCatalogue {

    /** The rule with this id in the event-model catalogue (a constant naming an id it lacks fails at class loading). */
    private static Rule from(String id) {
        RuleCatalog catalog = RuleCatalog.standard();
        return Rule.of(catalog.byId(id).orElseThrow(() -> new IllegalStateException("rule " + id + " is not in the catalogue")),
                catalog);
    }

    // Compromise
    public static final Rule AUTH_FAILURES_PER_IDENTITY = from("CMP-AUTH-001");
    public static final Rule AUTH_FAILURES_PER_ADDRESS = from("CMP-AUTH-002");
    public static final Rule DEFAULT_CREDENTIALS = from("CMP-AUTH-003");
    public static final Rule IDENTITY_TWO_ADDRESSES = from("CMP-IDENT-001");
    public static final Rule SESSION_PING_PONG = from("CMP-IDENT-002");
    public static final Rule MODEL_MISMATCH = from("CMP-IDENT-003");
    public static final Rule TOPIC_PROBING = from("CMP-AUTHZ-001");
    public static final Rule PUBLISH_RATE_OWN = from("CMP-RATE-001");
    public static final Rule PUBLISH_RATE_PEERS = from("CMP-RATE-002");
    public static final Rule PUBLISH_RATE_FIRST_HOUR = from("CMP-RATE-003");
    public static final Rule VALIDATION_BURST = from("CMP-VAL-001");
    public static final Rule CLOCK_SKEW = from("CMP-CLOCK-001");
    public static final Rule TELNET_PORT = from("CMP-NET-001");
    public static final Rule NEW_MODEL_PORT = from("CMP-NET-002");
    public static final Rule CONNECTION_SPIKE = from("CMP-NET-003");
    public static final Rule TRAFFIC_SPIKE = from("CMP-NET-004");
    public static final Rule NEW_DESTINATIONS = from("CMP-NET-005");
    public static final Rule REVOKED_CERTIFICATE = from("CMP-CERT-001");
    public static final Rule IMAGE_HASH_MISMATCH = from("CMP-FW-001");
    public static final Rule RESOURCE_ABUSE = from("CMP-RES-001");

    // Resilience
    public static final Rule DEVICE_OFFLINE = from("RES-OFF-001");
    public static final Rule FLAPPING = from("RES-FLAP-001");
    public static final Rule COHORT_OUTAGE = from("RES-COH-001");
    public static final Rule RECONNECT_STORM = from("RES-STORM-001");
    public static final Rule BOOT_LOOP = from("RES-BOOT-001");

    // Firmware
    public static final Rule BEHIND_LATEST = from("FW-VER-001");
    public static final Rule ADVISORY_AFFECTED = from("FW-ADV-001");
    public static final Rule END_OF_SUPPORT = from("FW-EOS-001");
    public static final Rule DOWNGRADE = from("FW-DOWN-001");
    public static final Rule UPDATE_FAILURE_LOOP = from("FW-UPD-001");
    public static final Rule CERTIFICATE_EXPIRY = from("FW-CERT-001");

    private static final Map<String, Rule> BY_ID = new LinkedHashMap<>();

    static {
        RuleCatalog catalog = RuleCatalog.standard();
        // COMPLIANCE rules (CRA-DEADLINE-001) are raised by the dashboard API, never by a detector here
        catalog.rules().stream().filter(RuleDefinition::raisedByStreamJobs).forEach(d -> BY_ID.put(d.id(), Rule.of(d, catalog)));
    }

    private RuleCatalogue() {
    }

    /** Every rule, in catalogue order. */
    public static List<Rule> all() {
        return List.copyOf(BY_ID.values());
    }

    public static Optional<Rule> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    /** The rule with this id; a finding with an unknown id is a programming error. */
    public static Rule require(String id) {
        Rule r = BY_ID.get(id);
        if (r == null) {
            throw new IllegalArgumentException("unknown rule id " + id);
        }
        return r;
    }
}
