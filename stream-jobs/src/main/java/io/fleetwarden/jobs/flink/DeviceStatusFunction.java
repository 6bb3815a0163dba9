package io.fleetwarden.jobs.flink;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
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

/** Per-device status and posture for the compacted {@code fleet.device-status} topic (key = device key). */
public class DeviceStatusFunction extends KeyedCoProcessFunction<String, Alert, StatusSignal, DeviceStatus> {

    private static final long serialVersionUID = 1L;
    /** Publish an unchanged status at most once a minute (event time) to refresh lastSeen. */
    static final long HEARTBEAT_MS = 60_000;

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
        logic = new DeviceStatusLogic(HEARTBEAT_MS);
        state = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("status", DeviceStatusState.class), cfg));
    }

    @Override
    public void processElement1(Alert a, Context ctx, Collector<DeviceStatus> out) throws Exception {
        DeviceStatusState s = current();
        logic.onAlert(s, a).ifPresent(out::collect);
        state.update(s);
    }

    @Override
    public void processElement2(StatusSignal in, Context ctx, Collector<DeviceStatus> out) throws Exception {
        DeviceStatusState s = current();
        String before = s.firmwareVersion;
        logic.onSignal(s, in).ifPresent(out::collect);
        if (in.firmwareVersion != null && !in.firmwareVersion.equals(before)) {
            ctx.output(FIRMWARE, FleetSignal.firmware(s.tenant, s.model, before, in.firmwareVersion, in.timestamp));
        }
        state.update(s);
    }

    private DeviceStatusState current() throws Exception {
        DeviceStatusState s = state.value();
        return s == null ? new DeviceStatusState() : s;
    }
}
