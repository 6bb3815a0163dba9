package io.fleetwarden.jobs.alerts;

import java.util.HashMap;
import java.util.Map;

import io.fleetwarden.model.Severity;

/** Per-device status state (Flink POJO): the latest facts and the device's open alerts by rule. */
public class DeviceStatusState {

    public String tenant;
    public String deviceId;
    public String model;
    public String region;
    public String firmwareVersion;
    public String brokerId;
    public String sourceAddress;
    public boolean connected;
    public long lastSeen = Long.MIN_VALUE;
    /** The device was erased at this time (Long.MIN_VALUE: never): nothing up to it is published again. */
    public long erasedAt = Long.MIN_VALUE;
    public long certificateNotAfter = Long.MIN_VALUE;
    /** Rule id to severity of the device's open alerts. */
    public Map<String, Severity> openAlerts = new HashMap<>();
    /** Event time of the last published status. */
    public long publishedAt = Long.MIN_VALUE;
    /** A fact (other than lastSeen) changed since the last published status (compared by equality). */
    public boolean changed;
    /**
     * Event time of the newest signal or alert of the device, or MIN_VALUE: the state is dropped
     * {@code state.ttl} after it (the device-status operator's retention timer).
     */
    public long lastEvent = Long.MIN_VALUE;
    /** Event time of the pending retention timer, or MIN_VALUE for none. */
    public long timer = Long.MIN_VALUE;

    public DeviceStatusState() {
    }
}
