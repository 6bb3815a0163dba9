package io.fleetwarden.jobs.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fleetwarden.jobs.rules.Rule.Category;
import io.fleetwarden.model.Severity;

/**
 * The detection catalogue. Threshold defaults live in {@link DetectionConfig}; the strings here only
 * document them for the README table and the dashboard.
 */
public final class RuleCatalogue {

    // Compromise
    public static final Rule AUTH_FAILURES_PER_IDENTITY = new Rule("CMP-AUTH-001", Category.COMPROMISE,
            "Authentication-failure burst per claimed identity", Severity.HIGH,
            "Many failed TLS/MQTT authentications claiming one client id: credential guessing or a stolen id used with a forged certificate.",
            List.of(4, 5), "T1110", "auth.identity.count=5 within auth.identity.window=60s");
    public static final Rule AUTH_FAILURES_PER_ADDRESS = new Rule("CMP-AUTH-002", Category.COMPROMISE,
            "Authentication-failure burst per source address", Severity.HIGH,
            "Many failed authentications from one source address, whatever identity it claims: brute force or spraying.",
            List.of(4, 5), "T1110", "auth.address.count=10 within auth.address.window=60s");
    public static final Rule DEFAULT_CREDENTIALS = new Rule("CMP-AUTH-003", Category.COMPROMISE,
            "Default-credential attempt", Severity.HIGH,
            "A CONNECT carried credentials known to be factory defaults (devices never log in with passwords).",
            List.of(1), "T1078.001", "defaultCredentials.count=1 within 1h");
    public static final Rule IDENTITY_TWO_ADDRESSES = new Rule("CMP-IDENT-001", Category.COMPROMISE,
            "One identity live from two source addresses", Severity.CRITICAL,
            "A device connected from a second address while still connected from the first: a cloned certificate and key.",
            List.of(4), "T1552.004", "any overlap");
    public static final Rule SESSION_PING_PONG = new Rule("CMP-IDENT-002", Category.COMPROMISE,
            "Session ping-pong", Severity.HIGH,
            "Connections with the same identity keep taking each other over: two holders of the same credentials.",
            List.of(4), "T1552.004", "pingPong.count=3 session takeovers within pingPong.window=10m");
    public static final Rule TOPIC_PROBING = new Rule("CMP-AUTHZ-001", Category.COMPROMISE,
            "Topic-authorization probing", Severity.MEDIUM,
            "A device repeatedly publishes or subscribes outside its own topics: exploring the broker.",
            List.of(6), "T1046", "probing.count=5 within probing.window=5m");
    public static final Rule PUBLISH_RATE_OWN = new Rule("CMP-RATE-001", Category.COMPROMISE,
            "Publish rate far from own baseline", Severity.MEDIUM,
            "Telemetry messages per minute far above the device's own robust baseline (EWMA median/MAD, Huber-clipped).",
            List.of(10), "T1498", "rate.k=6 robust deviations after baseline.minSamples=20");
    public static final Rule PUBLISH_RATE_PEERS = new Rule("CMP-RATE-002", Category.COMPROMISE,
            "Traffic far from model peers", Severity.MEDIUM,
            "Outbound bytes per second far above what devices of the same model send.",
            List.of(10), "T1498", "peer.k=8 robust deviations after peer.minSamples=50");
    public static final Rule VALIDATION_BURST = new Rule("CMP-VAL-001", Category.COMPROMISE,
            "Burst of malformed or oversized payloads", Severity.MEDIUM,
            "Many payloads refused by validation: fuzzing, a broken or tampered firmware.",
            List.of(13), "T1499", "validation.count=10 within validation.window=60s");
    public static final Rule TELNET_PORT = new Rule("CMP-NET-001", Category.COMPROMISE,
            "Telnet port listening", Severity.CRITICAL,
            "The device reports a listening Telnet port (23/2323): the classic Mirai foothold.",
            List.of(6), "T1021", "ports.risky=23,2323");
    public static final Rule NEW_MODEL_PORT = new Rule("CMP-NET-002", Category.COMPROMISE,
            "Listening port the model never had", Severity.HIGH,
            "A listening port no device of the same model had during the model's learning period.",
            List.of(6), "T1571", "peer.portLearning=6h per model");
    public static final Rule CONNECTION_SPIKE = new Rule("CMP-NET-003", Category.COMPROMISE,
            "Established-connection spike", Severity.HIGH,
            "Far more established outbound connections than the device's baseline: flooding or proxying.",
            List.of(10), "T1498", "rate.k=6 robust deviations, at least net.minConnections=20");
    public static final Rule TRAFFIC_SPIKE = new Rule("CMP-NET-004", Category.COMPROMISE,
            "Outbound traffic spike", Severity.HIGH,
            "Outbound bytes per second far above the device's baseline: exfiltration or DDoS participation.",
            List.of(10), "T1048", "traffic.k=12 robust deviations (at least 4x the own level) after baseline.minSamples=20");
    public static final Rule NEW_DESTINATIONS = new Rule("CMP-NET-005", Category.COMPROMISE,
            "Many new destinations", Severity.HIGH,
            "The device contacts many destinations it never contacted before: scanning or worm spread.",
            List.of(6, 10), "T1046", "destinations.count=20 new within destinations.window=10m");
    public static final Rule REVOKED_CERTIFICATE = new Rule("CMP-CERT-001", Category.COMPROMISE,
            "Revoked certificate used", Severity.HIGH,
            "A connection presented a revoked device certificate: a decommissioned or stolen credential.",
            List.of(4), "T1649", "revoked.count=1 within 1h");
    public static final Rule IMAGE_HASH_MISMATCH = new Rule("CMP-FW-001", Category.COMPROMISE,
            "Firmware image hash mismatch", Severity.CRITICAL,
            "The running image's SHA-256 differs from the catalog's hash for that version: modified firmware.",
            List.of(7), "T1601", "exact match required");

