package io.fleetwarden.broker.forward;

import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/** Where validated telemetry, device events and security events go. Implementations never block the caller. */
public interface EventSink {

    /** Forwards validated telemetry (topic {@code fleet.telemetry}). */
    void telemetry(Telemetry telemetry);

    /** Forwards a security event (topic {@code fleet.security-events}). */
    void securityEvent(SecurityEvent event);

    /** Forwards a validated device lifecycle event (topic {@code fleet.device-events}). */
    void deviceEvent(DeviceLifecycleEvent event);
}
