package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/** Harness test of the per-device operator's connectivity rules: offline timer, resolution, reachability changes, timer bookkeeping. */
class DeviceFunctionTest {

    /** The offline deadline after a 30 s reporter's last report: offline.min (over 3 x 30 s). */
    private static final long OFFLINE_MS = DetectionConfig.defaults().offlineMinMs;

    private KeyedBroadcastOperatorTestHarness<String, DeviceEvent, ReferenceUpdate, Finding> h;

    @BeforeEach
    void setUp() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DeviceFunction(DetectionConfig.defaults()),
                DeviceEvent::deviceKey, org.apache.flink.api.common.typeinfo.Types.STRING, DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    private void report(long ts) throws Exception {
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", ts).build()), ts));
    }

    @Test
    void offlineFiresAtTheLearntDeadlineAndResolvesWhenTelemetryResumes() throws Exception {
        for (int i = 0; i < 5; i++) {
            report(T0 + i * 30_000L);
        }
        long deadline = T0 + 4 * 30_000L + OFFLINE_MS;
        assertThat(changes()).as("a return is dated when the watermark reaches it (a CONNECT before it may be unread)").isEmpty();
        h.watermark(T0);
        assertThat(changes()).as("first report makes the device reachable").singleElement()
                .satisfies(c -> assertThat(c.online).isTrue());
        h.getSideOutput(DeviceFunction.CHANGES).clear();
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        h.watermark(deadline - 1);
        assertThat(findings()).isEmpty();

        h.watermark(deadline);
        assertThat(findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-OFF-001");
            assertThat(f.action).isEqualTo(Action.OPEN);
            assertThat(f.timestamp).isEqualTo(deadline);
        });
        assertThat(changes()).singleElement().satisfies(c -> assertThat(c.online).isFalse());
        assertThat(h.numEventTimeTimers()).as("while offline only the retention timer is left").isEqualTo(1);

        h.getOutput().clear();
        h.getSideOutput(DeviceFunction.CHANGES).clear();
        report(deadline + 60_000);
        assertThat(findings()).singleElement().satisfies(f -> assertThat(f.action).isEqualTo(Action.CLEAR));
        h.watermark(deadline + 60_000);
        assertThat(changes()).singleElement().satisfies(c -> assertThat(c.online).isTrue());
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void aReturnReadAheadOfTheWatermarkStillCountsTheSilenceAsOffline() throws Exception {
        // On a backlog the device's partition is read ahead of another: its report after 10 silent minutes arrives while
        // the watermark (held by the other partition) is still before its offline deadline.
        for (int i = 0; i < 5; i++) {
            report(T0 + i * 30_000L);
        }
        long deadline = T0 + 4 * 30_000L + OFFLINE_MS;
        h.watermark(T0 + 60_000L);
        h.getSideOutput(DeviceFunction.CHANGES).clear();
        report(deadline + 600_000);
        // Its DISCONNECT, or its goodbye, inside the silence may still be unread: decided when the watermark reaches the
        // deadline, not now.
        assertThat(findings()).isEmpty();
        assertThat(changes()).isEmpty();
        h.watermark(deadline);
        assertThat(findings()).as("offline at its deadline, resolved by the report").hasSize(2).satisfies(f -> {
            assertThat(f.get(0).ruleId).isEqualTo("RES-OFF-001");
            assertThat(f.get(0).action).isEqualTo(Action.OPEN);
            assertThat(f.get(0).timestamp).isEqualTo(deadline);
            assertThat(f.get(1).action).isEqualTo(Action.CLEAR);
            assertThat(f.get(1).timestamp).isEqualTo(deadline + 600_000);
        });
        assertThat(changes()).extracting(c -> c.online).containsExactly(false);
        h.watermark(deadline + 600_000);
        assertThat(changes()).extracting(c -> c.online).containsExactly(false, true);

        // A report just inside the deadline is no silence.
        h.getOutput().clear();
        report(deadline + 600_000 + OFFLINE_MS - 1);
        assertThat(findings()).isEmpty();
    }

