package io.fleetwarden.jobs.detect;

import java.util.Objects;
import java.util.Set;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * What the per-device rules may read of a verified device's security event (connects, disconnects, ...):
 * the second record the per-device operator receives. Like {@link DeviceReport}, a rule that needs
 * another field adds it here. The burst stage, which needs whole events, gets the Avro record instead.
 *
 * @param type          event type
 * @param timestamp     event time (epoch millis)
 * @param tenant        tenant of the verified identity
 * @param deviceId      device id of the verified identity
 * @param model         model, may be null
 * @param region        region, may be null
 * @param reason        machine-readable reason, may be null
 * @param brokerId      broker, may be null
 * @param sourceAddress source address of the connection, may be null
 */
public record DeviceSecurityEvent(SecurityEventType type, long timestamp, String tenant, String deviceId, String model,
                                  String region, String reason, String brokerId, String sourceAddress) {

    /**
     * Security-event fields no per-device rule reads ({@code attributes} is read only to tell a drain from another
     * broker disconnect in records of older brokers, see {@link SecurityEventReasons#disconnectReason}).
     */
    public static final Set<String> SECURITY_NOT_READ = Set.of("eventId", "claimedClientId", "detail", "topic", "username");
    /** Broker-context fields of a security event no per-device rule reads. */
    public static final Set<String> BROKER_NOT_READ = Set.of("sourcePort", "tlsProtocol", "tlsCipher", "certificateFingerprint",
            "certificateSerial", "certificateNotAfter", "mqttVersion");

    public DeviceSecurityEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    /** The fields of {@code e} the rules read; {@code e} must carry a verified tenant and device id. */
    public static DeviceSecurityEvent of(SecurityEvent e) {
        BrokerContext b = e.getBroker();
        boolean registered = b != null && b.getRegisteredModel() != null; // the registry wins over any claim
        return new DeviceSecurityEvent(e.getType(), e.getTimestamp().toEpochMilli(), e.getTenant(), e.getDeviceId(),
                registered ? b.getRegisteredModel() : e.getModel(), registered ? b.getRegisteredRegion() : e.getRegion(),
                e.getType() == SecurityEventType.DISCONNECT ? SecurityEventReasons.disconnectReason(e.getReason(),
                        e.getAttributes() == null ? null : e.getAttributes().get("mqttReasonCode")) : e.getReason(),
                b == null ? null : b.getBrokerId(), b == null ? null : b.getSourceAddress());
    }
}
