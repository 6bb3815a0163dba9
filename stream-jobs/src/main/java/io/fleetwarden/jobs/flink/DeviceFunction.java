package io.fleetwarden.jobs.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.ConnectivityRules;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.FirmwareRules;
import io.fleetwarden.jobs.detect.FirmwareState;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Telemetry;

/**
 * All per-device detectors in one keyed operator (key = device key): connectivity (offline,
 * flapping, identity clone), behaviour (own baselines, ports, destinations) and firmware (catalog,
 * advisories, downgrade, update loops, certificate expiry). Each keeps its own state and delegates to
 * its plain rule class ({@link ConnectivityRules}, {@link BehaviourRules}, {@link FirmwareRules});
 * hosting them together means each telemetry record is serialised and shuffled once, not three times.
 *
 * <p>Inputs: {@link DeviceEvent} (telemetry or a verified security event) keyed by device, and the
 * broadcast reference data (firmware catalog per model, advisories). A new advisory or catalog entry
 * is applied to every device's firmware state at once with {@code applyToKeyedState}, so devices
 * already running an affected version are flagged immediately; the time of such a fleet-wide
 * evaluation is the advisory's publication time (or the catalog's update time), never the wall clock.
 *
 * <p>Outputs: findings; reachability changes on {@link #CHANGES} (cohorts, fleet health); every
 * report's {@link PeerObservation} on {@link #PEERS} (model-peer stage); status signals on
 * {@link #STATUS} (device-status operator), throttled: connects/disconnects and reports that change a
 * status fact (firmware, model, region, broker, source address, certificate, quarantine flag) always, reports that would
 * only refresh {@code lastSeen} at most once per device per {@link DetectionConfig#statusRefreshMs} ({@code status.refresh})
 * of event time.
 *
 * <p>Timers: at most one event-time timer per device, at or before the next connectivity deadline
 * (offline deadline, burst quiet time) or the retention deadline, never at or before the current watermark. State: one
 * {@link DeviceState} per device (the three rule states and the timer), bounded by the rule classes,
 * and dropped when the device has sent nothing for {@link DetectionConfig#deviceStateTtlMs} of event time
 * (retention deadline, served by the same timer). No Flink state TTL here: its bookkeeping on every state
 * access cost more than all the rules together in the benchmark profile.
 */
public class DeviceFunction extends KeyedBroadcastProcessFunction<String, DeviceEvent, ReferenceUpdate, Finding> {

    private static final long serialVersionUID = 1L;

    /** Reachability changes, for the cohort stage and fleet health. */
    public static final OutputTag<ConnectivityChange> CHANGES = new OutputTag<>("connectivity-changes") {
        private static final long serialVersionUID = 1L;
    };

    /** One observation per report, for the model-peer stage. */
    public static final OutputTag<PeerObservation> PEERS = new OutputTag<>("peer-observations") {
        private static final long serialVersionUID = 1L;
    };

    /**
     * Status signals for the device-status operator: every connect/disconnect, every report that changes
     * a status fact, and otherwise at most one report per device per {@link DetectionConfig#statusRefreshMs} of
     * event time (which only refreshes {@code lastSeen}).
     */
    public static final OutputTag<StatusSignal> STATUS = new OutputTag<>("status-signals") {
        private static final long serialVersionUID = 1L;
    };

    public static final MapStateDescriptor<String, FirmwareCatalogEntry> CATALOG =
            new MapStateDescriptor<>("firmware-catalog", Types.STRING, TypeInformation.of(FirmwareCatalogEntry.class));
    public static final MapStateDescriptor<String, Advisory> ADVISORIES =
            new MapStateDescriptor<>("advisories", Types.STRING, TypeInformation.of(Advisory.class));

    private final DetectionConfig cfg;
    private transient ConnectivityRules connectivityRules;
    private transient BehaviourRules behaviourRules;
    private transient FirmwareRules firmwareRules;
    private transient ValueStateDescriptor<DeviceState> stateDescriptor;
    private transient ValueState<DeviceState> state;
    /** Advisories as a list, rebuilt only when the broadcast state changes (not per record). */
    private transient List<Advisory> advisoryCache;