    @Test
    void flappingOpensOnTheFifthDisconnectAndItsTimerClearsIt() throws Exception {
        for (int i = 0; i < 5; i++) {
            h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST,
                    T0 + i * 1000L, "cam-1", "198.51.100.7").build()), T0 + i * 1000L));
        }
        assertThat(findings()).singleElement().satisfies(f -> assertThat(f.ruleId).isEqualTo("RES-FLAP-001"));
        h.getOutput().clear();
        h.watermark(T0 + 4000 + DetectionConfig.defaults().burstQuietMs);
        assertThat(findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-FLAP-001");
            assertThat(f.action).isEqualTo(Action.CLEAR);
        });
        assertThat(h.numEventTimeTimers()).as("only the retention timer is left").isEqualTo(1);
        assertThat(stateEntries()).isEqualTo(1);
    }

    @Test
    void aSilentDeviceIsForgottenExactlyOneRetentionPeriodAfterItsNewestEvent() throws Exception {
        long ttl = DetectionConfig.defaults().deviceStateTtlMs;
        report(T0);
        long last = T0 + 30_000;
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST,
                last, "cam-1", "198.51.100.7").build()), last));
        h.watermark(T0 + OFFLINE_MS);
        assertThat(findings()).as("offline alert first").extracting(f -> f.ruleId).containsExactly("RES-OFF-001");
        h.watermark(last + ttl - 1);
        assertThat(stateEntries()).as("kept until the retention deadline").isEqualTo(1);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        h.watermark(last + ttl);
        assertThat(stateEntries()).as("dropped at the retention deadline (newest event + state.ttl)").isZero();
        assertThat(h.numEventTimeTimers()).isZero();

        h.getOutput().clear();
        h.getSideOutput(DeviceFunction.CHANGES).clear();
        report(last + ttl + 1000);
        h.watermark(last + ttl + 1000);
        assertThat(changes()).as("a device that comes back starts afresh").singleElement()
                .satisfies(c -> assertThat(c.reason).isEqualTo(ConnectivityChange.FIRST_SEEN));
    }

    @Test
    void aRegularlyReportingDeviceKeepsOneTimerThatFiresEarlyWithoutFindingsAndStillHitsTheDeadline() throws Exception {
        for (int i = 0; i < 20; i++) {
            report(T0 + i * 30_000L);
            h.watermark(T0 + i * 30_000L);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
        }
        assertThat(findings()).as("early timer firings while the device reports find nothing").isEmpty();
        long deadline = T0 + 19 * 30_000L + OFFLINE_MS;
        h.watermark(deadline - 1);
        assertThat(findings()).isEmpty();
        h.watermark(deadline);
        assertThat(findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-OFF-001");
            assertThat(f.timestamp).isEqualTo(deadline);
        });
    }

    @Test
    void aWatermarkJumpingFarPastTheDeadlineStillFiresTheOfflineRuleAtTheDeadline() throws Exception {
        for (int i = 0; i < 5; i++) {
            report(T0 + i * 30_000L); // the pending (lazy) timer is still the first report's deadline
        }
        long deadline = T0 + 4 * 30_000L + OFFLINE_MS;
        h.watermark(deadline + 600_000);
        assertThat(findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId).isEqualTo("RES-OFF-001");
            assertThat(f.timestamp).as("at the deadline, not at the jump").isEqualTo(deadline);
        });
    }

    private int stateEntries() {
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    @Test
    void aDeviceThatConnectsBeforeItsFirstReportJoinsItsModelAndRegionCohortsOnceAsFirstSeen() throws Exception {
        // the broker's CONNECT carries no model or region (as the real extension sends it)
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, "cam-1",
                "198.51.100.7").setModel(null).setRegion(null).build()), T0));
        report(T0 + 1000);
        report(T0 + 31_000);
        assertThat(changes()).hasSize(2).allSatisfy(c -> {
            assertThat(c.online).isTrue();
            assertThat(c.reason).isEqualTo(ConnectivityChange.FIRST_SEEN);
        });
        ConnectivityChange atConnect = changes().get(0);
        ConnectivityChange atReport = changes().get(1);
        assertThat(atConnect.forCohort("model")).as("model unknown at CONNECT").isNull();
        assertThat(atConnect.forCohort("broker")).isNotNull();
        assertThat(atReport.forCohort("model").cohortValue).isEqualTo(Events.MODEL);
        assertThat(atReport.forCohort("region").cohortValue).isEqualTo("eu-west");
        assertThat(atReport.forCohort("broker")).as("the broker cohort already counted it").isNull();
    }

    @Test
    void aConnectAfterAGracefulDisconnectIsAReconnectWithoutAReachabilityChange() throws Exception {
        report(T0);
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0 + 1000,
                "cam-1", "198.51.100.7").build()), T0 + 1000));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT,
                T0 + 2000, "cam-1", "198.51.100.7").build()), T0 + 2000));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0 + 30_000,
                "cam-1", "198.51.100.7").build()), T0 + 30_000));
        assertThat(changes()).extracting(c -> c.reason)
                .containsExactly(ConnectivityChange.FIRST_SEEN, ConnectivityChange.RECONNECTED);
        assertThat(changes()).allSatisfy(c -> assertThat(c.online).isTrue());
    }

    @Test
    void statusSignalsCarryRealChangesAtOnceAndLastSeenOnlyRefreshesOncePerInterval() throws Exception {
        long refresh = DetectionConfig.defaults().statusRefreshMs;
        report(T0);
        report(T0 + 30_000);
        report(T0 + refresh - 1);
        assertThat(statuses()).as("first report only; unchanged reports just below the interval are not sent")
                .extracting(s -> s.timestamp).containsExactly(T0);

        report(T0 + refresh);
        assertThat(statuses()).as("exactly at the interval the lastSeen refresh is sent")
                .extracting(s -> s.timestamp).containsExactly(T0, T0 + refresh);

        long upgraded = T0 + refresh + 1000;
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", upgraded).setFirmwareVersion("9.9.9").build()), upgraded));
        assertThat(statuses()).as("a firmware change is sent at once").last()
                .satisfies(s -> assertThat(s.firmwareVersion).isEqualTo("9.9.9"));

        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CLIENT_DISCONNECT,
                upgraded + 1000, "cam-1", "198.51.100.7").build()), upgraded + 1000));
        assertThat(statuses()).as("a disconnect is sent at once").last().satisfies(s -> assertThat(s.connected).isFalse());
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", upgraded + 2000).setFirmwareVersion("9.9.9").build()),
                upgraded + 2000));
        assertThat(statuses()).as("the next report after a disconnect says connected again").hasSize(5).last()
                .satisfies(s -> assertThat(s.connected).isTrue());

        long reconnect = upgraded + 10_000;
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST,
                reconnect, "cam-1", "198.51.100.7").build()), reconnect));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED,
                reconnect + 1000, "cam-1", "198.51.100.7").build()), reconnect + 1000));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", reconnect + 2000).setFirmwareVersion("9.9.9").build()),
                reconnect + 2000));
        assertThat(statuses()).as("disconnect and connect are sent; the unchanged report after the connect is not").hasSize(7)
                .extracting(s -> s.connected).endsWith(false, true);
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED,
                reconnect + 3000, "cam-1", "203.0.113.50").build()), reconnect + 3000));
        h.processElement(new StreamRecord<>(DeviceEvent.of(Events.telemetry("cam-1", reconnect + 4000).setFirmwareVersion("9.9.9")
                .setBroker(Events.broker("203.0.113.50")).build()), reconnect + 4000));
        assertThat(statuses()).as("a report whose facts changed (new source address) is sent after a connect").hasSize(9).last()
                .satisfies(s -> assertThat(s.sourceAddress).isEqualTo("203.0.113.50"));
    }

    private List<io.fleetwarden.jobs.alerts.StatusSignal> statuses() {
        var side = h.getSideOutput(DeviceFunction.STATUS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @SuppressWarnings("unchecked")
    private List<Finding> findings() {
        return h.extractOutputValues();
    }

    private List<ConnectivityChange> changes() {
        var side = h.getSideOutput(DeviceFunction.CHANGES);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }
}
