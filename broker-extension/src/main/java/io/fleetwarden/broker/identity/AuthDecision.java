package io.fleetwarden.broker.identity;

import io.fleetwarden.model.SecurityEventType;

/**
 * Outcome of checking a CONNECT: either the verified identity, or a refusal with the MQTT reason,
 * the security event type and reason code, and a readable detail (sent as the CONNACK reason string).
 */
public sealed interface AuthDecision {

    /**
     * The connection is accepted.
     *
     * @param identity     the verified identity
     * @param registration the device's registration when the registry is enforced, else null
     */
    record Accepted(DeviceIdentity identity, io.fleetwarden.model.DeviceRegistration registration) implements AuthDecision {
        public Accepted(DeviceIdentity identity) {
            this(identity, null);
        }
    }

    /**
     * The connection is refused.
     *
     * @param connack   the MQTT reason to answer with
     * @param eventType security event type to record
     * @param reason    {@link io.fleetwarden.model.SecurityEventReasons} code
     * @param detail    readable explanation, no secrets
     * @param identity  the identity when the certificate itself verified (e.g. client id mismatch), else null
     */
    record Refused(Connack connack, SecurityEventType eventType, String reason, String detail, DeviceIdentity identity)
            implements AuthDecision {
    }

    /** MQTT reasons used for refusals; mapped to the SDK's ConnackReasonCode by the authenticator. */
    enum Connack {
        /** 0x85; MQTT 3.1.1: identifier rejected. */
        CLIENT_IDENTIFIER_NOT_VALID,
        /** 0x86; MQTT 3.1.1: bad user name or password. */
        BAD_USER_NAME_OR_PASSWORD,
        /** 0x87; MQTT 3.1.1: not authorized. */
        NOT_AUTHORIZED,
        /** 0x8A; MQTT 3.1.1: not authorized. */
        BANNED
    }
}
