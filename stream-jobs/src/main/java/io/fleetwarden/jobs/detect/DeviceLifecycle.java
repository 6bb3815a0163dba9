package io.fleetwarden.jobs.detect;

import java.util.Objects;
import java.util.Set;

import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;

/**
 * What the per-device rules may read of a device's lifecycle event ({@code fleet.device-events}: a boot, a
 * configuration change, an update result): the third record the per-device operator receives. Like
 * {@link DeviceReport}, a rule that needs another field adds it here. Everything but the identity is the
 * device's claim: hostile input.
 *
 * @param type            event type (UNKNOWN for a type this job does not know)
 * @param time            event time: the device's time bounded by the broker's receive time (epoch millis)
 * @param tenant          tenant of the verified identity
 * @param deviceId        device id of the verified identity
 * @param firmwareVersion BOOT: the version that booted, may be null
 * @param toVersion       UPDATE_RESULT: the version the update targeted, may be null
 * @param updateResult    UPDATE_RESULT: SUCCEEDED, FAILED or ROLLED_BACK (the device's words), may be null
 */
public record DeviceLifecycle(DeviceEventType type, long time, String tenant, String deviceId, String firmwareVersion,
                              String toVersion, String updateResult) {

    /** Lifecycle-event fields no per-device rule reads. */
    public static final Set<String> NOT_READ = Set.of("eventId", "receivedAt", "bootReason", "configSource", "changedKeys",
            "fromVersion", "failureReason", "detail", "broker");

    public DeviceLifecycle {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(deviceId, "deviceId");
    }

    /** The fields of {@code e} the rules read, with {@code time} its bounded event time. */
    public static DeviceLifecycle of(DeviceLifecycleEvent e, long time) {
        return new DeviceLifecycle(e.getType() == null ? DeviceEventType.UNKNOWN : e.getType(), time, e.getTenant(), e.getDeviceId(),
                e.getFirmwareVersion(), e.getToVersion(), e.getUpdateResult());
    }

    /** An update that did not take: FAILED or ROLLED_BACK. */
    public boolean updateFailed() {
        return type == DeviceEventType.UPDATE_RESULT && ("FAILED".equals(updateResult) || "ROLLED_BACK".equals(updateResult));
    }

    public boolean updateSucceeded() {
        return type == DeviceEventType.UPDATE_RESULT && "SUCCEEDED".equals(updateResult);
    }
}
