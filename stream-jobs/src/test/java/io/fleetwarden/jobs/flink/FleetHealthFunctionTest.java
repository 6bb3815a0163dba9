package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Objects;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.influx.FleetSignal;
import io.fleetwarden.jobs.influx.HealthPoint;
import io.fleetwarden.jobs.influx.InfluxPoints;
import io.fleetwarden.model.InfluxSchema.FleetCohort;

/** Fleet health cohorts: only dimensions the platform knows become series. */
class FleetHealthFunctionTest {

    @Test
    void aDeviceWhoseModelIsNotKnownYetAddsNoNullCohort() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, FleetSignal, HealthPoint>(
                new KeyedProcessOperator<>(new FleetHealthFunction()), s -> s.tenant, Types.STRING)) {
            h.open();
            h.processElement(new StreamRecord<>(up(null, null, "broker-1"), 1_000));
            h.processElement(new StreamRecord<>(up("cam-x1", "eu-west", "broker-1"), 2_000));
            h.processWatermark(FleetHealthFunction.MINUTE);
            List<String> cohorts = h.extractOutputValues().stream()
                    .filter(p -> InfluxPoints.FLEET_COHORT.equals(p.measurement))
                    .map(p -> p.tags().get(FleetCohort.TAG_DIMENSION) + "=" + p.tags().get(FleetCohort.TAG_COHORT)
                            + ":" + p.numbers().get(FleetCohort.ONLINE).intValue())
                    .filter(Objects::nonNull).toList();
            assertThat(cohorts).containsExactlyInAnyOrder("model=cam-x1:1", "region=eu-west:1", "broker=broker-1:2");
        }
    }

    private static FleetSignal up(String model, String region, String broker) {
        FleetSignal s = new FleetSignal();
        s.kind = FleetSignal.Kind.UP;
        s.tenant = "acme";
        s.model = model;
        s.region = region;
        s.brokerId = broker;
        s.timestamp = 1_000;
        return s;
    }
}
