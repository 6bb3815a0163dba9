package io.fleetwarden.jobs.flink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BaseBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.detect.BehaviourRules;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.DeviceContext;
import io.fleetwarden.jobs.detect.DeviceOutput;
import io.fleetwarden.jobs.detect.DeviceLifecycle;
import io.fleetwarden.jobs.detect.IdentityRules;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceRule;
import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.jobs.detect.DeviceSecurityEvent;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.KeyedDigest;
import io.fleetwarden.jobs.detect.PeerObservation;
import io.fleetwarden.jobs.detect.StateStrings;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.Rule;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.FirmwareCatalogEntry;

/**
 * All per-device rules in one keyed operator (key = device key): the Flink adapter of a list of
 * {@link DeviceRule}s ({@link DeviceRules#standard}: connectivity, behaviour, firmware), none of which it
 * knows by name. It keeps each rule's state for every device, feeds the rules each report
 * ({@link DeviceReport}) and verified security event ({@link DeviceSecurityEvent}), fires each rule at its
 * next deadline and hands them the reference data and the job's {@link KeyedDigest}; hosting them together
 * means each record is serialised and shuffled once.
 *
 * <p>Inputs: {@link DeviceEvent} (a report or a verified security event) keyed by device, and the
 * broadcast reference data (firmware catalog per model, advisories). A new advisory or catalog entry
 * is applied to every device's firmware state at once with {@code applyToKeyedState}, so devices
 * already running an affected version are flagged immediately; the time of such a fleet-wide
 * evaluation is the advisory's publication time (or the catalog's update time), never the wall clock.
 *
 * <p>Outputs: findings; reachability changes on {@link #CHANGES} (cohorts, fleet health); every
 * report's {@link PeerObservation} on {@link #PEERS} (model-peer stage); status signals on
 * {@link #STATUS} (device-status operator), throttled: connects/disconnects and reports that change a
 * status fact (firmware, model, region, broker, source address, certificate, quarantine flag; compared by equality) always, reports that would
 * only refresh {@code lastSeen} at most once per device per {@link DetectionConfig#statusRefreshMs} ({@code status.refresh})
 * of event time.
 *
 * <p>Timers: at most one event-time timer per device (with state), at or before the rules' next deadline, the release of its first held security event
 * ({@link DeviceRule#nextDeadline}) or the retention deadline, never at or before the current watermark. State: one
 * {@link DeviceState} per device (each rule's state, the timer, the status throttle), bounded by the rules,
 * and dropped when the device has sent nothing for {@link DetectionConfig#deviceStateTtlMs} of event time
 * (retention deadline, served by the same timer). No Flink state TTL here: its bookkeeping on every state
 * access cost more than all the rules together in the benchmark profile.
 *
 * <p>The digest key is chosen when the job is built, and kept in operator (union) state: a restored job
 * digests as before, so the digests the rules remember stay valid.
 *
 * <p><b>Read-ahead bound.</b> The rules are written for the device's two event streams read at most {@code readAhead}
 * apart (the sources' watermark alignment, {@code --watermark-drift}): a device's DISCONNECT may be processed minutes
 * before its last reports, never hours. Alignment cannot hold that at a start on a backlog: until every source has
 * reported a watermark, and before the first alignment round, a source reads freely, and the small security topic can be
 * read hours of event time ahead of the telemetry in that time. Read so, a device's connects and disconnects came before
 * its first report (no model or region known yet: its drops never reached its region's cohort, and a regional outage
 * went unseen) and its goodbye before any report (ignored, so it was later declared offline). So a security event is
 * applied only when the device's own reports (its newest report's time) or this operator's watermark are within
 * {@code readAhead} of it; otherwise it waits in keyed state ({@code held-ahead-queue}, an {@link ArrivalQueue}: arrival
 * order, one state access per event held or released), and so does every later security event of the device while one
 * waits (a flag in the device's state says so without a look at the queue). A report of the device releases the held
 * events up to its own time before it and those it brings within {@code readAhead} after it; for a device that sends no
 * reports the watermark releases it, through the device's one timer, kept at or before the release (the event's time
 * minus {@code readAhead}) of the first event waiting: no timer per held event. The bound is the device's own:
 * on a backlog the watermark trails what is in flight by many minutes of event time, and a bound on the watermark alone
 * held most security events of devices whose reports were current. Read in step (live) nothing waits.
 */
