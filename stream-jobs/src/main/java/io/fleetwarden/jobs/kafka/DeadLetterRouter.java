package io.fleetwarden.jobs.kafka;

import java.time.Duration;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
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
    private transient Counter droppedLate;
    private transient Counter clamped;

    /** @param allowedLateness how far behind the watermark a record may be and still be applied */
    public DeadLetterRouter(Duration allowedLateness) {
        this.allowedLatenessMs = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext ctx) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        droppedLate = getRuntimeContext().getMetricGroup().counter("droppedLateEvents");
        clamped = getRuntimeContext().getMetricGroup().counter("clampedEventTimes");
    }

    @Override
    public void processElement(Inbound in, Context ctx, Collector<Inbound> out) {
        if (in.failed()) {
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
