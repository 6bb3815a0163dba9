package io.fleetwarden.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every Kafka topic of the platform, defined in one place. Keys are UTF-8 strings; values are
 * single-object encoded Avro (see {@link io.fleetwarden.model.codec.Codecs}).
 *
 * <p>"Device key" means {@link DeviceKeys#of(String, String) tenant/deviceId}: device ids are
 * unique within a tenant, so the tenant is part of every per-device key.
 */
public final class Topics {

    public static final String TELEMETRY = "fleet.telemetry";
    public static final String SECURITY_EVENTS = "fleet.security-events";
    public static final String FIRMWARE_CATALOG = "fleet.firmware-catalog";
    public static final String ADVISORIES = "fleet.advisories";
    public static final String ALERTS = "fleet.alerts";
    public static final String DEVICE_CONTROLS = "fleet.device-controls";
    public static final String DEVICE_STATUS = "fleet.device-status";
    public static final String DEAD_LETTERS = "fleet.dead-letters";
    /** Lifecycle events devices report (boots, configuration changes, update results), validated by the broker. */
    public static final String DEVICE_EVENTS = "fleet.device-events";
    /** Analyst triage state per alert, owned by the dashboard API. */
    public static final String ALERT_TRIAGE = "fleet.alert-triage";
    /**
     * One record per erased (decommissioned) device, written by the dashboard API, compacted; every reader honours it
     * on replay (the stream jobs drop the device's state and never re-emit its data up to {@code erasedAt}). The value
     * is JSON, not Avro: {@link DeviceErasure}.
     */
    public static final String ERASURES = "fleet.erasures";
    /**
     * The device registry: one {@link DeviceRegistration} per device (key = device key, JSON value), compacted, written by
     * the control plane (dashboard API) only; every broker reads it when registry enforcement is on.
     */
    public static final String DEVICE_REGISTRY = "fleet.device-registry";

    public static final TopicSpec TELEMETRY_SPEC = new TopicSpec(TELEMETRY, "device key", false, 12,
            "validated device telemetry enriched with the verified identity, broker id, source address and TLS parameters");
    public static final TopicSpec SECURITY_EVENTS_SPEC = new TopicSpec(SECURITY_EVENTS,
            "device key, or source address when there is no verified identity", false, 12,
            "connects, disconnects with reason, authentication, authorization and validation failures, quarantine enforcement");
    public static final TopicSpec FIRMWARE_CATALOG_SPEC = new TopicSpec(FIRMWARE_CATALOG, "model", true, 1,
            "latest firmware version, releases with image hashes, end-of-support date per model");
    public static final TopicSpec ADVISORIES_SPEC = new TopicSpec(ADVISORIES, "advisory id", true, 1,
            "security advisories: affected model and version range, fixed version, CVE ids, severity");
    /**
     * How long every revision of an alert stays readable before compaction may keep only the latest:
     * consumers that export each revision (the dashboard's SIEM export by offset) must read within it.
     */
    public static final long ALERT_REVISIONS_KEPT_MS = 7L * 24 * 60 * 60 * 1000;

    /**
     * Compacted by alert id: readers rebuild their alert view by replaying the topic and keep the
     * latest revision of each alert, so delete retention would silently lose alerts older than the
     * retention period (open ones included). Every revision stays for {@link #ALERT_REVISIONS_KEPT_MS}.
     */
    public static final TopicSpec ALERTS_SPEC = new TopicSpec(ALERTS, "alert id", true, 6,
            "alert revisions with rule id, severity, subject, evidence, guideline numbers and status",
            Map.of("min.compaction.lag.ms", Long.toString(ALERT_REVISIONS_KEPT_MS)));
    public static final TopicSpec DEVICE_CONTROLS_SPEC = new TopicSpec(DEVICE_CONTROLS, "device key", true, 3,
            "quarantine, release and revoke state per device; every broker applies it");
    public static final TopicSpec DEVICE_STATUS_SPEC = new TopicSpec(DEVICE_STATUS, "device key", true, 6,
            "latest derived state per device: connection, firmware, risk score, failing guidelines");
    public static final TopicSpec DEAD_LETTERS_SPEC = new TopicSpec(DEAD_LETTERS, "source topic", false, 1,
            "records a consumer could not read, with the reason in headers");
    public static final TopicSpec DEVICE_EVENTS_SPEC = new TopicSpec(DEVICE_EVENTS, "device key", false, 12,
            "device-reported lifecycle events (boot, configuration change, update result) validated against the device event schema");
    public static final TopicSpec ALERT_TRIAGE_SPEC = new TopicSpec(ALERT_TRIAGE, "alert id", true, 1,
            "analyst triage per alert (state, assignee, resolution, full who/when history), written by the dashboard API");

    public static final TopicSpec ERASURES_SPEC = new TopicSpec(ERASURES, "device key", true, 1,
            "decommissioned devices whose personal data must not be served or re-created (JSON {tenant, deviceId, erasedAt, erasedBy})");

    public static final TopicSpec DEVICE_REGISTRY_SPEC = new TopicSpec(DEVICE_REGISTRY, "device key", true, 3,
            "enrolled devices: registered model and region, allowed certificate fingerprints or issuing CAs, state"
                    + " (JSON DeviceRegistration), written by the dashboard API");

    /** All topics, in the order a fresh cluster should create them. */
    public static final List<TopicSpec> ALL = List.of(TELEMETRY_SPEC, SECURITY_EVENTS_SPEC, FIRMWARE_CATALOG_SPEC,
            ADVISORIES_SPEC, ALERTS_SPEC, DEVICE_CONTROLS_SPEC, DEVICE_STATUS_SPEC, DEAD_LETTERS_SPEC, ALERT_TRIAGE_SPEC,
            DEVICE_EVENTS_SPEC, ERASURES_SPEC, DEVICE_REGISTRY_SPEC);

    private Topics() {
    }

    public static Optional<TopicSpec> spec(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * Key of a security event: the device key when the identity is verified, otherwise the
     * source address (so failures from one address land in one partition, in order). Events without a
     * verified identity carry the reserved scope {@link Scopes#FRONT_DOOR} as their tenant, which is never
     * a valid tenant id, so they are keyed by address.
     */
    public static String securityEventKey(SecurityEvent event) {
        String deviceKey = DeviceKeys.ofValid(event.getTenant(), event.getDeviceId());
        if (deviceKey != null) {
            return deviceKey;
        }
        String address = event.getBroker() == null ? null : event.getBroker().getSourceAddress();
        return address == null ? "unknown" : "addr:" + address;
    }
}