public class DeviceFunction extends KeyedBroadcastProcessFunction<String, DeviceEvent, ReferenceUpdate, Finding>
        implements CheckpointedFunction {

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
    private final DeviceRules rules;
    /** The digest key the job was built with; replaced by the restored one after a restore. */
    private final byte[] digestKey;
    private transient DeviceRule<Object>[] units;
    /**
     * Positions of the units that implement {@link DeviceRule#onSecurityEvent}, {@link DeviceRule#onLifecycleEvent}, and
     * {@link DeviceRule#nextDeadline} or {@link DeviceRule#onDeadline} ({@link Handlers}): the others inherit the
     * interface's no-op defaults, and calling them for every event and timer was a megamorphic call each.
     */
    private transient Handlers handlers;
    private transient String[] names;
    private transient KeyedDigest digest;
    private transient ListState<byte[]> digestKeyState;
    private transient ValueStateDescriptor<DeviceState> stateDescriptor;
    private transient ValueState<DeviceState> state;
    /** When the device was erased (only for erased devices; Flink TTL state.ttl). */
    private transient ValueState<Long> erased;
    /**
     * How far (event time) ahead of this operator's watermark a security event is applied; a later one waits in
     * {@link #heldAhead}. 0: none waits (harnesses that drive the watermark themselves).
     */
    private final long readAheadMs;
    /** Security events read more than {@link #readAheadMs} ahead of the watermark, in arrival order (empty for almost every device). */
    private transient ArrivalQueue<DeviceEvent> heldAhead;
    private transient Counter heldAheadCount;
    /** Advisories as a list, rebuilt only when the broadcast state changes (not per record). */
    private transient List<Advisory> advisoryCache;
    /**
     * Version of the reference data seen by this instance ({@link DeviceContext#referenceVersion()}): starts at a
     * random number, +1 on every broadcast change.
     */
    private transient long referenceVersion;
    private transient RulesContext context;
    private transient Output output;

    /** The standard rules and catalogue, with a fresh digest key. */
    public DeviceFunction(DetectionConfig cfg) {
        this(cfg, DeviceRules.standard(cfg), RuleCatalogue.all(), KeyedDigest.newKey());
    }

    /** The standard rules and catalogue, with a fresh digest key and the given read-ahead bound. */
    public DeviceFunction(DetectionConfig cfg, Duration readAhead) {
        this(cfg, DeviceRules.standard(cfg), RuleCatalogue.all(), KeyedDigest.newKey(), readAhead);
    }

    /**
     * @param rules     the per-device rules; every id they emit must be in {@code catalogue}
     * @param catalogue the catalogue entries of the rules
     * @param digestKey the job's secret digest key ({@link KeyedDigest#newKey()} when the job is built)
     */
    public DeviceFunction(DetectionConfig cfg, DeviceRules rules, Collection<Rule> catalogue, byte[] digestKey) {
        this(cfg, rules, catalogue, digestKey, Duration.ZERO);
    }

    /**
     * @param readAhead how far ahead of the watermark (event time) a security event is applied; later ones wait until
     *                  the watermark is that close (zero: none waits). The job passes its sources' watermark drift.
     */
    public DeviceFunction(DetectionConfig cfg, DeviceRules rules, Collection<Rule> catalogue, byte[] digestKey, Duration readAhead) {
        if (readAhead.isNegative()) {
            throw new IllegalArgumentException("read-ahead must not be negative, got " + readAhead);
        }
        this.readAheadMs = readAhead.toMillis();
        this.cfg = cfg;
        this.rules = rules;
        this.digestKey = digestKey.clone();
        Set<String> unknown = new java.util.TreeSet<>(rules.ids());
        catalogue.forEach(r -> unknown.remove(r.id()));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("per-device rules emit ids that are not in the catalogue: " + unknown);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        digestKeyState = ctx.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("digest-key", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        byte[] key = digestKey;
        for (byte[] restored : digestKeyState.get()) {
            key = restored; // every subtask wrote the same key
        }
        digest = new KeyedDigest(key);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        digestKeyState.clear();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            digestKeyState.add(digest.key());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext ctx) {
        units = rules.all().toArray(new DeviceRule[0]);
        handlers = Handlers.of(units);
        DeviceStateSerializer serializer = DeviceStateSerializer.of(rules);
        names = serializer.names();
        if (digest == null) {
            digest = new KeyedDigest(digestKey); // a harness without initializeState
        }
        referenceVersion = new java.security.SecureRandom().nextLong();
        context = new RulesContext();
        output = new Output();
        // No Flink state TTL: its per-access bookkeeping was the largest cost in the benchmark profile. The state is
        // bounded by the retention timer instead (see rescheduleTimer and onTimer).
        stateDescriptor = new ValueStateDescriptor<>("device", serializer);
        state = getRuntimeContext().getState(stateDescriptor);
        // Read only for a device without state (rare): Flink state TTL's per-access cost does not touch the hot path.
        erased = getRuntimeContext().getState(States.withTtl(new ValueStateDescriptor<>("erased-at", Types.LONG), cfg));
        heldAhead = ArrivalQueue.open(getRuntimeContext(), "held-ahead-queue", TypeInformation.of(DeviceEvent.class));
        heldAheadCount = getRuntimeContext().getMetricGroup().counter("securityEventsHeldAhead");
    }

    /**
     * Erasure of the device (Code of Practice guideline 11): its state and timer are dropped at once, the alert stage
     * is told to forget its alerts ({@link Finding.Action#ERASE} for every catalogue rule) and the status stage its
     * status; its events up to {@code erasedAt} are never applied again. Events after it start a fresh device.
     */
    private void erase(DeviceEvent in, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        DeviceState ds = state.value();
        if (ds != null && ds.timer != DeviceState.NO_TIMER) {
            ctx.timerService().deleteEventTimeTimer(ds.timer);
        }
        state.clear();
        if (readAheadMs > 0) {
            // Held events up to the erasure are never applied; later ones start the fresh device.
            heldAhead.retainIf(e -> e.security.timestamp() > in.erasedAt);
            // The device's timer is gone with its state: a timer of its own for what still waits.
            settleHeld(ctx.timerService());
        }
        Long before = erased.value();
        erased.update(before == null ? in.erasedAt : Math.max(before, in.erasedAt));
        String[] key = DeviceKeys.parse(in.key);
        for (Rule r : RuleCatalogue.all()) {
            out.collect(Finding.device(r.id(), Finding.Action.ERASE, key[0], key[1], in.erasedAt, "device erased"));
        }
        StatusSignal s = new StatusSignal();
        s.key = in.key;
        s.tenant = key[0];
        s.deviceId = key[1];
        s.timestamp = in.erasedAt;
        s.erasedAt = in.erasedAt;
        ctx.output(STATUS, s);
    }

    /** The state of {@code key}'s device, created or brought to the current rules' layout. */
    private DeviceState current() throws Exception {
        DeviceState ds = state.value();
        if (ds == null) {
            return new DeviceState(names);
        }
        ds.adopt(names);
        return ds;
    }

    @Override
    public void processElement(DeviceEvent in, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        if (in.isErasure()) {
            erase(in, ctx, out);
            return;
        }
        if (readAheadMs > 0 && (in.security != null || in.report != null)) {
            DeviceState ds = state.value();
            // The flag in the device's state says whether anything waits (no state: a rare look at the queue itself).
            boolean queued = ds != null ? ds.heldAhead : heldAhead.size() > 0;
            long wm = ctx.timerService().currentWatermark();
            if (in.security != null) {
                if (queued || !near(in.security.timestamp(), ds, wm)) {
                    // Behind the device's events already waiting (its events keep their order), or too far ahead of both
                    // its own reports and the watermark. Released by a report of the device that comes near it, or by the
                    // watermark (this timer).
                    heldAhead.add(in);
                    heldAheadCount.inc();
                    if (!queued) {
                        // The queue's head: a timer at or before its release (the device's own timer if that is as early:
                        // one timer per device, not one per event held). Events behind it wait for it.
                        long release = in.security.timestamp() - readAheadMs;
                        if (ds == null) {
                            ctx.timerService().registerEventTimeTimer(release);
                        } else {
                            timerBy(ds, ctx.timerService(), release);
                            ds.heldAhead = true;
                            state.update(ds);
                        }
                    }
                    return;
                }
            } else if (queued) {
                // Held events up to the report's own time come before it; those it brings near come after it.
                long reportTime = in.report.deviceTime();
                DeviceEvent head = ds != null ? heldAhead.peek() : null;
                if (head != null && head.security.timestamp() > reportTime) {
                    // Nothing held goes before the report (the queue's head does not): the report, then a release only if it
                    // brought the head near. The common case on a backlog, where a device's reports run up to its held events
                    // one by one: one look at the head instead of two polls, a settle and two more reads of the state. The
                    // device's timer stays at or before the head's release (nothing here moves it later).
                    apply(in, ds, ctx, out);
                    if (near(head.security.timestamp(), ds, wm)) {
                        applyAll(heldAhead.pollWhile(h -> near(h.security.timestamp(), ds, wm)), ctx, out);
                        settleHeld(ctx.timerService());
                    }
                    return;
                }
                applyAll(heldAhead.pollWhile(h -> h.security.timestamp() <= reportTime), ctx, out);
                apply(in, ctx, out);
                DeviceState now = state.value();
                applyAll(heldAhead.pollWhile(h -> near(h.security.timestamp(), now, wm)), ctx, out);
                settleHeld(ctx.timerService());
                return;
            }
            apply(in, ds, ctx, out); // the state read once per event (RocksDB: one get and one deserialisation)
            return;
        }
        apply(in, ctx, out);
    }

    /**
     * Whether a security event at {@code ts} may be applied: the device's own reports (its newest report applied), or the
     * watermark, are within {@code readAhead} of it.
     */
    private boolean near(long ts, DeviceState ds, long watermark) {
        long release = ts - readAheadMs;
        return release <= watermark || ds != null && ds.lastReport != Long.MIN_VALUE && release <= ds.lastReport;
    }

    private void applyAll(List<DeviceEvent> events, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        for (DeviceEvent e : events) {
            apply(e, ctx, out);
        }
    }

    /**
     * After a release: the device's state says whether anything still waits, and a timer is registered at or before the
     * release of the queue's new head (the device's own timer when that is as early). The head is not due (the release
     * stopped at it), so its release lies after the current watermark.
     */
    private void settleHeld(TimerService timers) throws Exception {
        DeviceEvent head = heldAhead.peek();
        DeviceState ds = state.value();
        if (ds == null) {
            if (head != null) {
                timers.registerEventTimeTimer(head.security.timestamp() - readAheadMs);
            }
            return;
        }
        boolean changed = ds.heldAhead != (head != null);
        ds.heldAhead = head != null;
        if (head != null) {
            changed |= timerBy(ds, timers, head.security.timestamp() - readAheadMs);
        }
        if (changed) {
            state.update(ds);
        }
    }

    /** Applies one report, security event or lifecycle event of the current key's device. */
    private void apply(DeviceEvent in, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        apply(in, state.value(), ctx, out);
    }

    /** As {@link #apply(DeviceEvent, ReadOnlyContext, Collector)}, with the device's state as just read ({@code null}: none). */
    private void apply(DeviceEvent in, DeviceState ds, ReadOnlyContext ctx, Collector<Finding> out) throws Exception {
        if (ds == null) {
            // A device without state may be one that was erased: its events up to the erasure are never applied again.
            Long erasedAt = erased.value();
            long at = in.report != null ? in.report.deviceTime()
                    : in.security != null ? in.security.timestamp() : in.lifecycle.time();
            if (erasedAt != null && at <= erasedAt) {
                return;
            }
            ds = new DeviceState(names);
            ds.heldAhead = readAheadMs > 0 && heldAhead.size() > 0; // a fresh state (rare): what waits is in the queue
        } else {
            ds.adopt(names);
        }
        context.readOnly = ctx;
        context.writable = null;
        output.collector = out;
        output.sideOutputs = ctx;
        if (in.report != null) {
            DeviceReport r = in.report;
            ds.lastEvent = Math.max(ds.lastEvent, r.deviceTime());
            ds.lastReport = Math.max(ds.lastReport, r.deviceTime());
            PeerObservation observation = BehaviourRules.observation(r);
            output.observation = observation;
            for (int i = 0; i < units.length; i++) {
                units[i].onReport(ds.state(i, units[i]), r, context, output);
            }
            output.observation = null;
            ctx.output(PEERS, observation);
            statusFromReport(ds, r, in.key, ctx);
        } else if (in.security != null) {
            DeviceSecurityEvent e = in.security;
            ds.lastEvent = Math.max(ds.lastEvent, e.timestamp());
            ds.createStates(units); // every unit's state exists after any event of the device, as it always did
            for (int i : handlers.security) {
                units[i].onSecurityEvent(ds.rules[i], e, context, output);
            }
            StatusSignal s = StatusSignal.of(e);
            if (s != null) {
                s.key = in.key;
                // A connection change is always a real change. After a disconnect the next report must say "connected"
                // again (unless a connect said so first).
                ctx.output(STATUS, s);
                ds.statusDisconnected = !s.connected;
            }
        } else if (in.lifecycle != null) {
            DeviceLifecycle l = in.lifecycle;
            ds.lastEvent = Math.max(ds.lastEvent, l.time());
            ds.createStates(units);
            for (int i : handlers.lifecycle) {
                units[i].onLifecycleEvent(ds.rules[i], l, context, output);
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
        referenceVersion++;
        context.writable = ctx;
        context.readOnly = null;
        output.collector = out;
        output.sideOutputs = null;
        long at = now == Long.MIN_VALUE ? 0 : now;
        String model = u.catalog != null ? u.catalog.getModel() : u.advisory != null ? u.advisory.getModel() : null;
        ctx.applyToKeyedState(stateDescriptor, (key, st) -> {
            DeviceState ds = st.value();
            if (ds == null) {
                return;
            }
            ds.adopt(names);
            for (int i = 0; i < units.length; i++) {
                if (ds.rules[i] != null) {
                    units[i].onReferenceChange(ds.rules[i], context, model, at, output);
                }
            }
            st.update(ds);
        });
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        // One timer per device serves both its rules' deadlines and the release of its held security events (the device's
        // state read once). The rules' deadlines up to ts come first: the events released now lie after ts (by the bound).
        DeviceState ds = state.value();
        if (ds != null && ds.timer != DeviceState.NO_TIMER && ts >= ds.timer) {
            ds = fireDeadlines(ds, ts, ctx, out);
        }
        if (readAheadMs > 0 && (ds != null ? ds.heldAhead : heldAhead.size() > 0)) {
            releaseHeld(ds, ts, ctx, out);
        }
    }

    /**
     * Applies, in arrival order, the held security events the watermark ({@code ts}) or the device's own reports have come
     * within {@code readAhead} of, up to the first that is not due yet (everything after it stays: the device's events keep
     * their order), and keeps a timer at or before the release of what still waits. One state access per event released,
     * however many are held.
     */
    private void releaseHeld(DeviceState ds, long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        List<DeviceEvent> due = heldAhead.pollWhile(h -> near(h.security.timestamp(), ds, ts));
        applyAll(due, ctx, out);
        settleHeld(ctx.timerService());
    }

    /**
     * The device's timer fired ({@code ts} at or after {@link DeviceState#timer}): the rules' deadlines up to {@code ts}, then
     * the next timer. Returns the device's state, or null when it was dropped (silent for the whole retention period).
     */
    private DeviceState fireDeadlines(DeviceState ds, long ts, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        ds.adopt(names);
        ds.timer = DeviceState.NO_TIMER;
        output.collector = out;
        output.sideOutputs = ctx;
        String[] key = null;
        for (int i : handlers.deadline) {
            Object s = ds.rules[i];
            if (s != null && ts >= units[i].nextDeadline(s)) {
                // Something is due (a lazy timer that fires early has nothing to do: no key parsing either).
                key = key == null ? DeviceKeys.parse(ctx.getCurrentKey()) : key;
                units[i].onDeadline(s, key[0], key[1], ts, output);
            }
        }
        if (ts >= retentionDeadline(ds)) {
            // Silent for the whole retention period: forget the device (its rules have nothing pending any more; what it
            // still holds is released by the watermark, see onTimer).
            state.clear();
            return null;
        }
        // A timer that fired early registers the real deadline even if the watermark has passed it already (the
        // watermark jumped): it then fires in this same watermark advance at exactly that time, as it would have
        // had it been registered all along. Strictly after ts, so this always terminates.
        rescheduleTimer(ds, ctx.timerService(), ts + 1);
        state.update(ds);
        return ds;
    }

    /**
     * Sends a report's status signal only when a status fact changed (compared by equality with the facts of the
     * last signal sent: the values are device-reported, a hash could be made to collide) or the last one sent is at
     * least {@code refreshMs} older (event time); out-of-order reports that change nothing are dropped.
     */
    static boolean statusDue(DeviceState ds, DeviceReport r, long refreshMs) {
        long ts = r.deviceTime();
        boolean same = ds.statusSentAt != Long.MIN_VALUE && Objects.equals(ds.statusModel, r.model())
                && Objects.equals(ds.statusRegion, r.region()) && Objects.equals(ds.statusFirmware, r.firmwareVersion())
                && Objects.equals(ds.statusBroker, r.brokerId()) && Objects.equals(ds.statusAddress, r.sourceAddress())
                && ds.statusCertificateNotAfter == r.certificateNotAfter() && ds.statusQuarantined == r.quarantined();
        boolean due = ds.statusDisconnected || !same || ts - ds.statusSentAt >= refreshMs;
        if (due) {
            ds.statusDisconnected = false;
            ds.statusModel = StateStrings.keep(ds.statusModel, r.model());
            ds.statusRegion = StateStrings.keep(ds.statusRegion, r.region());
            ds.statusFirmware = StateStrings.keep(ds.statusFirmware, r.firmwareVersion());
            ds.statusBroker = StateStrings.keep(ds.statusBroker, r.brokerId());
            ds.statusAddress = StateStrings.keep(ds.statusAddress, r.sourceAddress());
            ds.statusCertificateNotAfter = r.certificateNotAfter();
            ds.statusQuarantined = r.quarantined();
            ds.statusSentAt = Math.max(ds.statusSentAt, ts);
        }
        return due;
    }

    private void statusFromReport(DeviceState ds, DeviceReport r, String key, ReadOnlyContext ctx) {
        if (statusDue(ds, r, cfg.statusRefreshMs)) {
            StatusSignal s = StatusSignal.of(r);
            s.key = key;
            ctx.output(STATUS, s);
        }
    }

    /**
     * Event time at which the device's state is dropped: {@link DetectionConfig#deviceStateTtlMs} after its
     * newest event (telemetry or security event), or never for a state that has seen no event.
     */
    long retentionDeadline(DeviceState ds) {
        return ds.lastEvent == Long.MIN_VALUE ? Long.MAX_VALUE : ds.lastEvent + cfg.deviceStateTtlMs;
    }

    /**
     * Keeps at most one event-time timer per device, at or before the earliest of the rules' next deadlines and the
     * retention deadline. A pending timer that is earlier than needed is kept rather than moved: it fires, finds
     * nothing due yet and registers the next deadline. A device reporting every 30 s therefore costs one timer
     * firing per offline interval instead of a timer deletion and registration per report (the deadline moves with
     * every report), while the rules still fire at exactly their deadline.
     */
    private void rescheduleTimer(DeviceState ds, TimerService timers, long earliest) {
        long wanted = retentionDeadline(ds);
        for (int i : handlers.deadline) {
            Object s = ds.rules[i];
            if (s != null) {
                wanted = Math.min(wanted, units[i].nextDeadline(s));
            }
        }
        if (wanted == Long.MAX_VALUE) {
            return;
        }
        timerBy(ds, timers, Math.max(wanted, earliest));
    }

    /**
     * Makes the device's one timer fire at or before {@code at}: a pending timer that is as early is kept, a later one is
     * moved (never later: whatever it was registered for still gets it, early). Returns whether the timer changed.
     */
    private static boolean timerBy(DeviceState ds, TimerService timers, long at) {
        if (ds.timer != DeviceState.NO_TIMER && ds.timer <= at) {
            return false;
        }
        if (ds.timer != DeviceState.NO_TIMER) {
            timers.deleteEventTimeTimer(ds.timer);
        }
        timers.registerEventTimeTimer(at);
        ds.timer = at;
        return true;
    }

    /**
     * Which units implement which optional input of {@link DeviceRule}, found from the units' classes (a unit's own or
     * inherited implementation counts; only the interface's default no-op does not), so no rule lists what it handles
     * and none can be skipped by a list someone forgot to update. Skipping a default is exact: it does nothing.
     */
    static final class Handlers {
        final int[] security;
        final int[] lifecycle;
        final int[] deadline;

        private Handlers(int[] security, int[] lifecycle, int[] deadline) {
            this.security = security;
            this.lifecycle = lifecycle;
            this.deadline = deadline;
        }

        static Handlers of(DeviceRule<?>[] units) {
            return new Handlers(
                    positions(units, u -> implemented(u, "onSecurityEvent", Object.class, DeviceSecurityEvent.class,
                            DeviceContext.class, DeviceOutput.class)),
                    positions(units, u -> implemented(u, "onLifecycleEvent", Object.class, DeviceLifecycle.class,
                            DeviceContext.class, DeviceOutput.class)),
                    positions(units, u -> implemented(u, "nextDeadline", Object.class)
                            || implemented(u, "onDeadline", Object.class, String.class, String.class, long.class, DeviceOutput.class)));
        }

        private static int[] positions(DeviceRule<?>[] units, java.util.function.Predicate<DeviceRule<?>> which) {
            return java.util.stream.IntStream.range(0, units.length).filter(i -> which.test(units[i])).toArray();
        }

        /** Whether {@code unit}'s class has an implementation of the method other than {@link DeviceRule}'s default. */
        static boolean implemented(DeviceRule<?> unit, String method, Class<?>... parameters) {
            try {
                return unit.getClass().getMethod(method, parameters).getDeclaringClass() != DeviceRule.class;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("DeviceRule." + method + " not found", e);
            }
        }
    }

    /** The reference data and digest lent to the rules (one instance, pointed at the current broadcast state). */
    private final class RulesContext implements DeviceContext {
        BaseBroadcastProcessFunction.ReadOnlyContext readOnly;
        BaseBroadcastProcessFunction.Context writable;

        @Override
        public FirmwareCatalogEntry catalog(String model) {
            try {
                return readOnly != null ? readOnly.getBroadcastState(CATALOG).get(model) : writable.getBroadcastState(CATALOG).get(model);
            } catch (Exception e) {
                throw new IllegalStateException("broadcast state unreadable", e);
            }
        }

        @Override
        public FirmwareCatalogEntry otherModelWithImage(String model, String imageHash) {
            try {
                Iterable<Map.Entry<String, FirmwareCatalogEntry>> entries = readOnly != null
                        ? readOnly.getBroadcastState(CATALOG).immutableEntries()
                        : writable.getBroadcastState(CATALOG).immutableEntries();
                for (Map.Entry<String, FirmwareCatalogEntry> e : entries) {
                    if (!e.getKey().equals(model) && IdentityRules.hasImage(e.getValue(), imageHash)) {
                        return e.getValue();
                    }
                }
                return null;
            } catch (Exception e) {
                throw new IllegalStateException("broadcast state unreadable", e);
            }
        }

        @Override
        public List<Advisory> advisories() {
            if (advisoryCache == null) {
                try {
                    Iterable<Map.Entry<String, Advisory>> entries = readOnly != null
                            ? readOnly.getBroadcastState(ADVISORIES).immutableEntries()
                            : writable.getBroadcastState(ADVISORIES).immutableEntries();
                    List<Advisory> list = new ArrayList<>();
                    for (Map.Entry<String, Advisory> e : entries) {
                        list.add(e.getValue());
                    }
                    advisoryCache = List.copyOf(list);
                } catch (Exception e) {
                    throw new IllegalStateException("broadcast state unreadable", e);
                }
            }
            return advisoryCache;
        }

        @Override
        public long referenceVersion() {
            return referenceVersion;
        }

        @Override
        public KeyedDigest digest() {
            return digest;
        }
    }

    /** Findings to the collector, reachability changes to their side output. */
    private final class Output implements DeviceOutput {
        Collector<Finding> collector;
        ReadOnlyContext sideOutputs;
        PeerObservation observation;

        @Override
        public PeerObservation peerObservation() {
            return observation;
        }

        @Override
        public void finding(Finding f) {
            collector.collect(f);
        }

        @Override
        public void change(ConnectivityChange c) {
            if (sideOutputs == null) {
                throw new IllegalStateException("reachability changes come from device events and timers only");
            }
            sideOutputs.output(CHANGES, c);
        }
    }
}
