package io.fleetwarden.broker.identity;

import java.util.List;
import java.util.Map;

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
     * @param registration the device's registration when the registry is enforced (for a just-in-time admission the
     *                     registration its enrolment CA's template describes), else null
     * @param issuers      fingerprints of the CA certificates in the verified path above the leaf (registry enforced),
     *                     so a registry change can judge the live session again; else empty
     * @param attributes   extra facts for the CONNECT event (the just-in-time registration request), else empty
     */
    record Accepted(DeviceIdentity identity, io.fleetwarden.model.DeviceRegistration registration, List<String> issuers,
                    Map<String, String> attributes) implements AuthDecision {
        public Accepted {
            issuers = issuers == null ? List.of() : List.copyOf(issuers);
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }

        public Accepted(DeviceIdentity identity) {
            this(identity, null, List.of(), Map.of());
        }

        public Accepted(DeviceIdentity identity, io.fleetwarden.model.DeviceRegistration registration) {
            this(identity, registration, List.of(), Map.of());
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
     * @param attributes extra facts for the security event (the just-in-time registration request of a device whose
     *                   registration needs approval), else empty
     */
    record Refused(Connack connack, SecurityEventType eventType, String reason, String detail, DeviceIdentity identity,
                   Map<String, String> attributes) implements AuthDecision {
        public Refused {
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }

        public Refused(Connack connack, SecurityEventType eventType, String reason, String detail,
                       DeviceIdentity identity) {
            this(connack, eventType, reason, detail, identity, Map.of());
        }
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
        BANNED,
        /** 0x9F; MQTT 3.1.1: not authorized (HiveMQ maps it so). */
        CONNECTION_RATE_EXCEEDED
    }
}