    public DeviceFunction(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext ctx) {
        connectivityRules = new ConnectivityRules(cfg);
        behaviourRules = new BehaviourRules(cfg);
        firmwareRules = new FirmwareRules(cfg);
        // No Flink state TTL: its per-access bookkeeping was the largest cost in the benchmark profile. The state is
        // bounded by the retention timer instead (see rescheduleTimer and onTimer).
        stateDescriptor = new ValueStateDescriptor<>("device", DeviceState.class);
        state = getRuntimeContext().getState(stateDescriptor);
    }

    @Override
    public void processElement(DeviceEvent in, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        DeviceState ds = state.value();
        if (ds == null) {
            ds = new DeviceState();
        }
        if (in.telemetry != null) {
            Telemetry t = in.telemetry;
            ds.lastEvent = Math.max(ds.lastEvent, t.getDeviceTime().toEpochMilli());
            emit(connectivityRules.onTelemetry(ds.connectivity, t), out, ctx);
            behaviourRules.onTelemetry(ds.behaviour, t).forEach(out::collect);
            ctx.output(PEERS, BehaviourRules.observation(t));
            FirmwareCatalogEntry catalog = ctx.getBroadcastState(CATALOG).get(t.getModel());
            List<Advisory> advisories = advisoryCache != null ? advisoryCache : advisories(ctx.getBroadcastState(ADVISORIES));
            firmwareRules.onTelemetry(ds.firmware, t, catalog, advisories).forEach(out::collect);
            statusFromTelemetry(ds, t, in.key, ctx);
        } else if (in.security != null) {
            ds.lastEvent = Math.max(ds.lastEvent, in.security.getTimestamp().toEpochMilli());
            emit(connectivityRules.onSecurityEvent(ds.connectivity, in.security), out, ctx);
            StatusSignal s = StatusSignal.of(in.security);
            if (s != null) {
                s.key = in.key;
                // A connection change is always a real change. After a disconnect the next report must say "connected"
                // again (unless a connect said so first).
                ctx.output(STATUS, s);
                ds.statusDisconnected = !s.connected;
            }
        }
        // Never ask for a timer at or before the current watermark: it would fire at once, again and again.
        rescheduleTimer(ds, ctx.timerService(), ctx.timerService().currentWatermark() + 1);
        state.update(ds);
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
        advisoryCache = null;
        List<Advisory> advisories = advisories(ctx.getBroadcastState(ADVISORIES));
        String model = u.catalog != null ? u.catalog.getModel() : u.advisory != null ? u.advisory.getModel() : null;
        long at = now == Long.MIN_VALUE ? 0 : now;
        var catalogState = ctx.getBroadcastState(CATALOG);
        ctx.applyToKeyedState(stateDescriptor, (key, st) -> {
            DeviceState ds = st.value();
            FirmwareState s = ds == null ? null : ds.firmware;
            if (s == null || (model != null && !model.equals(s.model))) {
                return;
            }
            List<Finding> findings = firmwareRules.evaluate(s, catalogState.get(s.model), advisories, Math.max(at, s.lastSeen));
            if (!findings.isEmpty()) {
                st.update(ds);
                findings.forEach(out::collect);
            }
        });
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        DeviceState ds = state.value();
        if (ds == null) {
            return;
        }
        ds.timer = DeviceState.NO_TIMER;
        if (ts >= connectivityRules.nextTimer(ds.connectivity)) {
            // Something is due (a lazy timer that fires early has nothing to do: skip the key parsing as well).
            String[] key = DeviceKeys.parse(ctx.getCurrentKey());
            emit(connectivityRules.onTimer(ds.connectivity, key[0], key[1], ts), out, ctx);
        }
        if (ts >= retentionDeadline(ds)) {
            // Silent for the whole retention period: forget the device (its rules have nothing pending any more).
            state.clear();
            return;
        }
        // A timer that fired early registers the real deadline even if the watermark has passed it already (the
        // watermark jumped): it then fires in this same watermark advance at exactly that time, as it would have
        // had it been registered all along. Strictly after ts, so this always terminates.
        rescheduleTimer(ds, ctx.timerService(), ts + 1);
        state.update(ds);
    }

