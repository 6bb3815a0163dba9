package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.alerts.DeviceStatusLogic;
import io.fleetwarden.jobs.alerts.DeviceStatusState;
import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.influx.FleetSignal;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceStatus;

/**
 * Per-device status and posture for the compacted {@code fleet.device-status} topic (key = device key).
 * State: one {@link DeviceStatusState} per device, dropped by a retention timer {@code state.ttl} of event
 * time after the device's newest signal or alert (no Flink state TTL).
 */
public class DeviceStatusFunction extends KeyedCoProcessFunction<String, Alert, StatusSignal, DeviceStatus> {

    private static final long serialVersionUID = 1L;
    /** Firmware changes (a device's version moved), for the fleet firmware distribution. */
    public static final OutputTag<FleetSignal> FIRMWARE = new OutputTag<>("firmware-changes") {
        private static final long serialVersionUID = 1L;
    };

    private final DetectionConfig cfg;
    private transient DeviceStatusLogic logic;
    private transient ValueState<DeviceStatusState> state;

    public DeviceStatusFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        // An unchanged status (lastSeen only) is republished at most once per status.refresh of event time.
        logic = new DeviceStatusLogic(cfg.statusRefreshMs);
        // No Flink state TTL (its per-access bookkeeping showed up in the benchmark profile): a retention timer
        // drops the state of a device that has sent nothing for state.ttl of event time.
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("status", DeviceStatusState.class));
    }

    @Override
    public void processElement1(Alert a, Context ctx, Collector<DeviceStatus> out) throws Exception {
        DeviceStatusState s = current();
        if (a.getUpdatedAt().toEpochMilli() <= s.erasedAt) {
            return; // a revision of an erased device's alert still on its way
        }
        logic.onAlert(s, a).ifPresent(out::collect);
        save(s, a.getUpdatedAt().toEpochMilli(), ctx);
    }

    @Override
    public void processElement2(StatusSignal in, Context ctx, Collector<DeviceStatus> out) throws Exception {
        DeviceStatusState s = current();
        if (in.erasedAt != Long.MIN_VALUE) {
            // Erased: the status is dropped (the dashboard tombstones fleet.device-status); a tombstone of the time
            // stays until the retention timer, so nothing up to it is published again.
            DeviceStatusState erased = new DeviceStatusState();
            erased.erasedAt = Math.max(in.erasedAt, s.erasedAt);
            erased.timer = s.timer;
            save(erased, in.erasedAt, ctx);
            return;
        }
        if (in.timestamp <= s.erasedAt) {
            return;
        }
        String before = s.firmwareVersion;
        logic.onSignal(s, in).ifPresent(out::collect);
        if (in.firmwareVersion != null && !in.firmwareVersion.equals(before)) {
            ctx.output(FIRMWARE, FleetSignal.firmware(s.tenant, s.model, before, in.firmwareVersion, in.timestamp));
        }
        save(s, in.timestamp, ctx);
    }

    /**
     * Fires at or after the retention deadline ({@code state.ttl} after the device's newest signal or alert):
     * drops the state when the device stayed silent, or waits for the (moved) deadline.
     */
    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<DeviceStatus> out) throws Exception {
        DeviceStatusState s = state.value();
        if (s == null) {
            return;
        }
        s.timer = Long.MIN_VALUE;
        if (ts >= s.lastEvent + cfg.deviceStateTtlMs) {
            state.clear();
            return;
        }
        ensureTimer(s, ctx.timerService());
        state.update(s);
    }

    private void save(DeviceStatusState s, long eventTime, Context ctx) throws Exception {
        s.lastEvent = Math.max(s.lastEvent, eventTime);
        ensureTimer(s, ctx.timerService());
        state.update(s);
    }

    /** One pending timer per device; it is not moved when the deadline moves later (it fires and re-registers). */
    private void ensureTimer(DeviceStatusState s, TimerService timers) {
        if (s.timer == Long.MIN_VALUE && s.lastEvent != Long.MIN_VALUE) {
            s.timer = Math.max(s.lastEvent + cfg.deviceStateTtlMs, timers.currentWatermark() + 1);
            timers.registerEventTimeTimer(s.timer);
        }
    }

    private DeviceStatusState current() throws Exception {
        DeviceStatusState s = state.value();
        return s == null ? new DeviceStatusState() : s;
    }
}
