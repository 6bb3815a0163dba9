package io.fleetwarden.jobs.kafka;

import java.time.Duration;
import java.util.Properties;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import io.fleetwarden.jobs.flink.FleetDetectionJob;
import io.fleetwarden.jobs.flink.ReferenceUpdate;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceErasure;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.EventTime;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Plugs Kafka into {@link FleetDetectionJob}: one {@link KafkaSource} per input topic (per-partition
 * watermarks with bounded out-of-orderness and idleness, so a quiet partition or the compacted
 * reference topics do not hold event time back), decoding with dead-letter routing, and
 * exactly-once {@link KafkaSink}s for alerts and device status.
 *
 * <p>Telemetry's event time, and so every watermark, is the device time bounded by the broker's receive
 * time ({@link InboundDeserializer}, {@code clockSkew}): devices stamping readings ahead cannot advance the
 * watermark past broker time, so they cannot time out other devices or make their events late. Records
 * more than {@link FleetDetectionJob#ALLOWED_LATENESS} behind the watermark go to {@code fleet.dead-letters}
 * with reason {@value DeadLetterRouter#LATE_EVENT} ({@link DeadLetterRouter}).
 */
public final class KafkaWiring {

    /** Kafka's default broker maximum; a sink transaction must not outlive it. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrapServers;
    private final String groupId;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Duration clockSkew;

    /** With the default clock-skew window ({@link EventTime#DEFAULT_SKEW}). */
    public KafkaWiring(String bootstrapServers, String groupId, Duration outOfOrderness, Duration idleness) {
        this(bootstrapServers, groupId, outOfOrderness, idleness, EventTime.DEFAULT_SKEW);
    }

    /**
     * @param clockSkew how far behind the broker's receive time a reading's device time may lie and still be its
     *                  event time (ahead of it, never); at most {@link FleetDetectionJob#ALLOWED_LATENESS}
     */
    public KafkaWiring(String bootstrapServers, String groupId, Duration outOfOrderness, Duration idleness, Duration clockSkew) {
        if (clockSkew.isNegative() || clockSkew.compareTo(FleetDetectionJob.ALLOWED_LATENESS) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and the allowed lateness "
                    + FleetDetectionJob.ALLOWED_LATENESS + ", got " + clockSkew);
        }
        this.clockSkew = clockSkew;
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    /** Sources, decoding and dead-letter routing; dead letters go to {@code fleet.dead-letters}. */
    public FleetDetectionJob.Inputs inputs(StreamExecutionEnvironment env) {
        DataStream<Inbound> telemetry = read(env, Topics.TELEMETRY);
        DataStream<Inbound> security = read(env, Topics.SECURITY_EVENTS);
        DataStream<Inbound> reference = read(env, Topics.FIRMWARE_CATALOG).union(read(env, Topics.ADVISORIES));
        return new FleetDetectionJob.Inputs(
                telemetry.map(in -> in.telemetry).returns(TypeInformation.of(Telemetry.class))
                        .name("telemetry-records").uid("telemetry-records"),
                security.map(in -> in.securityEvent).returns(TypeInformation.of(SecurityEvent.class))
                        .name("security-records").uid("security-records"),
                reference.map(in -> in.catalog != null ? ReferenceUpdate.of(in.catalog)
                                : in.advisory != null ? ReferenceUpdate.of(in.advisory) : ReferenceUpdate.removed(in.removedAdvisoryId))
                        .returns(ReferenceUpdate.class).name("reference-records").uid("reference-records"),
                read(env, Topics.DEVICE_EVENTS).map(in -> in.deviceEvent).returns(TypeInformation.of(DeviceLifecycleEvent.class))
                        .name("device-event-records").uid("device-event-records"),
                erasures(env));
    }

    /**
     * The compacted {@code fleet.erasures}, read from the beginning on a fresh start (every erasure ever made applies),
     * event time = erasure time, idle like the reference topics so it never holds event time back.
     */
    private DataStream<DeviceErasure> erasures(StreamExecutionEnvironment env) {
        KafkaSource<DeviceErasure> source = KafkaSource.<DeviceErasure>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(Topics.ERASURES)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ErasureDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
        WatermarkStrategy<DeviceErasure> wm = WatermarkStrategy.<DeviceErasure>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((e, ts) -> e.erasedAt().toEpochMilli())
                .withIdleness(idleness);
        return env.fromSource(source, wm, "kafka-" + Topics.ERASURES).uid("source-" + Topics.ERASURES);
    }

    private DataStream<Inbound> read(StreamExecutionEnvironment env, String topic) {
        KafkaSource<Inbound> source = KafkaSource.<Inbound>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new InboundDeserializer(clockSkew))
                .setProperties(KafkaClientSecurity.configured().applyTo(new Properties()))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
        WatermarkStrategy<Inbound> wm = WatermarkStrategy.<Inbound>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((in, ts) -> in.eventTime)
                .withIdleness(idleness);
        SingleOutputStreamOperator<Inbound> routed = env.fromSource(source, wm, "kafka-" + topic).uid("source-" + topic)
                .process(new DeadLetterRouter(FleetDetectionJob.ALLOWED_LATENESS)).name("decode-" + topic).uid("decode-" + topic);
        routed.getSideOutput(DeadLetterRouter.DEAD_LETTERS)
                .sinkTo(sink(Serializers.deadLetters(Topics.DEAD_LETTERS), "fw-dlq-" + topic, DeliveryGuarantee.AT_LEAST_ONCE))
                .name("dead-letters-" + topic).uid("dead-letters-" + topic);
        return routed;
    }

    public KafkaSink<Alert> alertSink(String transactionalIdPrefix) {
        return alertSink(transactionalIdPrefix, DeliveryGuarantee.EXACTLY_ONCE);
    }

    /** Alerts sink; EXACTLY_ONCE is the default, AT_LEAST_ONCE trades duplicates after failover for latency. */
    public KafkaSink<Alert> alertSink(String transactionalIdPrefix, DeliveryGuarantee delivery) {
        return sink(Serializers.alerts(Topics.ALERTS), transactionalIdPrefix + "-alerts", delivery);
    }

    public KafkaSink<DeviceStatus> deviceStatusSink(String transactionalIdPrefix) {
        return deviceStatusSink(transactionalIdPrefix, DeliveryGuarantee.EXACTLY_ONCE);
    }

    public KafkaSink<DeviceStatus> deviceStatusSink(String transactionalIdPrefix, DeliveryGuarantee delivery) {
        return sink(Serializers.deviceStatus(Topics.DEVICE_STATUS), transactionalIdPrefix + "-status", delivery);
    }

    private <T> KafkaSink<T> sink(KafkaRecordSerializationSchema<T> schema, String txPrefix, DeliveryGuarantee guarantee) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        p.setProperty("linger.ms", "5");
        KafkaClientSecurity.configured().applyTo(p);
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(txPrefix)
                .setKafkaProducerConfig(p)
                .build();
    }
}
