package io.fleetwarden.simulator.scenario;

/** What a scenario step does to a device (or to the platform, for advisories). */
public enum Action {
    /** Writes the scenario-start ground-truth line. */
    MARK_START,
    /** Writes the scenario-end ground-truth line. */
    MARK_END,
    /** Switches on the effect named in {@link Step#arg()}. */
    EFFECT_ON,
    /** Switches off the effect named in {@link Step#arg()}. */
    EFFECT_OFF,
    /** Device goes offline (MQTT DISCONNECT, no automatic reconnect). */
    DISCONNECT,
    /** Device comes back; arg {@code reboot} restarts its uptime, {@code second-address} binds the second local address. */
    CONNECT,
    /** Device now runs firmware {@code arg}; count 1 means a tampered image of that version. */
    SET_FIRMWARE,
    /** An update towards version {@code arg} begins. */
    UPDATE_START,
    /** One more failed update attempt towards version {@code arg}. */
    UPDATE_ATTEMPT_FAILED,
    /** A CONNECT with the device's certificate and a factory-default username/password ({@code arg} = "user:password"). */
    DEFAULT_CREDENTIALS,
    /** A second client with the device's certificate connects from the second source address. */
    CLONE_CONNECT,
    /** The clone goes away. */
    CLONE_DISCONNECT,
    /** One round of topic probing by the device's own connection. */
    TOPIC_PROBE,
    /** {@code count} malformed, schema-violating or oversized payloads. */
    MALFORMED_BURST,
    /** {@code count} valid telemetry messages at once. */
    PUBLISH_BURST,
    /** Publishes the scenario advisory to Kafka. */
    PUBLISH_ADVISORY
}
