package io.fleetwarden.jobs.influx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.AlertLifecycle;
import io.fleetwarden.jobs.alerts.AlertState;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.InfluxSchema;

/** Point identity (measurement, tags, time) is a function of the input: replays overwrite, distinct alerts do not collide. */
class InfluxPointsTest {

    @Test
    void deviceHealthPointIsDeterministic() {
        var t = Events.telemetry("cam-1", Events.T0).build();
        HealthPoint a = InfluxPoints.deviceHealth(t);
        HealthPoint b = InfluxPoints.deviceHealth(Events.telemetry("cam-1", Events.T0).build());
        assertThat(a.toString()).isEqualTo(b.toString());
        assertThat(a.timeNanos).isEqualTo(Events.T0 * 1_000_000L);
        assertThat(a.tags()).containsEntry("device", "cam-1").containsEntry("tenant", "acme").doesNotContainKey("firmware");
        assertThat(a.numbers()).containsEntry("bytes_out_per_s", 10_000.0);
        assertThat(a.tag("device", "cam-2").tag("rack", null).tags()).as("a tag is replaced, a null one ignored")
                .containsEntry("device", "cam-2").hasSize(4);
        assertThat(a.field("cpu_percent", 1.5).numbers()).as("a field is replaced, order kept")
                .containsEntry("cpu_percent", 1.5).hasSize(8).containsKeys("cpu_percent", "memory_percent");
        assertThat(a.numbers().keySet()).startsWith("cpu_percent");
        HealthPoint many = new HealthPoint("m", 1);
        for (int i = 0; i < 25; i++) {
            many.tag("t" + i, "v" + i).field("n" + i, i).field("s" + i, "x" + i);
        }
        assertThat(many.tags()).hasSize(25).containsEntry("t24", "v24");
        assertThat(many.numbers()).hasSize(25).containsEntry("n24", 24.0);
        assertThat(many.strings()).hasSize(25).containsEntry("s24", "x24");
    }

    @Test
    void alertsInTheSameMillisecondGetDistinctTimesButReplaysTheSame() {
        AlertLifecycle lifecycle = new AlertLifecycle(60_000);
        Alert x = lifecycle.apply(new AlertState(), Finding.device("CMP-NET-001", Finding.Action.OPEN, "acme", "cam-1", Events.T0, "x")).orElseThrow();
        Alert y = lifecycle.apply(new AlertState(), Finding.device("CMP-NET-001", Finding.Action.OPEN, "acme", "cam-2", Events.T0, "y")).orElseThrow();
        HealthPoint px = InfluxPoints.alert(x);
        HealthPoint py = InfluxPoints.alert(y);
        assertThat(px.tags()).isEqualTo(py.tags());
        assertThat(px.timeNanos).isNotEqualTo(py.timeNanos);
        assertThat(InfluxPoints.alert(x).timeNanos).isEqualTo(px.timeNanos);
        assertThat(px.timeNanos / 1_000_000L).isEqualTo(Instant.ofEpochMilli(Events.T0).toEpochMilli());
        assertThat(List.of(px.strings().get("alert_id"))).containsExactly(x.getAlertId());
    }

    @Test
    void pointsCarryExactlyTheNamesOfTheSharedSchema() {
        HealthPoint health = InfluxPoints.deviceHealth(Events.telemetry("cam-1", Events.T0).build());
        InfluxSchema.Measurement h = measurement(health.measurement);
        assertThat(health.tags().keySet()).containsExactlyElementsOf(h.tags());
        assertThat(health.numbers().keySet()).containsExactlyElementsOf(h.numberFields());
        assertThat(health.strings().keySet()).containsExactlyElementsOf(h.stringFields());

        Alert alert = new AlertLifecycle(60_000).apply(new AlertState(),
                Finding.device("CMP-NET-001", Finding.Action.OPEN, "acme", "cam-1", Events.T0, "x")).orElseThrow();
        HealthPoint point = InfluxPoints.alert(alert);
        InfluxSchema.Measurement a = measurement(point.measurement);
        assertThat(point.tags().keySet()).containsExactlyElementsOf(a.tags());
        assertThat(point.tags()).containsEntry(InfluxSchema.Alerts.TAG_SUBJECT, InfluxSchema.Alerts.SUBJECT_DEVICE);
        assertThat(point.numbers().keySet()).containsExactlyElementsOf(a.numberFields());
        assertThat(a.stringFields()).as("null string fields are left out, never renamed")
                .containsAll(point.strings().keySet());
        assertThat(point.strings().keySet()).contains(InfluxSchema.Alerts.ALERT_ID, InfluxSchema.Alerts.DEVICE);
    }

    private static InfluxSchema.Measurement measurement(String name) {
        return InfluxSchema.MEASUREMENTS.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }
}
