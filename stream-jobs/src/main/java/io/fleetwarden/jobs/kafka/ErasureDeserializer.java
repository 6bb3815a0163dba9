package io.fleetwarden.jobs.kafka;

import java.nio.charset.StandardCharsets;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.model.DeviceErasure;

/**
 * Reads {@code fleet.erasures} ({@link DeviceErasure}): a tombstone (it cannot un-erase) and a malformed record (named
 * in the log, counted as {@code badErasureRecords}) are skipped, never fail the job; records of a reserved scope
 * ({@code _...}) are refused by {@link DeviceErasure#parse}.
 */
public final class ErasureDeserializer implements KafkaRecordDeserializationSchema<DeviceErasure> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErasureDeserializer.class);

    private transient Counter bad;

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        bad = ctx.getMetricGroup().counter("badErasureRecords");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DeviceErasure> out) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            DeviceErasure e = DeviceErasure.parse(key, record.value());
            if (e != null) {
                out.collect(e);
            }
        } catch (IllegalArgumentException e) {
            if (bad != null) {
                bad.inc();
            }
            LOG.warn("skipped erasure record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    @Override
    public TypeInformation<DeviceErasure> getProducedType() {
        return TypeInformation.of(DeviceErasure.class);
    }
}
