package io.fleetwarden.simulator.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every scripted scenario. Attack and failure scenarios must raise the rules listed for them in
 * {@code expected-rules.properties}; benign ones must raise nothing. Declaration order is the
 * default schedule order (attacks first, so a demo shows every alert family within minutes).
 */
public enum ScenarioType {
    BOTNET_INFECTION("botnet-infection", true, "telnet ports 23/2323 open, C2 connection, scan of many destinations, traffic x30"),
    CREDENTIAL_STUFFING("credential-stuffing", true, "CONNECTs carrying factory-default username/password pairs"),
    CLONED_CERTIFICATE("cloned-certificate", true, "a second client with the device's certificate from another source address"),
    TOPIC_PROBING("topic-probing", true, "subscribes to #, $SYS/#, other devices' topics; publishes to another device's topic"),
    MALFORMED_FLOOD("malformed-flood", true, "bursts of non-JSON, schema-violating and oversized payloads"),
    PUBLISH_FLOOD("publish-flood", true, "valid telemetry at ~20 msg/s instead of one per interval"),
    FLAPPING("flapping", true, "connect/disconnect loop: 3 s down, 6 s up"),
    REGIONAL_OUTAGE_STORM("regional-outage-storm", true, "a whole region drops for 60 s, then every device reconnects at once"),
    REGIONAL_OUTAGE_ORDERLY("regional-outage-orderly", true, "a whole region drops for 60 s, then returns with jitter over 60 s"),
    STALE_FIRMWARE("stale-firmware", true, "devices still on a release superseded more than 200 days ago"),
    NEW_ADVISORY("new-advisory", true, "an advisory published mid-run makes a deployed thermostat release vulnerable"),
    FIRMWARE_DOWNGRADE("firmware-downgrade", true, "device reboots into an older release"),
    IMAGE_HASH_MISMATCH("image-hash-mismatch", true, "device reboots into an image whose hash is not in the catalog"),
    UPDATE_FAILURE_LOOP("update-failure-loop", true, "update to the latest release fails every 20 s"),
    EARLY_PUBLISH_FLOOD("early-publish-flood", true, "valid telemetry at ~20 msg/s for 90 s within the device's first minutes (no own baseline yet)"),
    BACKDOOR_SERVICE("backdoor-service", true, "a listening service on port 4444, which no device of the model has"),
    RESOURCE_ABUSE("resource-abuse", true, "a cryptominer: CPU pinned near 100 %, memory +30 points"),
    MODEL_MISMATCH("model-mismatch", true, "the device reports another model and that model's firmware (its readings stay its own)"),
    CERTIFICATE_EXPIRY("certificate-expiry", true, "device certificate expires in 10 days"),
    SINGLE_REBOOT("single-reboot", false, "one reboot: 10 s offline, uptime restarts"),
    NORMAL_FIRMWARE_UPDATE("normal-firmware-update", false, "download, install, reboot into the latest release"),
    SHORT_BLIP("short-blip", false, "network blip: 2 s offline, no reboot"),
    ADDRESS_MOVE("address-move", false, "device reconnects once from a new source address and stays there"),
    DAILY_PEAK("daily-peak", false, "all cameras stream 2.5x more for 5 minutes (evening peak)");

    private final String id;
    private final boolean attack;
    private final String description;

    ScenarioType(String id, boolean attack, String description) {
        this.id = id;
        this.attack = attack;
        this.description = description;
    }

    /** Stable kebab-case id used on the command line, in ground truth and in the expected-rules table. */
    public String id() {
        return id;
    }

    /** True for attacks and failures that must alert; false for benign noise that must not. */
    public boolean attack() {
        return attack;
    }

    public String description() {
        return description;
    }

    public static Optional<ScenarioType> byId(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
    }

    /**
     * Parses a CLI selection: {@code all}, {@code none} (benign noise only), {@code attacks}, or a
     * comma-separated list of ids. Benign noise is always included with {@code all} and {@code none}.
     *
     * @throws IllegalArgumentException naming the unknown id and the known ones
     */
    public static List<ScenarioType> parseSelection(String selection) {
        String s = selection == null ? "all" : selection.trim();
        if (s.equals("all")) {
            return List.of(values());
        }
        if (s.equals("none")) {
            return Arrays.stream(values()).filter(t -> !t.attack).toList();
        }
        if (s.equals("attacks")) {
            return Arrays.stream(values()).filter(t -> t.attack).toList();
        }
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .map(x -> byId(x).orElseThrow(() -> new IllegalArgumentException("unknown scenario '" + x
                        + "'; use all, none, attacks or a comma-separated list of: "
                        + Arrays.stream(values()).map(ScenarioType::id).collect(Collectors.joining(", ")))))
                .distinct().toList();
    }
}
