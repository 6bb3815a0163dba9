package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEventReasons;

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
        if (!s.offlineOpen && ts > offlineDeadline(s)) {
            // The device's reports come in order (one partition per device), so a report past the deadline means it was
            // silent past it, whether or not the watermark has reached the deadline yet: on a backlog one partition can be
            // read ahead of another, and its devices' returns would otherwise beat their own offline timers. Decided at
            // the deadline, as the timer would have; the report below resolves it.
            r = onTimer(s, t.tenant(), t.deviceId(), offlineDeadline(s));
            r = r == Result.NONE ? null : r;
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
        } else if (ts > s.lastSeen && !s.offlineOpen) {
            // Learn from real gaps, but never below what the device says it does; gaps across an outage are not learnt.
            double gap = ts - s.lastSeen;
            s.expectedIntervalMs = Math.max(reported, s.expectedIntervalMs + INTERVAL_ALPHA * (gap - s.expectedIntervalMs));
        }
        if (ts > s.lastSeen) {
            s.lastSeen = ts;
        }
        if (ts > s.plannedAwaySince) {
            s.plannedAwaySince = Long.MIN_VALUE; // back from its planned absence
        }
        if (s.offlineOpen) {
            s.offlineOpen = false;
            r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.CLEAR, t.tenant(), t.deviceId(), ts,
                    "telemetry resumed").with("resumedAt", ts));
        }
        if (!s.reachable) {
            s.reachable = true;
            r = Result.add(r, change(s, t.tenant(), t.deviceId(), true, ts, "telemetry"));
        }
        return Result.orNone(r);
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
        long deadline = Math.max(s.lastSeen, s.rearmedAt) + (long) Math.max(cfg.offlineMinMs, cfg.offlineFactor * s.expectedIntervalMs);
        // A goodbye before the deadline is a planned absence; one after it came from a device already silent past it.
        return s.plannedAwaySince != Long.MIN_VALUE && s.plannedAwaySince <= deadline ? Long.MAX_VALUE : deadline;
    }

    /** Fires the offline rule when {@code now} reached the deadline and no telemetry came. */
    public Result onTimer(ConnectivityState s, String tenant, String deviceId, long now) {
        Result r = null;
        if (!s.offlineOpen && now >= offlineDeadline(s)) {
            s.offlineOpen = true;
            r = Result.add(r, Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.OPEN, tenant, deviceId, now,
                            "no telemetry for " + (now - s.lastSeen) / 1000 + " s")
                    .with("lastSeen", s.lastSeen)
                    .with("expectedIntervalSeconds", Math.round(s.expectedIntervalMs / 1000))
                    .with("model", s.model).with("region", s.region).with("broker", s.brokerId));
            if (s.reachable) {
                s.reachable = false;
                r = Result.add(r, change(s, tenant, deviceId, false, now, "offline-timeout"));
            }
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
        switch (e.type()) {
            case CONNECT -> {
                String broker = e.brokerId();
                if (s.connected && (differs(address, s.connectedAddress) || differs(broker, s.connectedBroker))) {
                    // A second live connection from elsewhere: another source address, or another broker (brokers
                    // behind a load balancer share nothing, so a second session on another broker takes nothing
                    // over and both stay live; the address may even be the same one, e.g. the balancer's or a NAT's).
                    // One overlap can be a device roaming or failing over before the old broker noticed the old
                    // link died; identity.count (2) of them within identity.window is two holders.
                    s.overlaps = BurstWindow.orNew(s.overlaps);
                    Transition tr = s.overlaps.record(ts, cfg.identityCount, cfg.identityWindowMs);
                    if (tr != Transition.NONE) {
                        Finding f = Finding.device(RuleCatalogue.IDENTITY_TWO_ADDRESSES.id(), Action.OPEN, tenant, deviceId, ts,
                                        "live from " + where(s.connectedAddress, s.connectedBroker) + " and " + where(address, broker))
                                .with("addressA", s.connectedAddress).with("addressB", address)
                                .with("overlaps", s.overlaps.eventsSinceOpen);
                        if (differs(broker, s.connectedBroker)) {
                            f.with("brokerA", s.connectedBroker).with("brokerB", broker);
                        }
                        r = Result.add(r, f);
                    }
                }
                boolean reconnect = s.disconnected;
                s.disconnected = false;
                s.previousAddress = s.connectedAddress;
                s.connected = true;
                s.connectedAddress = address;
                s.connectedBroker = broker;
                if (s.plannedAwaySince != Long.MIN_VALUE && ts >= s.plannedAwaySince) {
                    // Back from a planned absence but not reporting yet: its silence counts from this CONNECT.
                    s.plannedAwaySince = Long.MIN_VALUE;
                    s.rearmedAt = Math.max(s.rearmedAt, ts);
                }
                if (!s.reachable && !stale) {
                    s.reachable = true;
                    r = Result.add(r, change(s, tenant, deviceId, true, ts, "connected"));
                } else if (reconnect && !stale) {
                    r = Result.add(r, new ConnectivityChange(tenant, deviceId, s.model, s.region, s.brokerId, true, ts,
                            ConnectivityChange.RECONNECTED));
                }
            }
            case DISCONNECT -> {
                // A disconnect from the broker the device left (its session moved to another broker) is the old
                // connection's end, not the current one's.
                boolean sameConnection = (address == null || address.equals(s.connectedAddress))
                        && !differs(e.brokerId(), s.connectedBroker);
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
                if (sameConnection && !stale) {
                    s.connected = false;
                    s.disconnected = true;
                    boolean unplanned = !SecurityEventReasons.CLIENT_DISCONNECT.equals(e.reason());
                    if (unplanned && s.reachable) {
                        s.reachable = false;
                        r = Result.add(r, change(s, tenant, deviceId, false, ts, e.reason()));
                    }
                    if (!unplanned && !s.offlineOpen && s.lastSeen != Long.MIN_VALUE) {
                        // The device said goodbye (a reboot into an update, a retirement): no offline deadline until
                        // it connects or reports again. An already open RES-OFF-001 stays open until it reports.
                        // Whether it was silent past its deadline before saying goodbye is decided in offlineDeadline:
                        // the security stream may be read ahead of the device's reports, so its report history is not
                        // complete yet.
                        s.plannedAwaySince = ts;
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
        if (online && !s.seenBefore) {
            s.seenBefore = true;
            reason = ConnectivityChange.FIRST_SEEN;
        }
        return new ConnectivityChange(tenant, deviceId, s.model, s.region, s.brokerId, online, ts, reason);
    }
}
