package io.fleetwarden.dashboard.posture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.fleetwarden.dashboard.posture.PostureService.FleetGuideline;
import io.fleetwarden.model.DeviceKeys;

/**
 * An Implementation Conformance Statement in the style of ETSI TS 103 701 for ETSI EN 303 645: for
 * each provision fleet telemetry can speak to, SUPPORTED / NOT_SUPPORTED / NOT_APPLICABLE with the
 * evidence (device counts from the posture standings, and the facts behind them), or NO_EVIDENCE
 * where the platform has nothing yet; every other provision is listed as outside what fleet
 * telemetry can show. Provision numbers follow EN 303 645 (as in {@code code-of-practice.json});
 * the provision texts are short paraphrases, the standard is authoritative.
 */
public final class IcsExport {

    /** One provision of the statement. */
    public record Provision(String provision, String summary, int guideline, String status, String basis,
                            Map<String, Object> counts, List<String> failingDevices) {
    }

    /** The statement: assessed provisions and those outside the platform's view. */
    public record Statement(String model, List<String> tenants, Instant generatedAt, List<Provision> provisions,
                            List<String> outsideFleetTelemetry) {
    }

    private record Mapping(String provision, String summary, int guideline, String basis) {
    }

    private static final List<Mapping> MAPPINGS = List.of(
            new Mapping("5.1-1", "Where passwords are used, they are unique per device or user-defined", 1,
                    "NOT_APPLICABLE when every device connection was certificate-authenticated (no password is used);"
                            + " NOT_SUPPORTED when a default credential was offered under a device's identity"),
            new Mapping("5.2-1", "A vulnerability disclosure policy is published", 2,
                    "security.txt and the report intake published (guideline 2 evidence)"),
            new Mapping("5.2-2", "Disclosed vulnerabilities are acted on in a timely manner", 2,
                    "reports acknowledged within the stated time from intake (guideline 2 evidence)"),
            new Mapping("5.3-2", "The device has a mechanism for the secure installation of updates", 12,
                    "devices whose update completed / failed (telemetry update state)"),
            new Mapping("5.3-8", "Security updates are timely", 3,
                    "devices not behind past the grace period, not inside an advisory's range (guideline 3 evidence)"),
            new Mapping("5.3-13", "The defined support period is published", 3,
                    "end-of-support date in the firmware catalogue (see the PSTI statement)"),
            new Mapping("5.5-1", "Best-practice cryptography is used to communicate securely", 5,
                    "TLS 1.2+/AEAD on every connection and report (guideline 5 evidence)"),
            new Mapping("5.6-1", "Unused network and logical interfaces are disabled", 6,
                    "no known-insecure service listening (guideline 6 evidence); other unused interfaces are not visible"),
            new Mapping("5.7-1", "The device verifies its software (secure boot)", 7,
                    "the running image's hash matches the catalogue (guideline 7 evidence); the boot chain itself is not visible"),
            new Mapping("5.9-3", "The device connects to networks in an orderly fashion", 9,
                    "recovery from outages without flapping or reconnect storms (guideline 9 evidence)"),
            new Mapping("5.10-1", "Telemetry is examined for security anomalies", 10,
                    "telemetry received and run through the detection rules (guideline 10 evidence)"),
            new Mapping("5.13-1", "The device software validates input data", 13,
                    "reports accepted or refused by the broker's schema validation (guideline 13 evidence)"));

    /** Provisions fleet telemetry cannot show (device design, documentation, user interfaces). */
    static final List<String> OUTSIDE = List.of("5.1-2", "5.1-3", "5.1-4", "5.1-5", "5.2-3", "5.3-1", "5.3-3", "5.3-4",
            "5.3-5", "5.3-6", "5.3-7", "5.3-9", "5.3-10", "5.3-11", "5.3-12", "5.3-14", "5.3-15", "5.3-16", "5.4-1",
            "5.4-2", "5.4-3", "5.4-4", "5.5-2", "5.5-3", "5.5-4", "5.5-5", "5.5-6", "5.5-7", "5.5-8", "5.6-2", "5.6-3",
            "5.6-4", "5.6-5", "5.6-6", "5.6-7", "5.6-8", "5.6-9", "5.7-2", "5.8-1", "5.8-2", "5.8-3", "5.9-1", "5.9-2",
            "5.11-1", "5.11-2", "5.11-3", "5.11-4", "5.12-1", "5.12-2", "5.12-3", "6-1", "6-2", "6-3", "6-4", "6-5");

