package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.Lifecycles;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.DeviceLifecycleEvent;

/**
 * Harness test of lifecycle events ({@code fleet.device-events}) in the per-device operator: a boot loop opens
 * RES-BOOT-001 and resolves at its quiet deadline (a timer), update-result events count towards FW-UPD-001,
 * and events without a valid identity never reach it.
 */
class LifecycleHarnessTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h;

    @BeforeEach
    void setUp() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(CFG), DeviceEvent::deviceKey,
                Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    private void send(DeviceLifecycleEvent e) throws Exception {
        long ts = e.getDeviceTime().toEpochMilli();
        DeviceEvent d = new DeviceEvent();
        d.key = io.fleetwarden.model.DeviceKeys.of(e.getTenant(), e.getDeviceId());
        d.lifecycle = io.fleetwarden.jobs.detect.DeviceLifecycle.of(e, ts);
        h.processElement(new StreamRecord<>(d, ts));
    }

    private List<Finding> findings() {
        return h.extractOutputValues();
    }

    @Test
    void aBootLoopOpensAndResolvesAtItsQuietDeadline() throws Exception {
        long last = T0 + 4 * 60_000;
        for (long t = T0; t <= last; t += 60_000) {
            send(Lifecycles.boot("cam-1", t));
        }
        assertThat(findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-BOOT-001");
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.timestamp).isEqualTo(last);
            assertThat(f.evidence).containsEntry("boots", "5");
        });
        assertThat(h.numEventTimeTimers()).as("timers").isEqualTo(1);
        h.watermark(last + CFG.burstQuietMs - 1);
        assertThat(findings()).hasSize(1);
        h.watermark(last + CFG.burstQuietMs);
        assertThat(findings()).last().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-BOOT-001");
            assertThat(f.action).isEqualTo(Action.CLEAR);
        });
    }

    @Test
    void updateResultEventsCountTowardsTheUpdateLoop() throws Exception {
        for (int i = 0; i < 3; i++) {
            send(Lifecycles.updateResult("cam-1", T0 + i * 3_600_000L, "FAILED"));
        }
        assertThat(findings()).filteredOn(f -> f.ruleId.equals("FW-UPD-001")).singleElement()
                .satisfies(f -> {
                    assertThat(f.action).isEqualTo(Action.OPEN);
                    assertThat(f.evidence).containsEntry("failedAttempts", "3");
                    assertThat(f.deviceId).isEqualTo("cam-1");
                });
    }

    @Test
    void aLifecycleEventWithoutAValidIdentityIsDropped() throws Exception {
        var f = new DeviceEvent.FromLifecycleEvent();
        var harness = ProcessFunctionTestHarnesses.forProcessFunction(f);
        harness.processElement(Lifecycles.boot("cam-1", T0), T0);
        harness.processElement(Lifecycles.event("", io.fleetwarden.model.DeviceEventType.BOOT, T0).build(), T0);
        harness.processElement(Lifecycles.event("a/b", io.fleetwarden.model.DeviceEventType.BOOT, T0).build(), T0);
        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.key).isEqualTo(io.fleetwarden.model.DeviceKeys.of(Events.TENANT, "cam-1"));
            assertThat(e.lifecycle.time()).isEqualTo(T0);
        });
        harness.close();
    }

    @Test
    void aDeviceRunningAnotherModelsImageIsFoundThroughTheBroadcastCatalog() throws Exception {
        var own = Events.catalog("2.5.0", T0 - 30L * 86_400_000L, null);
        String otherImage = "77" + Events.HASH_241.substring(2);
        var other = io.fleetwarden.model.FirmwareCatalogEntry.newBuilder(own).setModel("router-r1")
                .setReleases(List.of(new io.fleetwarden.model.FirmwareRelease("2.4.1", java.time.Instant.ofEpochMilli(T0), otherImage))).build();
        h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(own), T0));
        h.processBroadcastElement(new StreamRecord<>(ReferenceUpdate.of(other), T0));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", T0 + 1000).build()), T0 + 1000));
        assertThat(findings()).noneMatch(f -> f.ruleId.equals("CMP-IDENT-003"));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", T0 + 2000).setFirmwareImageHash(otherImage).build()),
                T0 + 2000));
        assertThat(findings()).filteredOn(f -> f.ruleId.equals("CMP-IDENT-003")).singleElement().satisfies(f -> {
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.evidence).containsEntry("imageModel", "router-r1").containsEntry("firstModel", Events.MODEL);
        });
    }
}
