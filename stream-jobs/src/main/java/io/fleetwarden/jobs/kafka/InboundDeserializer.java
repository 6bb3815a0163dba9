package io.fleetwarden.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.EventTime;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.codec.Decoded;
import io.fleetwarden.model.codec.RecordDecodingException;

/**
 * Decodes the platform's single-object-encoded Avro records with the event-model {@code Codecs}.
 * Never throws: a record that cannot be read becomes an {@link Inbound} carrying the reason and the
 * raw bytes, which the job routes to the dead-letter topic.
 *
 * <p>Event time of telemetry is never the device's word: it is the device time bounded to
 * {@code [receivedAt - clockSkew, receivedAt]} ({@link EventTime}), applied here to every record, including
 * records of brokers that did not check clocks and replays. When the bound changes it, the record's
 * {@code deviceTime} is replaced by the bounded time <em>for this job</em> (every rule, timer and point then
 * runs on the same time as the watermark) and the claim is kept in {@link Inbound#clampedDeviceTime}; the
 * record on {@code fleet.telemetry} and the broker's {@code device-clock-skew} event keep the device's clock
 * as evidence.
 */
public class InboundDeserializer implements KafkaRecordDeserializationSchema<Inbound> {

    private static final long serialVersionUID = 1L;

    private final long clockSkewMs;

    /** With the default skew window ({@link EventTime#DEFAULT_SKEW}). */
    public InboundDeserializer() {
        this(EventTime.DEFAULT_SKEW);
    }

    public InboundDeserializer(Duration clockSkew) {
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clock skew must not be negative: " + clockSkew);
        }
        this.clockSkewMs = clockSkew.toMillis();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Inbound> out) {
        Inbound in = new Inbound();
        in.topic = r.topic();
        in.partition = r.partition();
        in.offset = r.offset();
        in.key = r.key();
        in.eventTime = r.timestamp();
        byte[] v = r.value();
        switch (r.topic()) {
            case Topics.TELEMETRY -> {
                Decoded<Telemetry> d = Codecs.TELEMETRY.tryDecode(v);
                if (d.isOk()) {
                    in.telemetry = d.value();
                    in.value = v; // kept for the dead-letter topic should the record be too late
                    long claimed = in.telemetry.getDeviceTime().toEpochMilli();
                    in.eventTime = EventTime.bounded(claimed, in.telemetry.getReceivedAt().toEpochMilli(), clockSkewMs);
                    if (in.eventTime != claimed) {
                        in.clampedDeviceTime = claimed;
                        in.telemetry.setDeviceTime(Instant.ofEpochMilli(in.eventTime));
                    }
                } else {
                    fail(in, v, d.error().orElseThrow());
                }
            }
            case Topics.SECURITY_EVENTS -> {
                Decoded<SecurityEvent> d = Codecs.SECURITY_EVENT.tryDecode(v);
                if (d.isOk()) {
                    in.securityEvent = d.value();
                    in.value = v;
                    in.eventTime = in.securityEvent.getTimestamp().toEpochMilli();
                } else {
                    fail(in, v, d.error().orElseThrow());
                }
            }
            case Topics.DEVICE_EVENTS -> {
                Decoded<DeviceLifecycleEvent> d = Codecs.DEVICE_EVENT.tryDecode(v);
                if (d.isOk()) {
                    in.deviceEvent = d.value();
                    in.value = v;
                    long claimed = in.deviceEvent.getDeviceTime().toEpochMilli();
                    in.eventTime = EventTime.bounded(claimed, in.deviceEvent.getReceivedAt().toEpochMilli(), clockSkewMs);
                    if (in.eventTime != claimed) {
                        in.clampedDeviceTime = claimed;
                        in.deviceEvent.setDeviceTime(Instant.ofEpochMilli(in.eventTime));
                    }
                } else {
                    fail(in, v, d.error().orElseThrow());
                }
            }
            case Topics.FIRMWARE_CATALOG -> {
                if (v == null) {
                    return; // a deleted model: nothing to apply
                }
                Decoded<FirmwareCatalogEntry> d = Codecs.FIRMWARE_CATALOG.tryDecode(v);
                if (d.isOk()) {
                    in.catalog = d.value();
                } else {
                    fail(in, v, d.error().orElseThrow());
                }
            }
            case Topics.ADVISORIES -> {
                if (v == null) {
                    in.removedAdvisoryId = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (in.removedAdvisoryId == null) {
                        in.errorCode = "tombstone-without-key";
                        in.errorMessage = "advisory tombstone without a key";
                    }
                } else {
                    Decoded<Advisory> d = Codecs.ADVISORY.tryDecode(v);
                    if (d.isOk()) {
                        in.advisory = d.value();
                    } else {
                        fail(in, v, d.error().orElseThrow());
                    }
                }
            }
            default -> {
                in.errorCode = "unexpected-topic";
                in.errorMessage = "no decoder for topic " + r.topic();
                in.value = v;
            }
        }
        out.collect(in);
    }

    private static void fail(Inbound in, byte[] v, RecordDecodingException e) {
        in.errorCode = e.reason();
        in.errorMessage = e.getMessage();
        in.value = v;
    }

    @Override
    public TypeInformation<Inbound> getProducedType() {
        return TypeInformation.of(Inbound.class);
    }
}