    private final PostureService posture;
    private final PstiStatement psti;

    public IcsExport(PostureService posture, PstiStatement psti) {
        this.posture = posture;
        this.psti = psti;
    }

    public Statement statement(Set<String> tenants, String model) {
        List<FleetGuideline> fleet = posture.fleetStanding(tenants, model);
        PstiStatement.Statement p = psti.statement(tenants, model);
        long updatesOk = 0;
        long updatesFailed = 0;
        List<String> failedUpdates = new ArrayList<>();
        for (String key : posture.deviceKeys(tenants)) {
            String[] tk = DeviceKeys.parse(key);
            if (model != null && !model.equals(posture.modelOf(tk[0], tk[1]))) {
                continue;
            }
            DeviceEvidence e = posture.evidenceStore().device(tk[0], tk[1]).orElse(null);
            if (e != null && "SUCCEEDED".equals(e.lastUpdateState)) {
                updatesOk++;
            } else if (e != null && "FAILED".equals(e.lastUpdateState)) {
                updatesFailed++;
                failedUpdates.add(key);
            }
        }
        List<Provision> out = new ArrayList<>();
        for (Mapping m : MAPPINGS) {
            FleetGuideline g = fleet.get(m.guideline() - 1);
            Map<String, Object> counts = new TreeMap<>();
            counts.put("met", g.met());
            counts.put("notMet", g.notMet());
            counts.put("notAssessed", g.notAssessed());
            String status = fromCounts(g.met(), g.notMet());
            List<String> failing = g.failingDevices();
            switch (m.provision()) {
                case "5.1-1" -> status = g.notMet() > 0 ? "NOT_SUPPORTED" : g.met() > 0 ? "NOT_APPLICABLE" : "NO_EVIDENCE";
                case "5.2-1" -> status = fromRequirement(p.requirements().get(1).status());
                case "5.2-2" -> {
                    status = fromRequirement(p.requirements().get(1).status());
                    counts = new TreeMap<>(p.requirements().get(1).facts());
                    failing = List.of();
                }
                case "5.3-2" -> {
                    counts = new TreeMap<>(Map.of("updateSucceeded", updatesOk, "updateFailed", updatesFailed));
                    status = fromCounts(updatesOk, updatesFailed);
                    failing = failedUpdates;
                }
                case "5.3-13" -> {
                    status = fromRequirement(p.requirements().get(2).status());
                    counts = new TreeMap<>(p.requirements().get(2).facts());
                    failing = List.of();
                }
                default -> {
                    // the guideline's device counts decide
                }
            }
            out.add(new Provision(m.provision(), m.summary(), m.guideline(), status, m.basis(), counts, failing));
        }
        return new Statement(model, List.copyOf(new java.util.TreeSet<>(tenants)), p.generatedAt(), out, OUTSIDE);
    }

    private static String fromCounts(long met, long notMet) {
        return notMet > 0 ? "NOT_SUPPORTED" : met > 0 ? "SUPPORTED" : "NO_EVIDENCE";
    }

    private static String fromRequirement(String standing) {
        return switch (standing) {
            case PostureService.MET -> "SUPPORTED";
            case PostureService.NOT_MET -> "NOT_SUPPORTED";
            default -> "NO_EVIDENCE";
        };
    }

    /** CSV: one line per provision, then one per provision outside the platform's view. */
    public static String csv(Statement s) {
        StringBuilder b = new StringBuilder("provision,summary,guideline,status,basis,counts,failing_devices\r\n");
        for (Provision p : s.provisions()) {
            b.append(PostureService.csv(p.provision())).append(',').append(PostureService.csv(p.summary())).append(',')
                    .append(p.guideline()).append(',').append(p.status()).append(',').append(PostureService.csv(p.basis()))
                    .append(',').append(PostureService.csv(p.counts().toString())).append(',')
                    .append(PostureService.csv(String.join(" ", p.failingDevices()))).append("\r\n");
        }
        for (String o : s.outsideFleetTelemetry()) {
            b.append(PostureService.csv(o)).append(",,,OUTSIDE_FLEET_TELEMETRY,,,\r\n");
        }
        return b.toString();
    }
}
