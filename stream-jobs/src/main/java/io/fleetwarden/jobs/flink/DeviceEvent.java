package io.fleetwarden.jobs.flink;

import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * One input of the per-device operator: exactly one of {@link #telemetry} or {@link #security} is
 * set. A Flink POJO whose fields are the event-model Avro records, so the one shuffle to
 * {@link DeviceFunction} uses the POJO serializer around Flink's {@code AvroSerializer} (no Kryo).
 */
public class DeviceEvent {

    /** Computed (and validated) once where the event enters, not again by every key selector call. */
    public String key;
    public Telemetry telemetry;
    public SecurityEvent security;

    public DeviceEvent() {
    }

    public static DeviceEvent of(Telemetry t) {
        DeviceEvent e = new DeviceEvent();
        e.telemetry = t;
        e.key = FleetDetectionJob.deviceKey(t);
        return e;
    }

    public static DeviceEvent of(SecurityEvent s) {
        DeviceEvent e = new DeviceEvent();
        e.security = s;
        e.key = FleetDetectionJob.deviceKey(s);
        return e;
    }

    /** The device key ({@code tenant/deviceId}) of whichever event this holds. */
    public String deviceKey() {
        return key;
    }
}
