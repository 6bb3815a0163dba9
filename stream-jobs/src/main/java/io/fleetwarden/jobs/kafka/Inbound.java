package io.fleetwarden.jobs.kafka;

import io.fleetwarden.model.Advisory;
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
    /** Event time used for watermarks: the payload's time, or the Kafka timestamp for failures. */
    public long eventTime;

    public Telemetry telemetry;
    public SecurityEvent securityEvent;
    public FirmwareCatalogEntry catalog;
    public Advisory advisory;
    public String removedAdvisoryId;

    /** Stable reason code (empty, bad-header, unknown-schema, corrupt-body, ...) when decoding failed. */
    public String errorCode;
    public String errorMessage;
    public byte[] value;

    public Inbound() {
    }

    public boolean failed() {
        return errorCode != null;
    }
}
