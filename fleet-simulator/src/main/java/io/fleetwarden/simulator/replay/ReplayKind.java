package io.fleetwarden.simulator.replay;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The classes of behaviour a replay plays out. Attack kinds (and real failures, which must raise
 * resilience alerts) are planned at random times with random intensities and durations; benign
 * kinds are the fleet's ordinary life and must raise nothing. The rule families an instance expects
 * follow from what the instance does (for example a botnet that does not scan expects no
 * new-destination alert), never from a rule's thresholds.
 */
public enum ReplayKind {
    BOTNET("botnet", true, "Telnet port open and a C2 connection; some instances also scan (10-80 new targets per report) and flood (x8-x40 traffic)"),
    BACKDOOR_SERVICE("backdoor-service", true, "a listening port the model never had (4444, 5555, 7547, 31337 or 9999)"),
    LOW_SLOW_EXFILTRATION("low-slow-exfiltration", true, "outbound traffic ramping to x2-x4 over 6-24 h towards one new destination"),
    SLOW_SCAN("slow-scan", true, "100-600 new destinations spread over 2-8 hours"),
    CREDENTIAL_STUFFING("credential-stuffing", true, "factory-default username/password CONNECTs with the device's certificate from 1-25 addresses, 3-60 attempts over 30 s-2 h"),
    BRUTE_FORCE("brute-force", true, "CONNECTs with an untrusted certificate from one address, 10-200 attempts over 1-30 min, one or many claimed client ids"),
    REVOKED_CERTIFICATE("revoked-certificate", true, "a rotated-out, revoked certificate of a device used from another address, 1-20 attempts"),
    CLONED_CERTIFICATE("cloned-certificate", true, "a second client with the device's certificate from another address; 3-20 session takeovers, 20 s-5 min apart"),
    TOPIC_PROBING("topic-probing", true, "5-60 refused subscribes/publishes over 1-60 min; refused publishes get the device disconnected"),
    MALFORMED_FLOOD("malformed-flood", true, "malformed, schema-violating and oversized payloads at 0.2-10/s for 30 s-30 min"),
    PUBLISH_FLOOD("publish-flood", true, "valid telemetry at 2-30 msg/s for 1-20 min (the broker's 5/s token bucket refuses the excess)"),
    FLAPPING("flapping", true, "5-30 connection losses, 2-20 s down and 5-60 s up each"),
    REGIONAL_OUTAGE("regional-outage", true, "40-90 % of a region's devices lose connectivity for 4-45 min, then return all at once or spread over 3-10 min"),
    STALE_FIRMWARE("stale-firmware", true, "a device joins running the model's oldest release"),
    VULNERABLE_FIRMWARE("vulnerable-firmware", true, "a device joins running a release inside a published advisory's affected range"),
    FIRMWARE_DOWNGRADE("firmware-downgrade", true, "a device reboots into an older release"),
    IMAGE_TAMPER("image-tamper", true, "a device reboots into an image whose hash is not the catalog's"),
    UPDATE_FAILURE_LOOP("update-failure-loop", true, "an update fails 3-12 times, 2-60 min apart"),
    CERTIFICATE_EXPIRY("certificate-expiry", true, "a device reconnects with a certificate that expires in 1-25 days"),
    STEADY_EXFILTRATION("steady-exfiltration", true, "a device joins already sending x4-x10 its own outbound traffic, steadily for 6-24 h, towards one new destination (it has no history of its own)"),

    REBOOT("reboot", false, "power cycle: connection lost, 20-120 s offline, uptime restarts"),
    BLIP("blip", false, "network blip: connection lost for 1-15 s"),
    ADDRESS_MOVE("address-move", false, "reconnect from a new address: DHCP renewal, ISP change or mobile network (every 1-4 h)"),
    FIRMWARE_ROLLOUT("firmware-rollout", false, "a new release rolled out in waves over days: download, install, reboot (2 % of devices fail once and retry)"),
    MAINTENANCE("maintenance", false, "weekly broker maintenance: every device on it disconnected and reconnecting to another broker within 1-30 s"),
    JOIN("join", false, "a new device appears"),
    DECOMMISSION("decommission", false, "a device disconnects cleanly and never returns"),
    CLOCK_DRIFT("clock-drift", false, "a device clock far off broker time (30 s up to the skew window) and drifting");

    private final String id;
    private final boolean attack;
    private final String description;

    ReplayKind(String id, boolean attack, String description) {
        this.id = id;
        this.attack = attack;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public boolean attack() {
        return attack;
    }

    public String description() {
        return description;
    }

    public static Optional<ReplayKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    /**
     * Parses an attack selection: {@code all}, {@code none}, or a comma-separated list of attack ids.
     *
     * @throws IllegalArgumentException naming the unknown or benign id and the known attack ids
     */
    public static List<ReplayKind> parseAttacks(String selection) {
        String s = selection == null ? "all" : selection.trim();
        List<ReplayKind> attacks = Arrays.stream(values()).filter(ReplayKind::attack).toList();
        if (s.equals("all")) {
            return attacks;
        }
        if (s.equals("none")) {
            return List.of();
        }
        String known = attacks.stream().map(ReplayKind::id).collect(Collectors.joining(", "));
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .map(x -> byId(x).filter(ReplayKind::attack).orElseThrow(() -> new IllegalArgumentException(
                        "unknown attack '" + x + "'; use all, none or a comma-separated list of: " + known)))
                .distinct().toList();
    }
}
