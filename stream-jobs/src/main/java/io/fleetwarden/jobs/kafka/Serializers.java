package io.fleetwarden.jobs.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/** Kafka record serialisers of the job's outputs, with the keys the topic contract names. */
public final class Serializers {

    /** Dead-letter headers. */
    public static final String H_REASON = "fw.reason";
    public static final String H_ERROR = "fw.error";
    public static final String H_TOPIC = "fw.source-topic";
    public static final String H_PARTITION = "fw.source-partition";
    public static final String H_OFFSET = "fw.source-offset";
    public static final String H_CONSUMER = "fw.consumer";

    private Serializers() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code fleet.alerts}, key = alert id; counts what it writes per rule and status ({@link AlertsOut}). */
    public static KafkaRecordSerializationSchema<Alert> alerts(String topic) {
        return new AlertsOut(topic);
    }

    /** {@code fleet.device-status}, key = device key (compacted). */
    public static KafkaRecordSerializationSchema<DeviceStatus> deviceStatus(String topic) {
        return (s, ctx, ts) -> new ProducerRecord<>(topic, null, null,
                utf8(DeviceKeys.of(s.getTenant(), s.getDeviceId())), Codecs.DEVICE_STATUS.encode(s));
    }

    /** {@code fleet.dead-letters}, key = source topic, raw value, reason and origin in headers. */
    public static KafkaRecordSerializationSchema<Inbound> deadLetters(String topic) {
        return (in, ctx, ts) -> {
            List<Header> headers = new ArrayList<>();
            headers.add(new RecordHeader(H_REASON, utf8(in.errorCode)));
            headers.add(new RecordHeader(H_ERROR, utf8(String.valueOf(in.errorMessage))));
            headers.add(new RecordHeader(H_TOPIC, utf8(in.topic)));
            headers.add(new RecordHeader(H_PARTITION, utf8(Integer.toString(in.partition))));
            headers.add(new RecordHeader(H_OFFSET, utf8(Long.toString(in.offset))));
            headers.add(new RecordHeader(H_CONSUMER, utf8("stream-jobs")));
            return new ProducerRecord<>(topic, null, null, utf8(in.topic), in.value, headers);
        };
    }

    /** Name of a topic for tests that prefix topics. */
    public static String deadLetterTopic() {
        return Topics.DEAD_LETTERS;
    }
}
