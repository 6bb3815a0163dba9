package io.fleetwarden.jobs.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes decoded records on and sends records that could not be decoded to {@link #DEAD_LETTERS}.
 * Bad input never fails the job.
 *
 * <p>Metrics, per source topic (label {@code topic}): {@code events_in} (every record read, decoded or
 * not) and {@code dead_letters} (records that could not be decoded); from Flink's Prometheus reporter
 * {@code flink_taskmanager_job_task_operator_fleetwarden_topic_events_in} and {@code ..._dead_letters},
 * with {@code topic="fleet_telemetry"} (the reporter writes every character outside {@code [A-Za-z0-9_:]} in a label value as '_').
 * The operator-wide {@code deadLetters} counter stays for dashboards that use it.
 */
public class DeadLetterRouter extends ProcessFunction<Inbound, Inbound> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Inbound> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private transient Counter deadLetters;
    private transient MetricGroup fleetwarden;
    /** Per topic: [events in, dead letters]. A router reads one topic, so this holds one entry. */
    private transient Map<String, Counter[]> perTopic;

    @Override
    public void open(OpenContext ctx) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        fleetwarden = getRuntimeContext().getMetricGroup().addGroup("fleetwarden");
        perTopic = new HashMap<>();
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
        } else {
            out.collect(in);
        }
    }
}