    // Resilience
    public static final Rule DEVICE_OFFLINE = new Rule("RES-OFF-001", Category.RESILIENCE,
            "Device offline past expected interval", Severity.MEDIUM,
            "No telemetry for longer than the device's learnt report interval times a factor.",
            List.of(9), null, "offline.factor=3 x learnt interval, at least offline.min=60s");
    public static final Rule FLAPPING = new Rule("RES-FLAP-001", Category.RESILIENCE,
            "Connection flapping", Severity.MEDIUM,
            "Connect/disconnect loop: unstable network, crash loop or a fight over the identity.",
            List.of(9), null, "flapping.count=5 disconnects within flapping.window=10m");
    public static final Rule COHORT_OUTAGE = new Rule("RES-COH-001", Category.RESILIENCE,
            "Correlated cohort outage", Severity.HIGH,
            "Many devices of one model, region or broker dropped together: one incident, device alerts folded into it.",
            List.of(9), "T1499", "cohort.minDevices=10 and cohort.fraction=0.3 of the cohort within cohort.window=2m");
    public static final Rule RECONNECT_STORM = new Rule("RES-STORM-001", Category.RESILIENCE,
            "Disorderly reconnect storm", Severity.MEDIUM,
            "Many devices of a cohort reconnected at once instead of an orderly, spread-out return.",
            List.of(9), null, "storm.count=50 reconnects within storm.window=60s and orderliness < storm.orderliness=0.1");

    // Firmware
    public static final Rule BEHIND_LATEST = new Rule("FW-VER-001", Category.FIRMWARE,
            "Firmware behind latest past grace period", Severity.LOW,
            "The device runs an older version than the catalog's latest, released longer ago than the grace period.",
            List.of(3), null, "firmware.grace=30d");
    public static final Rule ADVISORY_AFFECTED = new Rule("FW-ADV-001", Category.FIRMWARE,
            "Firmware inside an advisory's affected range", Severity.HIGH,
            "The running version is inside the affected range of a published advisory for the model.",
            List.of(2, 3), "T1190", "any match; alert severity = highest advisory severity");
    public static final Rule END_OF_SUPPORT = new Rule("FW-EOS-001", Category.FIRMWARE,
            "Model past end of support", Severity.MEDIUM,
            "The vendor no longer ships security updates for the device's model.",
            List.of(3), null, "catalog endOfSupport < now");
    public static final Rule DOWNGRADE = new Rule("FW-DOWN-001", Category.FIRMWARE,
            "Firmware downgrade", Severity.HIGH,
            "The device now runs a lower version than it ran before: rollback to a vulnerable image.",
            List.of(3, 7), "T1601", "any decrease");
    public static final Rule UPDATE_FAILURE_LOOP = new Rule("FW-UPD-001", Category.FIRMWARE,
            "Update failing in a loop", Severity.MEDIUM,
            "Firmware update attempts keep failing: the device stays vulnerable and may be bricking.",
            List.of(3, 12), null, "update.count=3 failed attempts within update.window=24h");
    public static final Rule CERTIFICATE_EXPIRY = new Rule("FW-CERT-001", Category.FIRMWARE,
            "Device certificate close to expiry", Severity.MEDIUM,
            "The client certificate expires soon; the device will lose its connection unless it is renewed.",
            List.of(4, 5), null, "certificate.warn=30d before notAfter");

    private static final Map<String, Rule> BY_ID = new LinkedHashMap<>();

    static {
        for (Rule r : List.of(AUTH_FAILURES_PER_IDENTITY, AUTH_FAILURES_PER_ADDRESS, DEFAULT_CREDENTIALS,
                IDENTITY_TWO_ADDRESSES, SESSION_PING_PONG, TOPIC_PROBING, PUBLISH_RATE_OWN, PUBLISH_RATE_PEERS,
                VALIDATION_BURST, TELNET_PORT, NEW_MODEL_PORT, CONNECTION_SPIKE, TRAFFIC_SPIKE, NEW_DESTINATIONS,
                REVOKED_CERTIFICATE, IMAGE_HASH_MISMATCH, DEVICE_OFFLINE, FLAPPING, COHORT_OUTAGE, RECONNECT_STORM,
                BEHIND_LATEST, ADVISORY_AFFECTED, END_OF_SUPPORT, DOWNGRADE, UPDATE_FAILURE_LOOP, CERTIFICATE_EXPIRY)) {
            if (BY_ID.put(r.id(), r) != null) {
                throw new IllegalStateException("duplicate rule id " + r.id());
            }
        }
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