    /**
     * Sends a report's status signal only when a status fact changed or the last one sent is at least
     * {@code refreshMs} older (event time); out-of-order reports that change nothing are dropped.
     */
    static boolean statusDue(DeviceState ds, Telemetry t, long refreshMs) {
        BrokerContext b = t.getBroker();
        long certificate = b == null || b.getCertificateNotAfter() == null ? Long.MIN_VALUE : b.getCertificateNotAfter().toEpochMilli();
        // The status facts of StatusSignal.of(t), hashed without building the signal (most reports send none).
        int fp = Objects.hashCode(t.getModel());
        fp = 31 * fp + Objects.hashCode(t.getRegion());
        fp = 31 * fp + Objects.hashCode(t.getFirmwareVersion());
        fp = 31 * fp + (b == null ? 0 : Objects.hashCode(b.getBrokerId()));
        fp = 31 * fp + (b == null ? 0 : Objects.hashCode(b.getSourceAddress()));
        fp = 31 * fp + Long.hashCode(certificate);
        fp = 31 * fp + Boolean.hashCode(t.getQuarantined());
        // 0 is reserved for "send the next one".
        fp = fp == 0 ? 1 : fp;
        long ts = t.getDeviceTime().toEpochMilli();
        boolean due = ds.statusDisconnected || fp != ds.statusFingerprint || ds.statusSentAt == Long.MIN_VALUE
                || ts - ds.statusSentAt >= refreshMs;
        if (due) {
            ds.statusDisconnected = false;
            ds.statusFingerprint = fp;
            ds.statusSentAt = Math.max(ds.statusSentAt, ts);
        }
        return due;
    }

    private void statusFromTelemetry(DeviceState ds, Telemetry t, String key, ReadOnlyContext ctx) {
        if (statusDue(ds, t, cfg.statusRefreshMs)) {
            StatusSignal s = StatusSignal.of(t);
            s.key = key;
            ctx.output(STATUS, s);
        }
    }

    private List<Advisory> advisories(ReadOnlyBroadcastState<String, Advisory> state) throws Exception {
        if (advisoryCache == null) {
            List<Advisory> list = new ArrayList<>();
            for (Map.Entry<String, Advisory> e : state.immutableEntries()) {
                list.add(e.getValue());
            }
            advisoryCache = List.copyOf(list);
        }
        return advisoryCache;
    }

    private static void emit(ConnectivityRules.Result r, Collector<Finding> out, ReadOnlyContext ctx) {
        r.findings().forEach(out::collect);
        r.changes().forEach(c -> ctx.output(CHANGES, c));
    }

    private static void emit(ConnectivityRules.Result r, Collector<Finding> out, OnTimerContext ctx) {
        r.findings().forEach(out::collect);
        r.changes().forEach(c -> ctx.output(CHANGES, c));
    }

    /**
     * Event time at which the device's state is dropped: {@link DetectionConfig#deviceStateTtlMs} after its
     * newest event (telemetry or security event), or never for a state that has seen no event.
     */
    long retentionDeadline(DeviceState ds) {
        return ds.lastEvent == Long.MIN_VALUE ? Long.MAX_VALUE : ds.lastEvent + cfg.deviceStateTtlMs;
    }

    /**
     * Keeps at most one event-time timer per device, at or before the earliest of the connectivity rules'
     * next deadline and the retention deadline. A pending timer that is earlier than needed is kept rather
     * than moved: it fires, finds nothing due yet and registers the next deadline. A device reporting every
     * 30 s therefore costs one timer firing per offline interval instead of a timer deletion and
     * registration per report (the deadline moves with every report), while the rules still fire at exactly
     * their deadline.
     */
    private void rescheduleTimer(DeviceState ds, TimerService timers, long earliest) {
        long wanted = Math.min(connectivityRules.nextTimer(ds.connectivity), retentionDeadline(ds));
        if (wanted == Long.MAX_VALUE) {
            return;
        }
        long next = Math.max(wanted, earliest);
        if (ds.timer != DeviceState.NO_TIMER && ds.timer <= next) {
            return;
        }
        if (ds.timer != DeviceState.NO_TIMER) {
            timers.deleteEventTimeTimer(ds.timer);
        }
        timers.registerEventTimeTimer(next);
        ds.timer = next;
    }
}
