package io.fleetwarden.jobs.kafka;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * One Kafka record after decoding (Flink POJO): exactly one of the payload fields, or a removed
 * advisory id (tombstone), or an error with the raw bytes kept for the dead-letter topic.
 */
public class Inbound {

    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    /**
     * Event time used for watermarks: for telemetry the device time bounded by the broker's receive time
     * ({@link io.fleetwarden.model.EventTime#bounded}), for lifecycle events the same, for security events the broker's timestamp, for
     * failures and reference records the Kafka timestamp.
     */
    public long eventTime;
    /** The device's claimed time when the bound changed it (telemetry and lifecycle events), else {@link Long#MIN_VALUE}. */
    public long clampedDeviceTime = Long.MIN_VALUE;

    public Telemetry telemetry;
    public SecurityEvent securityEvent;
    public DeviceLifecycleEvent deviceEvent;
    public FirmwareCatalogEntry catalog;
    public Advisory advisory;
    public String removedAdvisoryId;

    /** Stable reason code (empty, bad-header, unknown-schema, corrupt-body, ...) when decoding failed. */
    public String errorCode;
    public String errorMessage;
    /** The raw record value (failures, telemetry and security events), for the dead-letter topic. */
    public byte[] value;

    public Inbound() {
    }

    /** Whether the telemetry's device time lay outside the bound and was replaced by the bounded event time. */
    public boolean clamped() {
        return clampedDeviceTime != Long.MIN_VALUE;
    }

    public boolean failed() {
        return errorCode != null;
    }
}
