package io.fleetwarden.model;

/**
 * Stable reason codes carried in {@link SecurityEvent#getReason()}. Detection rules, dashboards and
 * metrics key on these strings, so they never change meaning; new ones may be added.
 */
public final class SecurityEventReasons {

    // CONNECT
    public static final String CONNECTED = "connected";

    // DISCONNECT
    public static final String CLIENT_DISCONNECT = "client-disconnect";
    public static final String CONNECTION_LOST = "connection-lost";
    public static final String SESSION_TAKEOVER = "session-takeover";
    public static final String DISCONNECTED_REVOKED = "disconnected-revoked";
    public static final String DISCONNECTED_BY_BROKER = "disconnected-by-broker";
    /**
     * The broker ended the session because it is shutting down or handing its clients to other brokers (MQTT 5 reason
     * {@code SERVER_SHUTTING_DOWN}, {@code USE_ANOTHER_SERVER} or {@code SERVER_MOVED}): the platform's own planned
     * maintenance (a drain), not the device leaving or failing. Only a broker sets it, on each session it ends.
     */
    public static final String BROKER_DRAINING = "broker-draining";

    /** MQTT 5 disconnect reason codes (attribute {@code mqttReasonCode}) with which a broker announces a drain. */
    public static final java.util.Set<String> DRAIN_REASON_CODES = java.util.Set.of("SERVER_SHUTTING_DOWN", "USE_ANOTHER_SERVER",
            "SERVER_MOVED");

    /**
     * The reason of a DISCONNECT as the platform reads it: {@link #BROKER_DRAINING} also for records of brokers that
     * predate it ({@link #DISCONNECTED_BY_BROKER} with one of {@link #DRAIN_REASON_CODES} as {@code mqttReasonCode}).
     */
    public static String disconnectReason(String reason, String mqttReasonCode) {
        return DISCONNECTED_BY_BROKER.equals(reason) && mqttReasonCode != null && DRAIN_REASON_CODES.contains(mqttReasonCode)
                ? BROKER_DRAINING : reason;
    }

    // AUTHENTICATION_FAILURE
    public static final String NO_CLIENT_CERTIFICATE = "no-client-certificate";
    public static final String CERTIFICATE_UNTRUSTED = "certificate-untrusted";
    public static final String CERTIFICATE_EXPIRED = "certificate-expired";
    public static final String CERTIFICATE_NOT_YET_VALID = "certificate-not-yet-valid";
    public static final String CERTIFICATE_REVOKED = "certificate-revoked";
    public static final String CERTIFICATE_KEY_USAGE = "certificate-key-usage";
    public static final String IDENTITY_UNREADABLE = "identity-unreadable";
    public static final String CLIENT_ID_MISMATCH = "client-id-mismatch";
    /**
     * The client id is the certificate's bare device id instead of the tenant-qualified
     * {@code <tenant>/<deviceId>} ({@link DeviceIdentities#clientId}): the flat client-id space is gone
     * because device ids are unique only within a tenant.
     */
    public static final String CLIENT_ID_NOT_TENANT_QUALIFIED = "client-id-not-tenant-qualified";
    /** The client id names a device of another tenant than the certificate's (a cross-tenant session attempt). */
    public static final String CROSS_TENANT_CLIENT_ID = "cross-tenant-client-id";
    public static final String PASSWORD_NOT_ALLOWED = "password-not-allowed";
    /**
     * The negotiated TLS protocol or cipher suite is outside policy (TLS 1.2/1.3, AEAD suites only).
     * Only reachable behind a misconfigured listener; a correctly configured one refuses at the handshake.
     */
    public static final String TLS_PARAMETERS_NOT_ALLOWED = "tls-parameters-not-allowed";

    /**
     * Registry enforcement is on and the device has no registration in {@link Topics#DEVICE_REGISTRY} (nor was it
     * registered just in time).
     */
    public static final String DEVICE_NOT_REGISTERED = "device-not-registered";
    /** Registry enforcement is on and the device's registration is suspended. */
    public static final String DEVICE_SUSPENDED = "device-suspended";
    /** Registry enforcement is on and the device's registration is decommissioned. */
    public static final String DEVICE_DECOMMISSIONED = "device-decommissioned";
    /**
     * Registry enforcement is on and the presented certificate is neither one of the device's registered fingerprints
     * nor issued by one of its registered issuing CAs (a valid fleet certificate used by the wrong device or a
     * certificate the operator never enrolled).
     */
    public static final String CERTIFICATE_NOT_REGISTERED = "certificate-not-registered";

