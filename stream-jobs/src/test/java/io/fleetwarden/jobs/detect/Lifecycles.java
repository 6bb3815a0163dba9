package io.fleetwarden.jobs.detect;

import java.time.Instant;
import java.util.UUID;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;

/** Lifecycle events ({@code fleet.device-events}) for tests. */
public final class Lifecycles {

    private Lifecycles() {
    }

    /** An event of {@code device} of the test tenant at {@code ts} (device time = receive time). */
    public static DeviceLifecycleEvent.Builder event(String device, DeviceEventType type, long ts) {
        return DeviceLifecycleEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTenant(Events.TENANT)
                .setDeviceId(device).setType(type).setDeviceTime(Instant.ofEpochMilli(ts)).setReceivedAt(Instant.ofEpochMilli(ts))
                .setBroker(Events.broker("198.51.100.7"));
    }

    public static DeviceLifecycleEvent boot(String device, long ts) {
        return event(device, DeviceEventType.BOOT, ts).setBootReason("WATCHDOG").setFirmwareVersion("2.4.1").build();
    }

    public static DeviceLifecycleEvent updateResult(String device, long ts, String result) {
        return event(device, DeviceEventType.UPDATE_RESULT, ts).setFromVersion("2.4.1").setToVersion("2.5.0")
                .setUpdateResult(result).setFailureReason("FAILED".equals(result) ? "signature-invalid" : null).build();
    }

    /** As the per-device rules read it. */
    public static DeviceLifecycle read(DeviceLifecycleEvent e) {
        return DeviceLifecycle.of(e, e.getDeviceTime().toEpochMilli());
    }
}
