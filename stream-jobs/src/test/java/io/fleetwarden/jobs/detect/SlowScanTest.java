package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.Telemetry;

/**
 * CMP-NET-005's long horizon: a scan spread over hours (about one new destination a minute, never 20 within 10 min)
 * opens the rule, judged against the device's own normal rate of new destinations; what the device chooses (its
 * destinations, their number, the pace of a ramp) cannot teach the scan as its normal, nor grow its state.
 */
class SlowScanTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;

    private final BehaviourRules rules = new BehaviourRules(CFG);
    private final BehaviourState st = new BehaviourState();
    private long ts = T0;
    private int next = 1000;

    /** One report a minute; {@code fresh} of them in each hour carry one destination never seen before. */
    private List<Finding> hours(int count, int freshPerHour) {
        List<Finding> out = new ArrayList<>();
        for (int h = 0; h < count; h++) {
            for (int m = 0; m < 60; m++) {
                Telemetry.Builder t = Events.telemetry("cam-1", ts);
                if (m < freshPerHour) {
                    List<NetworkConnection> c = new ArrayList<>(Events.connections(3, 0));
                    c.add(new NetworkConnection("100.64." + (next / 250) + "." + (next % 250 + 1), 22, "tcp"));
                    next++;
                    t.setConnections(c);
                }
                out.addAll(rules.onTelemetry(st, DeviceReport.of(t.build()), Events.DIGEST));
                ts += MIN;
            }
        }
        return out;
    }

    private static List<Finding> opens(List<Finding> f) {
        return f.stream().filter(x -> x.ruleId.equals("CMP-NET-005") && x.action == Action.OPEN).toList();
    }

    @Test
    void aScanOfOneNewDestinationAMinuteOpensWithinTheHourAndTheScanIsNotLearnt() {
        assertThat(opens(hours(24, 0))).isEmpty(); // a quiet day: learning, no destination state at all
        assertThat(st.destHorizon).isNull();
        List<Finding> scan = hours(3, 50);
        assertThat(opens(scan)).hasSize(1).first().satisfies(f -> {
            assertThat(f.evidence).containsEntry("horizon", "long").containsEntry("newDestinations", "30")
                    .containsEntry("windowSeconds", String.valueOf(6 * 3600)).containsEntry("threshold", "30.00");
            assertThat(f.timestamp).isLessThan(T0 + 25 * HOUR);
        });
        assertThat(st.destHorizon.rate).as("the scan hours are not learnt").isZero();
        // stops: the horizon drains below half the threshold and the rule clears, once
        List<Finding> after = hours(7, 0);
        assertThat(after).filteredOn(f -> f.ruleId.equals("CMP-NET-005")).extracting(f -> f.action).containsExactly(Action.CLEAR);
    }

    @Test
    void aDeviceWhoseServiceRotatesAddressesIsJudgedAgainstItsOwnChurn() {
        // 4 new destinations an hour (a CDN, a time-server pool) never reach 30 within 6 h, and become the normal.
        assertThat(opens(hours(72, 4))).isEmpty();
        assertThat(st.destHorizon.rate).isGreaterThan(3.5);
        // ~13 an hour for 3 hours (40) is within 4x its own churn over the horizon: nothing
        assertThat(opens(hours(3, 13))).isEmpty();
        // a scan of one a minute is not
        assertThat(opens(hours(3, 60))).hasSize(1);
    }

    @Test
    void aScannerCannotTeachItsScanAsNormalNorGrowItsState() {
        // 20 a minute... no: 20 an hour, all day long (a patient scanner): opens and, while open, teaches nothing.
        List<Finding> day = hours(24, 20);
        assertThat(opens(day)).hasSize(1);
        assertThat(st.destHorizon.rate).isLessThan(1);
        assertThat(st.destHorizon.hours).hasSize(6);
        assertThat(st.knownDestinations).hasSize(BehaviourRules.MAX_KNOWN_DESTINATIONS);

        // A device repeating the same few destinations forever adds nothing new.
        BehaviourState other = new BehaviourState();
        for (int i = 0; i < 600; i++) {
            Telemetry t = Events.telemetry("cam-2", T0 + i * MIN).setConnections(Events.connections(10, 0)).build();
            assertThat(rules.onTelemetry(other, DeviceReport.of(t), Events.DIGEST)).noneMatch(f -> f.ruleId.equals("CMP-NET-005"));
        }
        assertThat(other.destHorizon).isNull();
    }

    @Test
    void aSlowRampTeachesTheOwnRateOnlySlowly() {
        // Ramping by one new destination an hour every 6 hours, staying under 30 per horizon, for two days: the
        // own rate follows at most 2x+1 per closed hour at weight 0.05, so a 1/min scan afterwards still opens.
        for (int step = 0; step < 8; step++) {
            hours(6, Math.min(4, 1 + step / 2));
        }
        double rate = st.destHorizon.rate;
        assertThat(rate).isLessThan(4);
        assertThat(opens(hours(2, 60))).hasSize(1);
    }
}
