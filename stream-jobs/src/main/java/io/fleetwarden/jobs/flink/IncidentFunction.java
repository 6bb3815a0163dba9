package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.IncidentBook;
import io.fleetwarden.jobs.detect.IncidentCorrelation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The incident stage (key = tenant) between the cohort rules and the alert stage: folds cohort incidents that describe
 * the same devices into one ({@link IncidentCorrelation}). Low rate (cohort findings only). State: the tenant's open
 * incidents, dropped when none is left; Flink state TTL as a backstop for incidents whose resolution never comes.
 */
public class IncidentFunction extends KeyedProcessFunction<String, Finding, Finding> {

    private static final long serialVersionUID = 1L;

    private final DetectionConfig cfg;
    private transient ValueState<IncidentBook> state;

    public IncidentFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("incidents", IncidentBook.class), cfg));
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        if (!IncidentCorrelation.concerns(f)) {
            out.collect(f);
            return;
        }
        IncidentBook book = state.value();
        if (book == null) {
            book = new IncidentBook();
        }
        IncidentCorrelation.apply(book, f).forEach(out::collect);
        if (IncidentCorrelation.idle(book)) {
            state.clear();
        } else {
            state.update(book);
        }
    }
}
