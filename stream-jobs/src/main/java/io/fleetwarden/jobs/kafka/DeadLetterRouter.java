package io.fleetwarden.jobs.kafka;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes decoded records on and sends records that could not be decoded to {@link #DEAD_LETTERS},
 * counting them ({@code deadLetters} metric). Bad input never fails the job.
 */
public class DeadLetterRouter extends ProcessFunction<Inbound, Inbound> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Inbound> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private transient Counter deadLetters;

    @Override
    public void open(OpenContext ctx) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(Inbound in, Context ctx, Collector<Inbound> out) {
        if (in.failed()) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, in);
        } else {
            out.collect(in);
        }
    }
}
