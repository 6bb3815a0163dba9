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
 * <p><b>Watermark alignment.</b> The event topics ({@code fleet.telemetry}, {@code fleet.security-events}) form one
 * alignment group ({@value #ALIGNMENT_GROUP}): no source, and no partition of one, reads more than {@code maxDrift}
 * of event time ahead of the slowest of them. Without it a
 * backlog (a replay, a restart after downtime, one lagging partition) lets the small security-events topic run
 * hours ahead of telemetry: a device's reconnect reached the per-device rules before the telemetry watermark
 * passed its offline deadline, the partitions' outages and returns reached the cohorts out of order, and a
 * regional outage opened no incident. Live, every source is within seconds of broker time and nothing waits.
 * A source that is quiet is declared idle after {@code idleness} and no longer holds the others; keep
 * {@code maxDrift} above {@code idleness} (the defaults: 10 min and 30 s), or the others wait for it to be
 * declared idle. The watermarks are also emitted from the events ({@link SteppedWatermarks}), so alignment sees
 * a backlog's progress per second of event time, not per 200 ms of processing time. On a backlog, event time
 * advances by at most {@code maxDrift} per alignment round ({@link #ALIGNMENT_INTERVAL}), i.e. at most
 * 6,000 times real time with the default drift. The reference topics and {@code fleet.erasures} are not aligned:
 * they are applied on arrival, and written long before or after the events they concern; nor is the sparse
 * {@code fleet.device-events}, which is declared idle after {@link #SPARSE_IDLENESS} (a short idleness in an alignment
 * group is what Flink 2.2.1's FLINK-40093 race needs) and whose rules count in order-tolerant windows.
 *
 * <p>Telemetry's event time, and so every watermark, is the device time bounded by the broker's receive
 * time ({@link InboundDeserializer}, {@code clockSkew}): devices stamping readings ahead cannot advance the
 * watermark past broker time, so they cannot time out other devices or make their events late. Records
 * more than {@link FleetDetectionJob#ALLOWED_LATENESS} behind the watermark go to {@code fleet.dead-letters}
 * with reason {@value DeadLetterRouter#LATE_EVENT} ({@link DeadLetterRouter}).
 */
public final class KafkaWiring {

    /** Alignment group of the event topics' sources. */
    public static final String ALIGNMENT_GROUP = "fleet-event-time";

    /** How often the sources report their watermarks and learn how far they may read (Flink's default is 1 s). */
    public static final Duration ALIGNMENT_INTERVAL = Duration.ofMillis(100);

    /** Event time a watermark moves before an event emits it ({@link SteppedWatermarks}). */
    public static final Duration WATERMARK_STEP = Duration.ofSeconds(1);

    /**
     * Idleness of the sparse topics ({@code fleet.device-events}, the reference topics, {@code fleet.erasures}), when
     * {@code idleness} is longer. They are quiet most of the time (a fleet whose devices send no lifecycle events leaves
     * {@code fleet.device-events} empty), and until an empty or quiet partition is declared idle it holds the event time
     * of every operator downstream: no offline deadline, no quiet time, no window fires. Applied on arrival (the
     * reference data and erasures) or counted in order-tolerant windows (boots, update results), their records lose
     * nothing by being behind the watermark; while a backlog of device events is being read the source is not quiet and
     * holds event time back as it should.
     */
    public static final Duration SPARSE_IDLENESS = Duration.ofSeconds(5);

    /**
     * Default of {@code maxDrift}, above the default idleness. On a backlog event time advances by at most this per
     * alignment round, so it sets the catch-up speed (10 min per 100 ms round: up to 6,000 times real time; 2 min made a
     * one-day replay take minutes longer on a loaded machine). Finer order is left to the rules that need it: the
     * offline rule reads its own device's reports in order, and the cohorts re-sort their changes.
     */
    public static final Duration DEFAULT_MAX_DRIFT = Duration.ofMinutes(10);

    /** Kafka's default broker maximum; a sink transaction must not outlive it. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private final String bootstrapServers;
    private final String groupId;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Duration clockSkew;
    private final Duration maxDrift;

    /** With the default clock-skew window ({@link EventTime#DEFAULT_SKEW}) and drift ({@link #DEFAULT_MAX_DRIFT}). */
    public KafkaWiring(String bootstrapServers, String groupId, Duration outOfOrderness, Duration idleness) {
        this(bootstrapServers, groupId, outOfOrderness, idleness, EventTime.DEFAULT_SKEW, DEFAULT_MAX_DRIFT);
    }

    /**
     * @param clockSkew how far behind the broker's receive time a reading's device time may lie and still be its
     *                  event time (ahead of it, never); at most {@link FleetDetectionJob#ALLOWED_LATENESS}
     * @param maxDrift  how far (event time) an event topic's source may read ahead of the slowest one; zero switches
     *                  alignment off (an escape hatch: Flink 2.2.1's alignment has known races, e.g. FLINK-40093, a paused
     *                  split declared idle is never resumed with a short idleness, fixed in 2.2.2)
     */
    public KafkaWiring(String bootstrapServers, String groupId, Duration outOfOrderness, Duration idleness, Duration clockSkew,
                       Duration maxDrift) {
        if (maxDrift.isNegative()) {
            throw new IllegalArgumentException("watermark drift must not be negative, got " + maxDrift);
        }
        this.maxDrift = maxDrift;
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
        DataStream<Inbound> telemetry = read(env, Topics.TELEMETRY, eventWatermarks(idleness));
        DataStream<Inbound> security = read(env, Topics.SECURITY_EVENTS, eventWatermarks(idleness));
        DataStream<Inbound> reference = read(env, Topics.FIRMWARE_CATALOG, sparseWatermarks())
                .union(read(env, Topics.ADVISORIES, sparseWatermarks()));
        return new FleetDetectionJob.Inputs(
                telemetry.map(in -> in.telemetry).returns(TypeInformation.of(Telemetry.class))
                        .name("telemetry-records").uid("telemetry-records"),
                security.map(in -> in.securityEvent).returns(TypeInformation.of(SecurityEvent.class))
                        .name("security-records").uid("security-records"),
                reference.map(in -> in.catalog != null ? ReferenceUpdate.of(in.catalog)
                                : in.advisory != null ? ReferenceUpdate.of(in.advisory) : ReferenceUpdate.removed(in.removedAdvisoryId))
                        .returns(ReferenceUpdate.class).name("reference-records").uid("reference-records"),
                read(env, Topics.DEVICE_EVENTS, sparseWatermarks()).map(in -> in.deviceEvent).returns(TypeInformation.of(DeviceLifecycleEvent.class))
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
                // TLS and authentication like every other source (an erasure source without them cannot read a secured Kafka)
                .setProperties(KafkaClientSecurity.configured().applyTo(new Properties()))
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
        WatermarkStrategy<DeviceErasure> wm = WatermarkStrategy.<DeviceErasure>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((e, ts) -> e.erasedAt().toEpochMilli())
                .withIdleness(sparseIdleness());
        return env.fromSource(source, wm, "kafka-" + Topics.ERASURES).uid("source-" + Topics.ERASURES);
    }

    /** The watermarks of an event topic: stepped, idle when quiet, aligned with the other event topic. */
    private WatermarkStrategy<Inbound> eventWatermarks(Duration idle) {
        // A local copy: the lambda must not capture this (KafkaWiring is not serializable).
        Duration delay = outOfOrderness;
        WatermarkStrategy<Inbound> wm = WatermarkStrategy.<Inbound>forGenerator(ctx -> new SteppedWatermarks<>(delay, WATERMARK_STEP))
                .withTimestampAssigner((in, ts) -> in.eventTime)
                .withIdleness(idle);
        return maxDrift.isZero() ? wm : wm.withWatermarkAlignment(ALIGNMENT_GROUP, maxDrift, ALIGNMENT_INTERVAL);
    }

    /** The watermarks of a sparse topic: idle after at most {@link #SPARSE_IDLENESS}, not aligned. */
    private WatermarkStrategy<Inbound> sparseWatermarks() {
        return WatermarkStrategy.<Inbound>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((in, ts) -> in.eventTime)
                .withIdleness(sparseIdleness());
    }

    private Duration sparseIdleness() {
        return idleness.compareTo(SPARSE_IDLENESS) < 0 ? idleness : SPARSE_IDLENESS;
    }

    private DataStream<Inbound> read(StreamExecutionEnvironment env, String topic, WatermarkStrategy<Inbound> wm) {
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
