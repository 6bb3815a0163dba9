package io.fleetwarden.jobs.flink;

import java.util.Comparator;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.IncidentBook;
import io.fleetwarden.jobs.detect.IncidentCorrelation;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * The incident stage (key = tenant) between the cohort rules and the alert stage: folds cohort incidents that describe
 * the same devices into one ({@link IncidentCorrelation}). Low rate (cohort findings only). State: the tenant's open
 * incidents, dropped when none is left; Flink state TTL as a backstop for incidents whose resolution never comes.
 *
 * <p><b>Event-time order.</b> Which of two incidents of one event absorbs the other depends on which is applied first,
 * and the incidents of a tenant come from several cohort keys on parallel subtasks, whose interleaving differs from run
 * to run. So, as in {@link CohortFunction}, a finding ahead of the watermark is held ({@link EventTimeHold}) until the
 * watermark reaches its time, and the findings of one millisecond are applied by cohort (region, model, broker, then by value; a
 * stable sort keeps one cohort's incident before its folds): the verdicts depend on event time only. Cohort findings
 * are emitted as the cohort stage's watermark reaches them, so holding them costs at most one watermark step.
 */
public class IncidentFunction extends KeyedProcessFunction<String, Finding, Finding> {

    private static final long serialVersionUID = 1L;

    /** The order of the findings of one millisecond: by the cohort they come from. */
    static final Comparator<Finding> SAME_MILLISECOND = Comparator.comparingInt(IncidentFunction::dimensionRank)
            .thenComparing(IncidentFunction::cohort, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final DetectionConfig cfg;
    private transient ValueState<IncidentBook> state;
    /** Findings ahead of the watermark, until it reaches them. */
    private transient EventTimeHold<Finding> held;

    public IncidentFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("incidents", IncidentBook.class), cfg));
        held = EventTimeHold.open(getRuntimeContext(), TypeInformation.of(Finding.class), SAME_MILLISECOND);
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        if (!IncidentCorrelation.concerns(f)) {
            out.collect(f);
            return;
        }
        if (held.holdIfAhead(f, f.timestamp, ctx.timerService())) {
            return;
        }
        apply(List.of(f), out);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        List<Finding> due = held.release(ts);
        if (!due.isEmpty()) {
            apply(due, out);
        }
    }

    private void apply(List<Finding> findings, Collector<Finding> out) throws Exception {
        IncidentBook book = state.value();
        if (book == null) {
            book = new IncidentBook();
        }
        for (Finding f : findings) {
            IncidentCorrelation.apply(book, f).forEach(out::collect);
        }
        if (IncidentCorrelation.idle(book)) {
            state.clear();
        } else {
            state.update(book);
        }
    }

    /** The cohort a finding comes from ({@code dimension=value}): the incident's own, or the one a fold names. */
    static String cohort(Finding f) {
        if (f.cohortDimension != null) {
            return f.cohortDimension + "=" + f.cohortValue;
        }
        return f.evidence.get("cohort");
    }

    private static int dimensionRank(Finding f) {
        String c = cohort(f);
        if (c == null) {
            return 3;
        }
        if (c.startsWith(CohortRules.SIGNIFICANCE_DIMENSION + "=")) {
            return 0;
        }
        return c.startsWith("model=") ? 1 : 2;
    }
}
