package io.fleetwarden.jobs.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.FirmwareRules;
import io.fleetwarden.jobs.detect.FirmwareState;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Telemetry;

/**
 * Firmware rules per device (key = device key) against broadcast reference data: the firmware
 * catalog (per model) and the advisories. A new advisory or catalog entry is applied to every
 * device's state at once with {@code applyToKeyedState}, so devices already running an affected
 * version are flagged immediately, not at their next report. The time used for such a fleet-wide
 * evaluation is the advisory's publication time (or the catalog's update time), never the wall clock.
 */
public class FirmwareFunction extends KeyedBroadcastProcessFunction<String, Telemetry, ReferenceUpdate, Finding> {

    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, FirmwareCatalogEntry> CATALOG =
            new MapStateDescriptor<>("firmware-catalog", Types.STRING, TypeInformation.of(FirmwareCatalogEntry.class));
    public static final MapStateDescriptor<String, Advisory> ADVISORIES =
            new MapStateDescriptor<>("advisories", Types.STRING, TypeInformation.of(Advisory.class));

    private final DetectionConfig cfg;
    private transient FirmwareRules rules;
    private transient ValueStateDescriptor<FirmwareState> stateDescriptor;
    private transient ValueState<FirmwareState> state;

    public FirmwareFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        rules = new FirmwareRules(cfg);
        stateDescriptor = States.withTtl(new ValueStateDescriptor<>("firmware", FirmwareState.class), cfg);
        state = getRuntimeContext().getState(stateDescriptor);
    }

    @Override
    public void processElement(Telemetry t, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        FirmwareState s = state.value();
        if (s == null) {
            s = new FirmwareState();
        }
        FirmwareCatalogEntry catalog = ctx.getBroadcastState(CATALOG).get(t.getModel());
        rules.onTelemetry(s, t, catalog, advisories(ctx.getBroadcastState(ADVISORIES))).forEach(out::collect);
        state.update(s);
    }

    @Override
    public void processBroadcastElement(ReferenceUpdate u, Context ctx, Collector<Finding> out) throws Exception {
        long now = u.timestamp();
        if (u.catalog != null) {
            ctx.getBroadcastState(CATALOG).put(u.catalog.getModel(), u.catalog);
        } else if (u.advisory != null) {
            ctx.getBroadcastState(ADVISORIES).put(u.advisory.getAdvisoryId(), u.advisory);
        } else if (u.removedAdvisoryId != null) {
            ctx.getBroadcastState(ADVISORIES).remove(u.removedAdvisoryId);
            now = ctx.currentWatermark();
        }
        List<Advisory> advisories = advisories(ctx.getBroadcastState(ADVISORIES));
        String model = u.catalog != null ? u.catalog.getModel() : u.advisory != null ? u.advisory.getModel() : null;
        long at = now == Long.MIN_VALUE ? 0 : now;
        var catalogState = ctx.getBroadcastState(CATALOG);
        ctx.applyToKeyedState(stateDescriptor, (key, st) -> {
            FirmwareState s = st.value();
            if (s == null || (model != null && !model.equals(s.model))) {
                return;
            }
            List<Finding> findings = rules.evaluate(s, catalogState.get(s.model), advisories, Math.max(at, s.lastSeen));
            if (!findings.isEmpty()) {
                st.update(s);
                findings.forEach(out::collect);
            }
        });
    }

    private static List<Advisory> advisories(ReadOnlyBroadcastState<String, Advisory> state) throws Exception {
        List<Advisory> list = new ArrayList<>();
        for (Map.Entry<String, Advisory> e : state.immutableEntries()) {
            list.add(e.getValue());
        }
        return list;
    }
}
