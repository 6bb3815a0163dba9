package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.influx.HealthPoint;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;

/**
 * The whole topology on a MiniCluster (parallelism 2) with in-memory input: a small fleet with an
 * outage, a Telnet port, a brute force and an advisory arriving mid-stream. Asserts alerts, device
 * status and InfluxDB points.
 */
class FleetDetectionJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(conf()).build());

    static Configuration conf() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }

    static final int DEVICES = 30;

    /** Telemetry of 30 devices every 30 s for 20 min; devices 0-14 stop at minute 10 (a cohort outage). */
    static List<Telemetry> telemetry() {
        List<Telemetry> out = new ArrayList<>();
        for (int step = 0; step < 40; step++) {
            long ts = T0 + step * 30_000L;
            for (int d = 0; d < DEVICES; d++) {
                if (d < 15 && step >= 20 && step < 36) {
                    continue;
                }
                Telemetry.Builder t = Events.telemetry("cam-" + d, ts + d * 100L);
                if (d == 29 && step >= 5) {
                    t.setListeningPorts(List.of(80, 23));
                }
                out.add(t.build());
            }
        }
        out.sort(Comparator.comparing(t -> t.getDeviceTime()));
        return out;
    }

    static List<SecurityEvent> security() {
        List<SecurityEvent> out = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            out.add(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0 - 1000 + d, "cam-" + d, "198.51.100." + d).build());
        }
        for (int d = 0; d < 15; d++) {
            out.add(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, T0 + 20 * 30_000L - 10_000 + d * 500L,
                    "cam-" + d, "198.51.100." + d).build());
        }
        for (int i = 0; i < 12; i++) {
            out.add(Events.authFailure("guess-" + i, "203.0.113.66", T0 + 60_000 + i * 1000L));
        }
        out.sort(Comparator.comparing(e -> e.getTimestamp()));
        return out;
    }

    @Test
    @Timeout(240)
    void fleetScenarioProducesAlertsStatusAndPoints() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Telemetry> telemetry = env.fromData(telemetry(), TypeInformation.of(Telemetry.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Telemetry>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((t, ts) -> t.getDeviceTime().toEpochMilli()));
        DataStream<SecurityEvent> security = env.fromData(security(), TypeInformation.of(SecurityEvent.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<SecurityEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, ts) -> e.getTimestamp().toEpochMilli()));
        DataStream<ReferenceUpdate> reference = env.fromData(List.of(
                        ReferenceUpdate.of(Events.catalog("2.4.1", T0 - 100 * Events.DAY, null)),
                        ReferenceUpdate.of(Events.advisory("FWSA-2026-0001", "[2.0.0,2.5.0)", Severity.CRITICAL))),
                        TypeInformation.of(ReferenceUpdate.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<ReferenceUpdate>forMonotonousTimestamps()
                        .withTimestampAssigner((r, ts) -> T0 + 5 * 60_000L));

        FleetDetectionJob.Outputs out = FleetDetectionJob.build(new FleetDetectionJob.Inputs(telemetry, security, reference),
                DetectionConfig.defaults());
        CloseableIterator<Alert> alertsIt = out.alerts().collectAsync();
        CloseableIterator<DeviceStatus> statusIt = out.deviceStatus().collectAsync();
        CloseableIterator<HealthPoint> pointsIt = out.points().collectAsync();
        env.execute("fleet-scenario");

        List<Alert> alerts = drain(alertsIt);
        List<DeviceStatus> statuses = drain(statusIt);
        List<HealthPoint> points = drain(pointsIt);

        Map<String, List<Alert>> byRule = alerts.stream().collect(Collectors.groupingBy(Alert::getRuleId));
        assertThat(byRule.get("CMP-NET-001")).isNotEmpty().allMatch(a -> "cam-29".equals(a.getDeviceId()));
        assertThat(byRule.get("CMP-AUTH-002")).isNotEmpty().allMatch(a -> "203.0.113.66".equals(a.getCohortValue()));
        assertThat(byRule.get("FW-ADV-001")).extracting(Alert::getDeviceId).hasSizeGreaterThanOrEqualTo(DEVICES);
        assertThat(byRule.get("FW-ADV-001")).allMatch(a -> a.getSeverity() == Severity.CRITICAL);
        List<Alert> incidents = byRule.get("RES-COH-001");
        assertThat(incidents).as("cohort incident").isNotEmpty();
        // The dropped devices' model, region and broker cohorts describe the same devices and fold into one
        // incident (incidents stage); which dimension opens it depends on how the subtasks interleave.
        Alert incident = incidents.stream()
                .max(Comparator.comparingInt((Alert a) -> Integer.parseInt(a.getEvidence().getOrDefault("members", "0"))))
                .orElseThrow();
        assertThat(Integer.parseInt(incident.getEvidence().get("members"))).isGreaterThanOrEqualTo(10);
        // Device offline alerts of the dropped devices are folded into an incident.
        assertThat(byRule.get("RES-OFF-001")).filteredOn(a -> a.getParentAlertId() != null).isNotEmpty();
        // (Resolution of an incident is covered event-by-event in RuleScenarioTest: replaying a bounded input
        // lets the watermark jump, so which devices count as "back" first depends on the interleaving of subtasks.)

        // Dedup: each (alertId, revision) exactly once, revisions of an alert are 1..n.
        assertThat(alerts.stream().map(a -> a.getAlertId() + "#" + a.getRevision()).distinct().count()).isEqualTo(alerts.size());

        DeviceStatus cam29 = statuses.stream().filter(s -> s.getDeviceId().equals("cam-29"))
                .max(Comparator.comparing(DeviceStatus::getUpdatedAt).thenComparing(DeviceStatus::getRiskScore)).orElseThrow();
        assertThat(cam29.getOpenAlertRuleIds()).contains("CMP-NET-001", "FW-ADV-001");
        assertThat(cam29.getRiskScore()).isGreaterThanOrEqualTo(80);
        assertThat(cam29.getFailingGuidelines()).contains(6, 2, 3);

        assertThat(points).extracting(p -> p.measurement).contains("device_health", "alerts", "fleet_cohort",
                "fleet_connectivity", "fleet_alerts", "fleet_firmware");
    }

    static <T> List<T> drain(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
