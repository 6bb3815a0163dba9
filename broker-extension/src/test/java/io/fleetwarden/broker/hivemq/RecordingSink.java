package io.fleetwarden.broker.hivemq;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/** An {@link EventSink} for unit tests that keeps what it is given, in order. Not thread-safe. */
final class RecordingSink implements EventSink {

    final List<Telemetry> telemetry = new ArrayList<>();
    final List<SecurityEvent> events = new ArrayList<>();
    final List<DeviceLifecycleEvent> deviceEvents = new ArrayList<>();

    @Override
    public void telemetry(Telemetry record) {
        telemetry.add(record);
    }

    @Override
    public void securityEvent(SecurityEvent event) {
        events.add(event);
    }

    @Override
    public void deviceEvent(DeviceLifecycleEvent event) {
        deviceEvents.add(event);
    }
}
