package io.fleetwarden.jobs.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First operator after each Kafka source. Sends records that could not be decoded to {@link #DEAD_LETTERS}
 * ({@code deadLetters} metric), and records whose event time is more than the allowed lateness behind the
 * watermark there too, with reason {@value #LATE_EVENT} ({@code droppedLateEvents} metric, and a log line
 * for the first and every 1000th): a drop is never silent, and the raw record can be replayed. Counts
 * telemetry whose device time was replaced by the bounded event time ({@code clampedEventTimes}). Bad
 * input never fails the job.
 *
 * <p>Because event time is bounded by broker time ({@link InboundDeserializer}), no device can move the
 * watermark ahead of the brokers, so a record is only this late when it reached Kafka or the job that
 * late (a broker buffer flushed after a long Kafka outage, a replay behind live traffic).
 *
 * <p>Metrics, per source topic (label {@code topic}): {@code events_in} (every record read, decoded or
 * not) and {@code dead_letters} (records sent to {@link #DEAD_LETTERS}: not decodable or too late); from
 * Flink's Prometheus reporter {@code flink_taskmanager_job_task_operator_fleetwarden_topic_events_in} and
 * {@code ..._dead_letters}, with {@code topic="fleet_telemetry"} (the reporter writes every character outside
 * {@code [A-Za-z0-9_:]} in a label value as '_'). The operator-wide {@code deadLetters} counter (not decodable
 * only) stays for dashboards that use it.
 */
public class DeadLetterRouter extends ProcessFunction<Inbound, Inbound> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRouter.class);

    /** Dead-letter reason of a record dropped for lateness. */
    public static final String LATE_EVENT = "late-event";

    public static final OutputTag<Inbound> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private final long allowedLatenessMs;
    private transient Counter deadLetters;
    private transient MetricGroup fleetwarden;
    /** Per topic: [events in, dead letters]. A router reads one topic, so this holds one entry. */
    private transient Map<String, Counter[]> perTopic;
    private transient Counter droppedLate;
    private transient Counter clamped;

    /** @param allowedLateness how far behind the watermark a record may be and still be applied */
    public DeadLetterRouter(Duration allowedLateness) {
        this.allowedLatenessMs = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext ctx) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        fleetwarden = getRuntimeContext().getMetricGroup().addGroup("fleetwarden");
        perTopic = new HashMap<>();
        droppedLate = getRuntimeContext().getMetricGroup().counter("droppedLateEvents");
        clamped = getRuntimeContext().getMetricGroup().counter("clampedEventTimes");
    }

    @Override
    public void processElement(Inbound in, Context ctx, Collector<Inbound> out) {
        Counter[] topic = perTopic.computeIfAbsent(String.valueOf(in.topic), t -> {
            MetricGroup g = fleetwarden.addGroup("topic", t);
            return new Counter[] {g.counter("events_in"), g.counter("dead_letters")};
        });
        topic[0].inc();
        if (in.failed()) {
            topic[1].inc();
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, in);
            return;
        }
        if (in.clamped()) {
            clamped.inc();
        }
        if (in.telemetry != null || in.securityEvent != null || in.deviceEvent != null) {
            long wm = ctx.timerService().currentWatermark();
            if (wm != Long.MIN_VALUE && wm - in.eventTime > allowedLatenessMs) {
                droppedLate.inc();
                topic[1].inc();
                in.errorCode = LATE_EVENT;
                in.errorMessage = "event time " + in.eventTime + " is " + (wm - in.eventTime) + " ms behind the watermark "
                        + wm + " (allowed lateness " + allowedLatenessMs + " ms)";
                if (droppedLate.getCount() % 1000 == 1) {
                    LOG.warn("dropped late record {}-{}@{} ({} dropped so far by this subtask): {}", in.topic, in.partition,
                            in.offset, droppedLate.getCount(), in.errorMessage);
                }
                ctx.output(DEAD_LETTERS, in);
                return;
            }
        }
        out.collect(in);
    }
}
