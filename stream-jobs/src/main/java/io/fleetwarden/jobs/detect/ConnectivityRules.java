package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Severity;

/**
 * Per-device connectivity rules: RES-OFF-001 (offline past the learnt interval), RES-FLAP-001
 * (flapping), CMP-IDENT-001 (live from two places: addresses or brokers), CMP-IDENT-002 (session ping-pong). Also
 * derives reachability changes for the cohort stage.
 *
 * <p>Time: every method takes event time (the record's timestamp, or the timer time the caller
 * fires at); nothing reads the system clock, so replays give the same answers.
 */
public final class ConnectivityRules implements DeviceRule<ConnectivityState> {

    private static final long serialVersionUID = 1L;

    /** Weight of the newest gap in the learnt interval. */
    static final double INTERVAL_ALPHA = 0.2;

    private final DetectionConfig cfg;

    public ConnectivityRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "connectivity";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.DEVICE_OFFLINE.id(), RuleCatalogue.FLAPPING.id(), RuleCatalogue.IDENTITY_TWO_ADDRESSES.id(),
                RuleCatalogue.SESSION_PING_PONG.id());
    }

    @Override
    public Class<ConnectivityState> stateClass() {
        return ConnectivityState.class;
    }

    @Override
    public ConnectivityState newState() {
        return new ConnectivityState();
    }

    @Override
    public void onReport(ConnectivityState s, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
        emit(onTelemetry(s, report), out);
    }

    @Override
    public void onSecurityEvent(ConnectivityState s, DeviceSecurityEvent event, DeviceContext ctx, DeviceOutput out) {
        emit(onSecurityEvent(s, event), out);
    }

    @Override
    public long nextDeadline(ConnectivityState s) {
        return nextTimer(s);
    }

    @Override
    public void onDeadline(ConnectivityState s, String tenant, String deviceId, long now, DeviceOutput out) {
        emit(onTimer(s, tenant, deviceId, now), out);
    }

    private static void emit(Result r, DeviceOutput out) {
        List<Finding> findings = r.findings();
        for (int i = 0, n = findings.size(); i < n; i++) {
            out.finding(findings.get(i));
        }
        List<ConnectivityChange> changes = r.changes();
        for (int i = 0, n = changes.size(); i < n; i++) {
            out.change(changes.get(i));
        }
    }

    /**
     * Findings plus reachability changes produced by one input. Most inputs produce neither and get the shared
     * empty {@link #NONE}; the rule methods create a result (and its lists) only for the first element.
     */
    public static final class Result {
        /** Nothing found, nothing changed (immutable: nothing is ever added to it). */
        public static final Result NONE = new Result();

        private List<Finding> findings = List.of();
        private List<ConnectivityChange> changes = List.of();

        private Result() {
        }

        public List<Finding> findings() {
            return findings;
        }

        public List<ConnectivityChange> changes() {
            return changes;
        }

        /** {@code r} (a new result when null) with {@code f} added. */
        static Result add(Result r, Finding f) {
            Result out = r == null ? new Result() : r;
            if (out.findings.isEmpty()) {
                out.findings = new ArrayList<>(2);
            }
            out.findings.add(f);
            return out;
        }

        /** {@code r} (a new result when null) with {@code c} added. */
        static Result add(Result r, ConnectivityChange c) {
            Result out = r == null ? new Result() : r;
            if (out.changes.isEmpty()) {
                out.changes = new ArrayList<>(2);
            }
            out.changes.add(c);
            return out;
        }

        static Result orNone(Result r) {
            return r == null ? NONE : r;
        }
    }

    public Result onTelemetry(ConnectivityState s, DeviceReport t) {
        Result r = null;
        long ts = t.deviceTime();
        long before = s.lastSeen;
        boolean silenceEnded = false;
        if (!s.offlineOpen && ts > offlineDeadline(s)) {
            // The device's reports come in order (one partition per device), so a report past the deadline means it was
            // silent past it, whether or not the watermark has reached the deadline yet: on a backlog one partition can be
            // read ahead of another, and its devices' returns would otherwise beat their own offline timers.
            if (plannedAbsence(s)) {
                // Away by its own goodbye (already read) past offline.plannedMax: decided at that deadline, as the timer
                // would have; the report below resolves it.
                r = onTimer(s, t.tenant(), t.deviceId(), offlineDeadline(s));
                r = r == Result.NONE ? null : r;
            } else {
                // Its DISCONNECT and CONNECT inside the silence may still be unread (the security events are read apart):
                // the silence is decided in event time (ReachabilityGap), by the security events as they are read and at
                // its deadline, not now.
                r = endGap(s, t.tenant(), t.deviceId(), r);
                s.gap = ReachabilityGap.silence(before, offlineDeadline(s), ts, s.reachable, s.expectedIntervalMs);
                silenceEnded = true;
            }
        }
        // The broker's CONNECT events carry no model or region: a device that connected before its first
        // report was counted online in its broker cohort only. Tell its model and region cohorts now
        // (brokerId null: the broker cohort already has it), or their sizes stay near zero and any ten
        // offline devices of a 200-device model look like a whole-cohort outage.
        String lateModel = s.reachable && s.model == null ? t.model() : null;
        String lateRegion = s.reachable && s.region == null ? t.region() : null;
        s.model = StateStrings.keep(s.model, t.model());
        s.region = StateStrings.keep(s.region, t.region());
        s.brokerId = t.brokerId() == null ? s.brokerId : StateStrings.keep(s.brokerId, t.brokerId());
        if (lateModel != null || lateRegion != null) {
            r = Result.add(r, new ConnectivityChange(t.tenant(), t.deviceId(), lateModel, lateRegion, null, true, ts,
                    ConnectivityChange.FIRST_SEEN));
        }
        double reported = Math.max(1, t.intervalSeconds()) * 1000.0;
        if (s.lastSeen == Long.MIN_VALUE) {
            s.expectedIntervalMs = reported;
        } else if (ts > s.lastSeen && !s.offlineOpen && !silenceEnded) {
            // Learn from real gaps, but never below what the device says it does; gaps across an outage are not learnt.
            double gap = ts - s.lastSeen;
            s.expectedIntervalMs = Math.max(reported, s.expectedIntervalMs + INTERVAL_ALPHA * (gap - s.expectedIntervalMs));
        }
        if (ts > s.lastSeen) {
            s.lastSeen = ts;
            if (!(!s.connected && s.disconnected && ts < s.connectedAt)) {
                s.downSinceReport = false; // a report sent after any DISCONNECT read so far
            }
        }
        if (ts > s.plannedAwaySince) {
            s.plannedAwaySince = Long.MIN_VALUE; // back from its planned absence
        }
        r = reportPlace(s, t, r);
        if (s.offlineOpen) {
            s.offlineOpen = false;
            s.offlinePlannedOpen = false;
            r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.CLEAR, t.tenant(), t.deviceId(), ts,
                    "telemetry resumed").with("resumedAt", ts));
        }
        // A report older than the DISCONNECT that ended the device's connection was sent before it: it says nothing about
        // reachability now. The security events are read apart from the telemetry and may run minutes ahead (watermark
        // alignment allows --watermark-drift), so that DISCONNECT can be processed before the device's last reports;
        // taken as a return, each such report made the device reachable again before its outage (an extra cohort
        // change, and its offline deadline then took it down a second time).
        boolean sentBeforeItsDisconnect = !s.connected && s.disconnected && ts < s.connectedAt;
        if (silenceEnded) {
            s.reachable = true; // now; the silence's own changes are the gap's to decide
        } else if (!s.reachable && !sentBeforeItsDisconnect) {
            // Back (or here for the first time). The return is dated in event time too: a CONNECT before this report may
            // still be unread, and read in step it would have been the return.
            s.reachable = true;
            r = endGap(s, t.tenant(), t.deviceId(), r);
            s.gap = ReachabilityGap.returnAt(before, ts, s.expectedIntervalMs);
        }
        return Result.orNone(r);
    }

    /**
     * The silence's deadline is reached (by the watermark, or by a security event read past it): RES-OFF-001 opened at
     * the deadline and resolved by the report that ended the silence (unless the device said goodbye first), and the
     * device counted down there if nothing inside the silence took it down earlier.
     */
    private Result gapDeadline(ConnectivityState s, String tenant, String deviceId, Result r) {
        ReachabilityGap g = s.gap;
        g.deadlineDone = true;
        if (g.planned) {
            return r;
        }
        r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.OPEN, tenant, deviceId, g.deadline,
                        "no telemetry for " + (g.deadline - g.from) / 1000 + " s")
                .with("lastSeen", g.from)
                .with("expectedIntervalSeconds", Math.round(g.expectedIntervalMs / 1000))
                .with("model", s.model).with("region", s.region).with("broker", s.brokerId));
        r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.CLEAR, tenant, deviceId, g.to,
                "telemetry resumed").with("resumedAt", g.to));
        if (g.up) {
            g.up = false;
            r = Result.add(r, change(s, tenant, deviceId, false, g.deadline, "offline-timeout"));
        }
        return r;
    }

    /** Decides what is left of the silence (its deadline, then its return) and forgets it. */
    private Result endGap(ConnectivityState s, String tenant, String deviceId, Result r) {
        ReachabilityGap g = s.gap;
        if (g == null) {
            return r;
        }
        if (!g.deadlineDone) {
            r = gapDeadline(s, tenant, deviceId, r);
        }
        if (!g.up) {
            r = Result.add(r, change(s, tenant, deviceId, true, g.to, "telemetry"));
        }
        s.gap = null;
        return r;
    }

    /**
     * When the device counts as offline if nothing else arrives (event time): its last report (or the CONNECT that
     * ended a planned absence, when later) plus max({@code offline.min}, {@code offline.factor} x learnt interval).
     * None while the device is away by its own clean DISCONNECT sent before that deadline: a reboot into an update or
     * a retirement is planned, not an outage. The timer and a report arriving after the deadline both decide by this one deadline.
     */
    public long offlineDeadline(ConnectivityState s) {
        if (s.lastSeen == Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        long deadline = silenceDeadline(s);
        // A goodbye before the deadline is a planned absence; one after it came from a device already silent past it.
        // A planned absence still ends in an alert (LOW) once it outlasts offline.plannedMax: a device that said goodbye
        // and never came back is an operations matter, unless it was decommissioned (which erases its state).
        return plannedAbsence(s) ? saturatedAdd(s.plannedAwaySince, cfg.offlinePlannedMaxMs) : deadline;
    }

    /** The deadline of an unplanned silence: the last report (or a re-arming CONNECT) plus the allowed silence. */
    private long silenceDeadline(ConnectivityState s) {
        return Math.max(s.lastSeen, s.rearmedAt) + (long) Math.max(cfg.offlineMinMs, cfg.offlineFactor * s.expectedIntervalMs);
    }

    /** Whether the device is away by its own goodbye sent before its silence deadline. */
    private boolean plannedAbsence(ConnectivityState s) {
        return s.plannedAwaySince != Long.MIN_VALUE && s.plannedAwaySince <= silenceDeadline(s);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Fires the offline rule when {@code now} reached the deadline and no telemetry came. */
    public Result onTimer(ConnectivityState s, String tenant, String deviceId, long now) {
        Result r = null;
        if (s.gap != null && !s.gap.deadlineDone && now >= s.gap.deadline) {
            r = gapDeadline(s, tenant, deviceId, r);
        }
        if (s.gap != null && s.gap.deadlineDone && now >= s.gap.to) {
            r = endGap(s, tenant, deviceId, r);
        }
        if (!s.offlineOpen && now >= offlineDeadline(s)) {
            s.offlineOpen = true;
            if (plannedAbsence(s)) {
                // Said goodbye and never came back: surfaces for operations at LOW severity. No reachability change: a
                // batch of devices retired together is no cohort outage.
                s.offlinePlannedOpen = true;
                Finding f = Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.OPEN, tenant, deviceId, now,
                                "no telemetry for " + (now - s.lastSeen) / 1000 + " s since its own clean disconnect")
                        .with("lastSeen", s.lastSeen).with("plannedAbsence", true).with("disconnectedAt", s.plannedAwaySince)
                        .with("plannedMaxSeconds", cfg.offlinePlannedMaxMs / 1000)
                        .with("model", s.model).with("region", s.region).with("broker", s.brokerId);
                f.severity = Severity.LOW;
                r = Result.add(r, f);
            } else {
                r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.OPEN, tenant, deviceId, now,
                                "no telemetry for " + (now - s.lastSeen) / 1000 + " s")
                        .with("lastSeen", s.lastSeen)
                        .with("expectedIntervalSeconds", Math.round(s.expectedIntervalMs / 1000))
                        .with("model", s.model).with("region", s.region).with("broker", s.brokerId));
                // A device whose current connection began after the deadline (its CONNECT was read before the deadline's
                // timer fired: security events run ahead of the telemetry, or within the out-of-orderness) was away at the
                // deadline and is back now; the disconnect that ended its last connection already told the cohorts it went.
                boolean backSinceDeadline = s.connected && s.connectedAt > now;
                if (s.reachable && !backSinceDeadline) {
                    s.reachable = false;
                    r = Result.add(r, change(s, tenant, deviceId, false, now, "offline-timeout"));
                } else if (s.reachable && !s.downSinceReport) {
                    // Back since, but nothing took it down before (no DISCONNECT: its broker died without a word): read in
                    // step, it went down here and came back at that CONNECT.
                    r = Result.add(r, change(s, tenant, deviceId, false, now, "offline-timeout"));
                    r = Result.add(r, change(s, tenant, deviceId, true, s.connectedAt, "connected"));
                }
            }
        }
        if (s.handoverPending && now >= s.overlapAt + cfg.identityHandoverMs) {
            // The old session did not end within identity.handover: both stayed live, not a hand-over.
            s.handoverPending = false;
            r = countOverlap(s, tenant, deviceId, s.overlapAt, now, "old session still live", r);
        }
        r = clearIfQuiet(s.flaps, RuleCatalogue.FLAPPING.id(), r, tenant, deviceId, now);
        r = clearIfQuiet(s.takeovers, RuleCatalogue.SESSION_PING_PONG.id(), r, tenant, deviceId, now);
        r = clearIfQuiet(s.overlaps, RuleCatalogue.IDENTITY_TWO_ADDRESSES.id(), r, tenant, deviceId, now);
        return Result.orNone(r);
    }

    private Result clearIfQuiet(BurstWindow w, String rule, Result r, String tenant, String deviceId, long now) {
        if (BurstWindow.quietExpired(w, now, cfg.burstQuietMs)) {
            w.close();
            return Result.add(r, Finding.device(rule, Action.CLEAR, tenant, deviceId, now, "quiet").with("quietSince", w.lastEvent));
        }
        return r;
    }

    /**
     * Next time {@link #onTimer} has something to decide: the offline deadline, or the quiet deadline of an open
     * window. Computed from the state each time (the windows stay null until their first event, so for most
     * devices this is three null checks): no cache to keep in step with the windows.
     */
    public long nextTimer(ConnectivityState s) {
        long next = s.offlineOpen ? Long.MAX_VALUE : offlineDeadline(s);
        if (s.gap != null) {
            next = Math.min(next, s.gap.nextDecision());
        }
        if (s.handoverPending) {
            next = Math.min(next, s.overlapAt + cfg.identityHandoverMs);
        }
        long windows = Math.min(lastEventIfOpen(s.flaps), Math.min(lastEventIfOpen(s.takeovers), lastEventIfOpen(s.overlaps)));
        return windows == Long.MAX_VALUE ? next : Math.min(next, windows + cfg.burstQuietMs);
    }

    private static long lastEventIfOpen(BurstWindow w) {
        return BurstWindow.isOpen(w) ? w.lastEvent : Long.MAX_VALUE;
    }

    public Result onSecurityEvent(ConnectivityState s, DeviceSecurityEvent e) {
        Result r = null;
        String tenant = e.tenant();
        String deviceId = e.deviceId();
        long ts = e.timestamp();
        String address = e.sourceAddress();
        if (e.model() != null) {
            s.model = StateStrings.keep(s.model, e.model());
        }
        if (e.region() != null) {
            s.region = StateStrings.keep(s.region, e.region());
        }
        if (e.brokerId() != null) {
            s.brokerId = StateStrings.keep(s.brokerId, e.brokerId());
        }
        // Telemetry and security events arrive on different streams, so their processing order is not
        // their event-time order: a connect or disconnect older than the latest report says nothing
        // about reachability now.
        boolean stale = s.lastSeen != Long.MIN_VALUE && ts < s.lastSeen;
        // A silence read ahead (telemetry first): the security events come in order, so one past its deadline or its end
        // means nothing of that part is unread any more.
        ReachabilityGap gap = s.gap;
        if (gap != null && ts > gap.from) {
            if (!gap.deadlineDone && ts > gap.deadline) {
                r = gapDeadline(s, tenant, deviceId, r);
            }
            if (ts > gap.to) {
                r = endGap(s, tenant, deviceId, r);
                gap = null;
            }
        }
        boolean inGap = gap != null && gap.covers(ts);
        switch (e.type()) {
            case CONNECT -> {
                String broker = e.brokerId();
                if (!s.offlineOpen && plannedAbsence(s) && ts > offlineDeadline(s)) {
                    // Back after its planned absence's maximum, read before the timer fired (a backlog): decided at the
                    // deadline as the timer would have; the next report resolves it.
                    Result late = onTimer(s, tenant, deviceId, offlineDeadline(s));
                    r = late == Result.NONE ? null : late;
                }
                r = overlap(s, tenant, deviceId, ts, address, broker, r);
                boolean reconnect = s.disconnected;
                // A drained device's first return within drain.reconnect is planned: no reconnect of a storm.
                boolean afterDrain = s.drainedAt != Long.MIN_VALUE && ts >= s.drainedAt && ts - s.drainedAt <= cfg.drainReconnectMs;
                s.drainedAt = Long.MIN_VALUE;
                s.disconnected = false;
                s.previousAddress = s.connectedAddress;
                s.connected = true;
                s.connectedAddress = address;
                s.connectedBroker = broker;
                // After a DISCONNECT, connectedAt held that disconnect's time: this CONNECT opens the connection now.
                s.connectedAt = reconnect ? ts : Math.max(s.connectedAt, ts);
                if (s.plannedAwaySince != Long.MIN_VALUE && ts >= s.plannedAwaySince) {
                    // Back from a planned absence but not reporting yet: its silence counts from this CONNECT.
                    s.plannedAwaySince = Long.MIN_VALUE;
                    s.rearmedAt = Math.max(s.rearmedAt, ts);
                }
                if (!s.reachable && !stale) {
                    s.reachable = true;
                    r = Result.add(r, change(s, tenant, deviceId, true, ts, "connected"));
                } else if (inGap) {
                    r = gapConnect(s, tenant, deviceId, ts, reconnect && !afterDrain, r);
                } else if (reconnect && !afterDrain && (!stale || s.reachable)) {
                    // A reconnect counts for the storm rule whether or not a later report was read first (a reconnect
                    // read behind the device's reports is still one reconnect, at its own time).
                    r = Result.add(r, new ConnectivityChange(tenant, deviceId, s.model, s.region, s.brokerId, true, ts,
                            ConnectivityChange.RECONNECTED));
                }
            }
            case DISCONNECT -> {
                String broker = e.brokerId();
                // The end of the other session of an overlap (the place the device left): a hand-over when in time.
                if (s.otherLive && !differs(address, s.otherAddress) && !differs(broker, s.otherBroker)
                        && differsPlace(address, broker, s.connectedAddress, s.connectedBroker)) {
                    if (s.handoverPending && ts <= s.overlapAt + cfg.identityHandoverMs) {
                        s.handoverPending = false; // the old session ended in time: a hand-over, nothing counted
                    }
                    s.otherLive = false;
                    s.leftAddress = s.otherAddress;
                    s.leftBroker = s.otherBroker;
                    s.leftAt = ts;
                }
                // A disconnect from the place the device left (its session moved to another broker or address) is the
                // old connection's end, not the current one's; one older than the current CONNECT ended an earlier one.
                boolean sameConnection = s.connected && (address == null || address.equals(s.connectedAddress))
                        && !differs(broker, s.connectedBroker) && ts >= s.connectedAt;
                if (SecurityEventReasons.SESSION_TAKEOVER.equals(e.reason())) {
                    s.takeovers = BurstWindow.orNew(s.takeovers);
                    Transition tr = s.takeovers.record(ts, cfg.pingPongCount, cfg.pingPongWindowMs);
                    if (tr != Transition.NONE) {
                        r = Result.add(r, Finding.device(RuleCatalogue.SESSION_PING_PONG.id(), Action.OPEN, tenant, deviceId, ts,
                                        s.takeovers.eventsSinceOpen + " session takeovers")
                                .with("takeovers", s.takeovers.eventsSinceOpen)
                                .with("windowSeconds", cfg.pingPongWindowMs / 1000)
                                .with("lastAddress", address));
                    }
                    if (sameConnection) {
                        // A takeover always ends an older session of the identity: a newer one lives on, so the
                        // identity stays connected. If that newer CONNECT comes from another place within
                        // identity.handover, it is an overlap whose old session already ended (read first).
                        s.takenOverAt = ts;
                    }
                    return Result.orNone(r); // the identity is still connected through the other session
                }
                // The platform's own enforcement (the broker disconnecting a device right after refusing it, a revoked
                // certificate's session ended) belongs to the alert of what caused it (CMP-AUTHZ-001, CMP-VAL-001,
                // the quarantine, CMP-CERT-001): it is not the device flapping.
                Transition tr = enforcement(s, e) ? Transition.NONE
                        : (s.flaps = BurstWindow.orNew(s.flaps)).record(ts, cfg.flappingCount, cfg.flappingWindowMs);
                if (tr != Transition.NONE) {
                    r = Result.add(r, Finding.device(RuleCatalogue.FLAPPING.id(), Action.OPEN, tenant, deviceId, ts,
                                    s.flaps.eventsSinceOpen + " disconnects")
                            .with("disconnects", s.flaps.eventsSinceOpen)
                            .with("windowSeconds", cfg.flappingWindowMs / 1000)
                            .with("lastReason", e.reason()));
                }
                if (sameConnection) {
                    // The session ended, whatever the device's reports say: a report newer than this disconnect came
                    // through a later session whose CONNECT is still unread (the streams are read apart), and a
                    // session left marked live would make that CONNECT look like a second place.
                    s.connected = false;
                    s.disconnected = true;
                    s.connectedAt = ts; // while disconnected: when the last connection ended
                    boolean drained = SecurityEventReasons.BROKER_DRAINING.equals(e.reason());
                    if (drained) {
                        // The broker's planned maintenance: the device is expected back (elsewhere) within
                        // drain.reconnect; no reachability change, and its offline deadline stays armed, so a drained
                        // device that does not return is still caught.
                        s.drainedAt = ts;
                    }
                    if (!stale) {
                        // Only a disconnect newer than the latest report says something about reachability now.
                        boolean unplanned = !drained && !SecurityEventReasons.CLIENT_DISCONNECT.equals(e.reason());
                        if (unplanned && s.reachable) {
                            s.reachable = false;
                            r = Result.add(r, change(s, tenant, deviceId, false, ts, e.reason()));
                        }
                        if (SecurityEventReasons.CLIENT_DISCONNECT.equals(e.reason()) && !s.offlineOpen && s.lastSeen != Long.MIN_VALUE) {
                            // The device said goodbye (a reboot into an update, a retirement): no offline deadline until
                            // it connects or reports again, or until offline.plannedMax. An already open RES-OFF-001 stays
                            // open until it reports. Whether it was silent past its deadline before saying goodbye is
                            // decided in offlineDeadline: the security stream may be read ahead of the device's reports,
                            // so its report history is not complete yet.
                            s.plannedAwaySince = ts;
                        }
                    } else if (inGap) {
                        r = gapDisconnect(s, tenant, deviceId, ts, e.reason(), drained, r);
                    }
                }
            }
            case AUTHORIZATION_FAILURE, QUARANTINE_ENFORCED -> s.lastRefusalAt = Math.max(s.lastRefusalAt, ts);
            case VALIDATION_FAILURE -> {
                if (!SecurityEventReasons.DEVICE_CLOCK_SKEW.equals(e.reason())) { // a skew report is forwarded, not refused
                    s.lastRefusalAt = Math.max(s.lastRefusalAt, ts);
                }
            }
            default -> {
            }
        }
        return Result.orNone(r);
    }

    /** A CONNECT inside a silence read ahead: the return, when the silence had the device down by then. */
    private Result gapConnect(ConnectivityState s, String tenant, String deviceId, long ts, boolean reconnect, Result r) {
        ReachabilityGap g = s.gap;
        if (!g.deadlineDone && g.planned) {
            // Back from its goodbye without reporting: as read in step, its silence counts from this CONNECT.
            g.planned = false;
            g.deadline = ts + (long) Math.max(cfg.offlineMinMs, cfg.offlineFactor * g.expectedIntervalMs);
            if (g.deadline >= g.to) {
                g.deadlineDone = true; // it reported before that silence ran out
            }
        }
        if (!g.up) {
            g.up = true;
            r = Result.add(r, change(s, tenant, deviceId, true, ts, "connected"));
        } else if (reconnect) {
            r = Result.add(r, new ConnectivityChange(tenant, deviceId, s.model, s.region, s.brokerId, true, ts,
                    ConnectivityChange.RECONNECTED));
        }
        return r;
    }

    /** A DISCONNECT of the device's connection inside a silence read ahead: down there, or a goodbye before its deadline. */
    private Result gapDisconnect(ConnectivityState s, String tenant, String deviceId, long ts, String reason, boolean drained,
                                 Result r) {
        ReachabilityGap g = s.gap;
        if (SecurityEventReasons.CLIENT_DISCONNECT.equals(reason)) {
            if (!g.deadlineDone && ts <= g.deadline) {
                g.planned = true; // said goodbye before its silence ran out: a planned absence, as read in step
            }
        } else if (!drained && g.up) {
            g.up = false;
            r = Result.add(r, change(s, tenant, deviceId, false, ts, reason));
        }
        return r;
    }

    /**
     * How long after an overlap's CONNECT a report from the old place may still be the old link's last message in
     * flight; a report from it later than this shows the old session alive.
     */
    static final long OLD_LINK_GRACE_MS = 10_000;

    /**
     * A CONNECT from {@code address}/{@code broker}: an overlap when another session of the identity is live at another
     * place (the current connection, or the other session of an earlier overlap). A return to a place the identity was
     * live at within {@code identity.window} (the other session's, or the one it last handed over from) is alternation
     * and counts at once; any other overlap waits for {@code identity.handover} to see whether the old session ends.
     */
    private Result overlap(ConnectivityState s, String tenant, String deviceId, long ts, String address, String broker, Result r) {
        boolean otherLive = otherLive(s, ts);
        boolean takenOver = s.takenOverAt != Long.MIN_VALUE && ts >= s.takenOverAt && ts - s.takenOverAt <= cfg.identityHandoverMs;
        s.takenOverAt = Long.MIN_VALUE;
        String fromAddress = s.connectedAddress;
        String fromBroker = s.connectedBroker;
        boolean ended;
        if (s.connected && differsPlace(address, broker, s.connectedAddress, s.connectedBroker)) {
            // The current session is live elsewhere, unless the broker just reported taking it over (this CONNECT is
            // the newer session, read after the takeover): an overlap whose old session has already ended.
            ended = takenOver;
        } else if (!s.connected && otherLive && differsPlace(address, broker, s.otherAddress, s.otherBroker)
                && (!samePlace(address, broker, s.connectedAddress, s.connectedBroker) || s.otherSeen > s.overlapAt)) {
            // The current session ended but the other one is still live. A reconnect at the same new place is a new
            // overlap only when the other session showed life (reported) since: a broker that died without a word (no
            // disconnect ever comes) leaves its sessions "live", and the moved device's blips are no second holder.
            fromAddress = s.otherAddress;
            fromBroker = s.otherBroker;
            ended = false;
        } else {
            return r;
        }
        boolean backToOther = otherLive && samePlace(address, broker, s.otherAddress, s.otherBroker);
        boolean returning = backToOther || (s.leftAt != Long.MIN_VALUE && ts - s.leftAt <= cfg.identityWindowMs
                && samePlace(address, broker, s.leftAddress, s.leftBroker));
        if (s.handoverPending && !backToOther) {
            // Another overlap before the previous one was judged: that one was no clean hand-over. (A quick return to
            // the very place the pending overlap left is one alternation, counted once below: a dual-homed device
            // flipping back once.)
            r = countOverlap(s, tenant, deviceId, s.overlapAt, ts, "another overlap before the old session ended", r);
        }
        s.handoverPending = false;
        s.otherAddress = fromAddress;
        s.otherBroker = fromBroker;
        s.overlapAt = ts;
        s.otherSeen = ts;
        s.lastReportFromOther = false;
        s.otherLongCounted = false;
        s.otherLive = !ended;
        if (ended) {
            s.leftAddress = fromAddress;
            s.leftBroker = fromBroker;
            s.leftAt = ts;
        }
        if (returning) {
            // The overlap's peers are places the identity was live at just before: two holders taking turns.
            r = countOverlap(s, tenant, deviceId, ts, ts, "returned to a place it was live at", r);
        } else if (!ended) {
            s.handoverPending = true;
        }
        return r;
    }

    /**
     * A report from the other session's place after the overlap (beyond the old link's last messages in flight): both
     * sessions are alive. Each switch of the reports to that place counts (two holders reporting in turn).
     */
    private Result reportPlace(ConnectivityState s, DeviceReport t, Result r) {
        long ts = t.deviceTime();
        String address = t.sourceAddress();
        String broker = t.brokerId();
        if (!differsPlace(address, broker, s.connectedAddress, s.connectedBroker)) {
            if (samePlace(address, broker, s.connectedAddress, s.connectedBroker)) {
                s.lastReportFromOther = false;
            }
            return r;
        }
        boolean fromOther = otherLive(s, ts) && samePlace(address, broker, s.otherAddress, s.otherBroker);
        if (!fromOther && s.leftAt != Long.MIN_VALUE && ts > s.leftAt + OLD_LINK_GRACE_MS && ts - s.leftAt <= cfg.identityWindowMs
                && samePlace(address, broker, s.leftAddress, s.leftBroker)) {
            // A report from the place the identity handed over from, after its session there ended: a session there is
            // alive all the same (the ended one was not the only one). It is the other session again.
            s.otherAddress = s.leftAddress;
            s.otherBroker = s.leftBroker;
            s.otherLive = true;
            s.overlapAt = Math.max(s.overlapAt, s.leftAt);
            s.lastReportFromOther = false;
            s.otherLongCounted = false;
            s.leftAt = Long.MIN_VALUE;
            fromOther = true;
        }
        if (!fromOther || ts <= s.overlapAt + OLD_LINK_GRACE_MS) {
            return r;
        }
        s.otherSeen = ts;
        if (!s.lastReportFromOther) {
            // The reports switched to the other place: both sessions alive (each switch counts).
            s.lastReportFromOther = true;
            s.handoverPending = false;
            r = countOverlap(s, t.tenant(), t.deviceId(), ts, ts, "the other session still reports", r);
        } else if (!s.otherLongCounted && ts > s.overlapAt + cfg.identityHandoverMs) {
            // Still reporting past the hand-over time (the newer session may never report itself): counted once more.
            s.otherLongCounted = true;
            r = countOverlap(s, t.tenant(), t.deviceId(), ts, ts, "the other session still reports after the hand-over time", r);
        }
        return r;
    }

    /** Counts one overlap that was no hand-over (at {@code at}, decided at {@code now}); opens CMP-IDENT-001 at the threshold. */
    private Result countOverlap(ConnectivityState s, String tenant, String deviceId, long at, long now, String why, Result r) {
        s.overlaps = BurstWindow.orNew(s.overlaps);
        Transition tr = s.overlaps.record(at, cfg.identityCount, cfg.identityWindowMs);
        if (tr == Transition.NONE) {
            return r;
        }
        Finding f = Finding.device(RuleCatalogue.IDENTITY_TWO_ADDRESSES.id(), Action.OPEN, tenant, deviceId, Math.max(at, now),
                        "live from " + where(s.otherAddress, s.otherBroker) + " and " + where(s.connectedAddress, s.connectedBroker))
                .with("addressA", s.otherAddress).with("addressB", s.connectedAddress)
                .with("overlaps", s.overlaps.eventsSinceOpen).with("lastOverlap", why);
        if (differs(s.otherBroker, s.connectedBroker)) {
            f.with("brokerA", s.otherBroker).with("brokerB", s.connectedBroker);
        }
        return Result.add(r, f);
    }

    /** Whether the other session of the latest overlap still counts as live at {@code ts}. */
    private boolean otherLive(ConnectivityState s, long ts) {
        return s.otherLive && ts - s.otherSeen <= cfg.identityWindowMs;
    }

    /** Another place: the address or the broker known on both sides and different. */
    private static boolean differsPlace(String address, String broker, String otherAddress, String otherBroker) {
        return differs(address, otherAddress) || differs(broker, otherBroker);
    }

    /** The same place: at least one of address and broker known on both sides, and neither different. */
    private static boolean samePlace(String address, String broker, String otherAddress, String otherBroker) {
        boolean known = (address != null && otherAddress != null) || (broker != null && otherBroker != null);
        return known && !differsPlace(address, broker, otherAddress, otherBroker);
    }

    /** Both known and not equal (an unknown address or broker is never evidence of a second place). */
    private static boolean differs(String a, String b) {
        return a != null && b != null && !a.equals(b);
    }

    private static String where(String address, String broker) {
        return broker == null ? address : address + " via " + broker;
    }

    /** How soon after a refusal a broker-initiated disconnect is taken as its enforcement. */
    public static final long ENFORCEMENT_LINK_MS = 10_000;

    /**
     * Whether a disconnect is the platform's enforcement: the session of a revoked certificate ended, or the broker
     * disconnected the device at most {@link #ENFORCEMENT_LINK_MS} after refusing one of its packets. A broker
     * disconnect without such a refusal (or long after one) still counts as a flap.
     */
    static boolean enforcement(ConnectivityState s, DeviceSecurityEvent e) {
        if (SecurityEventReasons.DISCONNECTED_REVOKED.equals(e.reason())) {
            return true;
        }
        return SecurityEventReasons.DISCONNECTED_BY_BROKER.equals(e.reason()) && s.lastRefusalAt != Long.MIN_VALUE
                && e.timestamp() >= s.lastRefusalAt && e.timestamp() - s.lastRefusalAt <= ENFORCEMENT_LINK_MS;
    }

    /** A change for the cohorts; a device's first online change is marked {@link ConnectivityChange#FIRST_SEEN}. */
    private static ConnectivityChange change(ConnectivityState s, String tenant, String deviceId, boolean online,
                                             long ts, String reason) {
        if (!online) {
            s.downSinceReport = true;
        }
        if (online && !s.seenBefore) {
            s.seenBefore = true;
            reason = ConnectivityChange.FIRST_SEEN;
        }
        return new ConnectivityChange(tenant, deviceId, s.model, s.region, s.brokerId, online, ts, reason);
    }
}
