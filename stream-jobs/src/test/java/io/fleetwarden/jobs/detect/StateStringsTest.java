package io.fleetwarden.jobs.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;

/** Equal strings from a record leave the instance in the state in place; different ones replace it. */
class StateStringsTest {

    @Test
    void keepsTheStateInstanceOnlyWhenEqual() {
        String inState = new String("cam-x1");
        assertThat(StateStrings.keep(inState, new String("cam-x1"))).isSameAs(inState);
        assertThat(StateStrings.keep(inState, "cam-x2")).isEqualTo("cam-x2");
        assertThat(StateStrings.keep(inState, null)).isNull();
        assertThat(StateStrings.keep(null, "a")).isEqualTo("a");
    }

    @Test
    void theRulesKeepTheirStateStringsAcrossIdenticalReports() {
        ConnectivityRules rules = new ConnectivityRules(DetectionConfig.defaults());
        ConnectivityState s = new ConnectivityState();
        rules.onTelemetry(s, DeviceReport.of(Events.telemetry("cam-1", Events.T0).build()));
        String model = s.model;
        rules.onTelemetry(s, DeviceReport.of(Events.telemetry("cam-1", Events.T0 + 30_000).setModel(new String(Events.MODEL)).build()));
        assertThat(s.model).isSameAs(model);
        rules.onTelemetry(s, DeviceReport.of(Events.telemetry("cam-1", Events.T0 + 60_000).setModel("cam-x2").build()));
        assertThat(s.model).isEqualTo("cam-x2");
    }
}