    // Just-in-time registration (certificates of an enrolment CA, see EnrolmentCa)
    /**
     * The device's registration is {@code pending} (registered just in time by an enrolment CA whose template requires
     * approval), or it was just asked for and waits for the operator: refused until approved.
     */
    public static final String REGISTRATION_PENDING_APPROVAL = "registration-pending-approval";
    /** The certificate chains to an enrolment CA of another tenant than the certificate names: no JIT registration. */
    public static final String JIT_TENANT_MISMATCH = "jit-tenant-mismatch";
    /** The device id does not match the enrolment CA's device-id pattern: no JIT registration. */
    public static final String JIT_DEVICE_ID_NOT_ALLOWED = "jit-device-id-not-allowed";
    /** The tenant's JIT registrations on this broker are over their rate: refused, the device may retry later. */
    public static final String JIT_RATE_LIMITED = "jit-rate-limited";
    /**
     * Another certificate is already being registered just in time for this device id (two certificates racing for
     * one id): the first one wins, the other is refused.
     */
    public static final String JIT_CONFLICT = "jit-conflict";
    /**
     * Attribute of the CONNECT (admitted) or AUTHENTICATION_FAILURE ({@link #REGISTRATION_PENDING_APPROVAL}) event that
     * asks the control plane to register the device just in time; value {@link #JIT_REQUESTED}. With it:
     * {@link #ATTR_ENROLMENT_CA} (fingerprint of the enrolment CA in the verified chain) and
     * {@link #ATTR_CERTIFICATE_NOT_AFTER}; the certificate fingerprint is the event's broker context's.
     */
    public static final String ATTR_JIT = "jit";
    public static final String JIT_REQUESTED = "requested";
    public static final String ATTR_ENROLMENT_CA = "enrolmentCa";
    public static final String ATTR_CERTIFICATE_NOT_AFTER = "certificateNotAfter";

    // DEFAULT_CREDENTIAL_ATTEMPT
    public static final String DEFAULT_CREDENTIALS = "default-credentials";

    // AUTHORIZATION_FAILURE
    public static final String TOPIC_NOT_PERMITTED = "topic-not-permitted";
    public static final String WILDCARD_NOT_PERMITTED = "wildcard-not-permitted";
    public static final String SHARED_SUBSCRIPTION_NOT_PERMITTED = "shared-subscription-not-permitted";
    public static final String SYS_TOPIC_NOT_PERMITTED = "sys-topic-not-permitted";
    /** A publish or subscription into another tenant's namespace {@code devices/<other tenant>/...}. */
    public static final String CROSS_TENANT_TOPIC = "cross-tenant-topic";
    /**
     * A device subscribed to its own {@code devices/<tenant>/<id>/commands} namespace: the platform sends no
     * commands over MQTT, so devices subscribe to nothing (docs/devices.md). Kept apart from the probing
     * reasons so that firmware written against the old contract is told exactly why.
     */
    public static final String SUBSCRIPTIONS_NOT_OFFERED = "subscriptions-not-offered";

    // VALIDATION_FAILURE
    public static final String PAYLOAD_TOO_LARGE = "payload-too-large";
    public static final String PAYLOAD_MALFORMED = "payload-malformed";
    public static final String PAYLOAD_SCHEMA_VIOLATION = "payload-schema-violation";
    public static final String RATE_LIMIT_EXCEEDED = "rate-limit-exceeded";
    /**
     * A device's reading carried a time ({@code ts}) outside the broker's skew window around the broker's
     * receive time (ahead or behind). The reading is still forwarded (its event time is bounded, see
     * {@link EventTime}); the event is the finding about the device's clock. Attributes: {@code deviceTime},
     * {@code receivedAt}, {@code skewMs} (device minus broker, positive = ahead), {@code direction}
     * ({@code ahead}/{@code behind}), {@code skewWindowMs}, {@code action} ({@code clamped}) and
     * {@code skewedReadings} (readings outside the window since this device's previous clock-skew event).
     */
    public static final String DEVICE_CLOCK_SKEW = "device-clock-skew";

    // QUARANTINE_ENFORCED
    public static final String QUARANTINED = "quarantined";

    private SecurityEventReasons() {
    }
}
