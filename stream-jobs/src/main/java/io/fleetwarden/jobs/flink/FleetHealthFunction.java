package io.fleetwarden.jobs.flink;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.influx.FleetHealthState;
import io.fleetwarden.jobs.influx.FleetSignal;
import io.fleetwarden.jobs.influx.HealthPoint;
import io.fleetwarden.jobs.influx.InfluxPoints;
import io.fleetwarden.model.InfluxSchema;
import io.fleetwarden.model.InfluxSchema.FleetAlerts;
import io.fleetwarden.model.InfluxSchema.FleetCohort;
import io.fleetwarden.model.InfluxSchema.FleetConnectivity;
import io.fleetwarden.model.InfluxSchema.FleetFirmware;
import io.fleetwarden.model.Severity;

/**
 * Fleet health series per tenant (key = tenant), one set of points per minute of event time, stamped
 * at the minute's end: reachable devices per cohort, connects/disconnects, alerts opened and open
 * by severity, devices per model and firmware version. Points are emitted when the watermark passes
 * the minute, so a replay produces the same points at the same timestamps.
 */
public class FleetHealthFunction extends KeyedProcessFunction<String, FleetSignal, HealthPoint> {

    private static final long serialVersionUID = 1L;
    static final long MINUTE = 60_000;

    private transient ValueState<FleetHealthState> state;

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("fleet-health", FleetHealthState.class));
    }

    @Override
    public void processElement(FleetSignal in, Context ctx, Collector<HealthPoint> out) throws Exception {
        FleetHealthState s = state.value();
        if (s == null) {
            s = new FleetHealthState();
        }
        long bucket = Math.floorDiv(in.timestamp, MINUTE) * MINUTE;
        switch (in.kind) {
            case UP, DOWN -> {
                int delta = in.kind == FleetSignal.Kind.UP ? 1 : -1;
                add(s.online, "model=" + in.model, delta);
                add(s.online, "region=" + in.region, delta);
                add(s.online, "broker=" + in.brokerId, delta);
                s.connectivity.computeIfAbsent(bucket, b -> new int[2])[delta > 0 ? 0 : 1]++;
            }
            case ALERT_OPENED -> {
                add(s.openAlerts, in.severity, 1);
                add(s.opened.computeIfAbsent(bucket, b -> new HashMap<>()), in.severity, 1);
            }
            case ALERT_RESOLVED -> add(s.openAlerts, in.severity, -1);
            case FIRMWARE -> {
                if (in.fromVersion != null) {
                    add(s.firmware, in.model + "|" + in.fromVersion, -1);
                }
                add(s.firmware, in.model + "|" + in.toVersion, 1);
            }
        }
        state.update(s);
        ctx.timerService().registerEventTimeTimer(bucket + MINUTE - 1);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<HealthPoint> out) throws Exception {
        FleetHealthState s = state.value();
        if (s == null) {
            return;
        }
        String tenant = ctx.getCurrentKey();
        long bucket = ts + 1 - MINUTE;
        long at = InfluxPoints.nanos(bucket + MINUTE);
        s.online.forEach((cohort, n) -> {
            int eq = cohort.indexOf('=');
            out.collect(new HealthPoint(InfluxPoints.FLEET_COHORT, at).tag(InfluxSchema.TAG_TENANT, tenant)
                    .tag(FleetCohort.TAG_DIMENSION, cohort.substring(0, eq)).tag(FleetCohort.TAG_COHORT, cohort.substring(eq + 1))
                    .field(FleetCohort.ONLINE, Math.max(0, n)));
        });
        int[] conn = s.connectivity.remove(bucket);
        out.collect(new HealthPoint(InfluxPoints.FLEET_CONNECTIVITY, at).tag(InfluxSchema.TAG_TENANT, tenant)
                .field(FleetConnectivity.CONNECTS, conn == null ? 0 : conn[0]).field(FleetConnectivity.DISCONNECTS, conn == null ? 0 : conn[1]));
        Map<String, Integer> opened = s.opened.remove(bucket);
        for (Severity sev : Severity.values()) {
            out.collect(new HealthPoint(InfluxPoints.FLEET_ALERTS, at).tag(InfluxSchema.TAG_TENANT, tenant).tag(FleetAlerts.TAG_SEVERITY, sev.name())
                    .field(FleetAlerts.OPEN, Math.max(0, s.openAlerts.getOrDefault(sev.name(), 0)))
                    .field(FleetAlerts.OPENED, opened == null ? 0 : opened.getOrDefault(sev.name(), 0)));
        }
        s.firmware.forEach((k, n) -> {
            int bar = k.indexOf('|');
            if (n > 0) {
                out.collect(new HealthPoint(InfluxPoints.FLEET_FIRMWARE, at).tag(InfluxSchema.TAG_TENANT, tenant)
                        .tag(FleetFirmware.TAG_MODEL, k.substring(0, bar)).tag(FleetFirmware.TAG_VERSION, k.substring(bar + 1)).field(FleetFirmware.DEVICES, n));
            }
        });
        s.firmware.values().removeIf(n -> n <= 0);
        s.online.values().removeIf(n -> n <= 0);
        state.update(s);
    }

    private static void add(Map<String, Integer> m, String k, int delta) {
        m.merge(k, delta, Integer::sum);
    }
}
