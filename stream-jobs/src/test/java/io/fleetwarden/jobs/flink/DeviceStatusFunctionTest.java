package io.fleetwarden.jobs.flink;

import io.fleetwarden.jobs.detect.DeviceReport;
import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Severity;

/** Harness test of the device-status operator's state bound: one retention timer per device, state dropped after state.ttl of silence. */
class DeviceStatusFunctionTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    @Test
    void aSilentDeviceIsForgottenOneRetentionPeriodAfterItsNewestSignalOrAlert() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new DeviceStatusFunction(CFG),
                (Alert a) -> DeviceKeys.of(a.getTenant(), a.getDeviceId()), (StatusSignal s) -> DeviceKeys.of(s.tenant, s.deviceId),
                Types.STRING)) {
            h.processElement2(new StreamRecord<>(StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0).build())), T0));
            h.processElement2(new StreamRecord<>(StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0 + 60_000).build())), T0 + 60_000));
            long alertAt = T0 + 120_000;
            h.processElement1(new StreamRecord<>(alert(alertAt), alertAt));
            assertThat(h.<DeviceStatus>extractOutputValues()).last().satisfies(s -> assertThat(s.getRiskScore()).isEqualTo(40));
            assertThat(h.numEventTimeTimers()).as("one retention timer per device, not one per input").isEqualTo(1);

            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(T0 + CFG.deviceStateTtlMs));
            assertThat(h.numKeyedStateEntries()).as("the timer fired early (newer alert) and waits for the moved deadline").isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(alertAt + CFG.deviceStateTtlMs - 1));
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(alertAt + CFG.deviceStateTtlMs));
            assertThat(h.numKeyedStateEntries()).as("dropped state.ttl after the newest input").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anUnchangedStatusIsRepublishedOncePerConfiguredRefreshAndAChangeAtOnce() throws Exception {
        for (long refresh : new long[] {CFG.statusRefreshMs, 60_000}) {
            DetectionConfig cfg = DetectionConfig.fromMap(java.util.Map.of("status.refresh", refresh + "ms"));
            try (var h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new DeviceStatusFunction(cfg),
                    (Alert a) -> DeviceKeys.of(a.getTenant(), a.getDeviceId()), (StatusSignal s) -> DeviceKeys.of(s.tenant, s.deviceId),
                    Types.STRING)) {
                h.processElement2(new StreamRecord<>(StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0).build())), T0));
                h.processElement2(new StreamRecord<>(StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0 + refresh - 1).build())), T0 + refresh - 1));
                assertThat(h.<DeviceStatus>extractOutputValues()).as("refresh %d: nothing new just below the interval", refresh).hasSize(1);
                h.processElement2(new StreamRecord<>(StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0 + refresh).build())), T0 + refresh));
                assertThat(h.<DeviceStatus>extractOutputValues()).as("refresh %d: republished at the interval", refresh).hasSize(2).last()
                        .satisfies(s -> assertThat(s.getLastSeen()).isEqualTo(Instant.ofEpochMilli(T0 + refresh)));
                long later = T0 + refresh + 1000;
                h.processElement1(new StreamRecord<>(alert(later), later));
                assertThat(h.<DeviceStatus>extractOutputValues()).as("refresh %d: an alert changes the posture at once", refresh).hasSize(3)
                        .last().satisfies(s -> assertThat(s.getRiskScore()).isEqualTo(40));
            }
        }
    }

    private static Alert alert(long at) {
        return Alert.newBuilder().setAlertId("a-1").setRuleId("CMP-NET-001").setRuleName("Telnet port listening").setSeverity(Severity.CRITICAL).setStatus(AlertStatus.OPEN)
                .setTenant(Events.TENANT).setDeviceId("cam-1").setSummary("telnet").setRevision(1)
                .setOpenedAt(Instant.ofEpochMilli(at)).setUpdatedAt(Instant.ofEpochMilli(at)).build();
    }
}
