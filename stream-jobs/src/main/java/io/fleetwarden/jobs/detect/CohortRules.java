package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fleetwarden.jobs.alerts.AlertIds;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * Cohort rules: RES-COH-001 (many devices of one model, region or broker dropped together: one
 * incident, with each member's RES-OFF-001 alert folded into it) and RES-STORM-001 (a disorderly
 * reconnect storm). Time is the changes' event time or the timer time the caller passes.
 *
 * <p>Orderliness of a return is {@code mean reconnects per second / peak reconnects per second} over
 * the storm window: 1 when devices came back evenly spread (as guideline 9 asks, e.g. with jittered
 * back-off), about {@code 1 / window seconds} when they all came back in the same second.
 */
public final class CohortRules implements FleetRule<ConnectivityChange, CohortState> {

    private static final long serialVersionUID = 1L;

    /** Most member device ids an incident finding carries ({@link Finding#members}) and a storm remembers. */
    public static final int MEMBERS_KEPT = 4096;

    private final DetectionConfig cfg;

    public CohortRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "cohort";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.COHORT_OUTAGE.id(), RuleCatalogue.RECONNECT_STORM.id(), RuleCatalogue.DEVICE_OFFLINE.id());
    }

    @Override
    public Class<CohortState> stateClass() {
        return CohortState.class;
    }

    @Override
    public CohortState newState() {
        return new CohortState();
    }

    @Override
    public List<Finding> onInput(CohortState s, String key, ConnectivityChange c) {
        return onChange(s, c);
    }

    @Override
    public long nextDeadline(CohortState s) {
        return nextTimer(s);
    }

    @Override
    public List<Finding> onDeadline(CohortState s, String key, long now) {
        int bar = key.indexOf('|');
        int eq = key.indexOf('=', bar);
        return onTimer(s, key.substring(0, bar), key.substring(bar + 1, eq), key.substring(eq + 1), now);
    }

    public List<Finding> onChange(CohortState s, ConnectivityChange c) {
        List<Finding> out = new ArrayList<>();
        long ts = c.timestamp;
        if (c.online && ConnectivityChange.RECONNECTED.equals(c.reason)) {
            reconnect(out, s, c, ts); // back before it was ever counted offline: a reconnect, online count unchanged
            return out;
        }
        if (c.online) {
            s.online++;
            Long dropped = s.drops.remove(c.deviceId);
            if (s.incidentOpen && dropped != null && dropped >= s.incidentOpenedAt - cfg.cohortWindowMs) {
                s.incidentReturned++;
            }
            if (!ConnectivityChange.FIRST_SEEN.equals(c.reason)) {
                reconnect(out, s, c, ts); // a device joining for the first time is not a RE-connect
            }
            if (s.incidentOpen && s.incidentReturned >= Math.ceil(cfg.cohortResolveFraction * s.incidentMembers)) {
                out.add(incident(c, Action.CLEAR, ts, s.incidentReturned + " of " + s.incidentMembers + " devices back")
                        .with("members", s.incidentMembers).with("returned", s.incidentReturned)
                        .with("orderliness", BehaviourRules.round(orderliness(s, ts))));
                s.lastIncidentId = s.incidentId;
                s.lastIncidentOpenedAt = s.incidentOpenedAt;
                s.lastIncidentResolvedAt = ts;
                s.incidentOpen = false;
                s.incidentId = null;
                s.drops.clear();
            }
            return out;
        }
        s.online = Math.max(0, s.online - 1);
        if (!s.incidentOpen && s.lastIncidentId != null && ts <= s.lastIncidentResolvedAt
                && ts >= s.lastIncidentOpenedAt - cfg.cohortWindowMs) {
            // Dropped while the last incident was open, seen only after it resolved: it belongs to that incident.
            out.add(fold(s.lastIncidentId, c, c.deviceId, ts));
            return out;
        }
        s.drops.put(c.deviceId, ts);
        prune(s, ts);
        int recent = s.drops.size();
        if (!s.incidentOpen) {
            int before = s.online + recent; // reachable at the start of the window, approximately
            if (recent >= cfg.cohortMinDevices && recent >= cfg.cohortFraction * before) {
                s.incidentOpen = true;
                s.incidentOpenedAt = ts;
                s.incidentMembers = recent;
                s.incidentReturned = 0;
                s.reportedMembers = recent;
                Finding inc = incident(c, Action.OPEN, ts, recent + " of " + before + " devices of " + c.cohortDimension + " "
                        + c.cohortValue + " dropped within " + cfg.cohortWindowMs / 1000 + " s")
                        .with("members", recent).with("cohortSize", before).with("windowSeconds", cfg.cohortWindowMs / 1000);
                inc.members = members(s.drops.keySet());
                out.add(inc);
                s.incidentId = AlertIds.of(inc.alertKey(), ts);
                for (String device : s.drops.keySet()) {
                    out.add(fold(s.incidentId, c, device, ts));
                }
            }
        } else {
            s.incidentMembers++;
            out.add(fold(s.incidentId, c, c.deviceId, ts));
            if (s.incidentMembers >= s.reportedMembers * 1.25) { // updates grow geometrically, not per device
                s.reportedMembers = s.incidentMembers;
                out.add(incident(c, Action.OPEN, ts, s.incidentMembers + " devices of " + c.cohortDimension + " "
                        + c.cohortValue + " down").with("members", s.incidentMembers).with("windowSeconds", cfg.cohortWindowMs / 1000));
            }
        }
        return out;
    }

    private void reconnect(List<Finding> out, CohortState s, ConnectivityChange c, long ts) {
        s.reconnects.merge(Math.floorDiv(ts, 1000), 1, Integer::sum);
        s.lastReconnect = Math.max(s.lastReconnect, ts);
        long from = Math.floorDiv(ts - cfg.stormWindowMs, 1000);
        s.reconnects.headMap(from, true).clear();
        long horizon = ts - cfg.stormWindowMs;
        s.reconnectDevices.values().removeIf(t -> t <= horizon);
        if (s.reconnectDevices.size() < MEMBERS_KEPT || s.reconnectDevices.containsKey(c.deviceId)) {
            s.reconnectDevices.put(c.deviceId, ts);
        }
        int total = s.reconnects.values().stream().mapToInt(Integer::intValue).sum();
        if (!s.stormOpen && total >= cfg.stormCount) {
            double orderliness = orderliness(s, ts);
            if (orderliness < cfg.stormOrderliness) {
                s.stormOpen = true;
                int peak = s.reconnects.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                Finding storm = Finding.other(RuleCatalogue.RECONNECT_STORM.id(), Action.OPEN, c.tenant, c.cohortDimension, c.cohortValue, ts,
                                total + " reconnects in " + cfg.stormWindowMs / 1000 + " s, orderliness " + BehaviourRules.round(orderliness))
                        .with("reconnects", total).with("peakPerSecond", peak)
                        .with("orderliness", BehaviourRules.round(orderliness)).with("windowSeconds", cfg.stormWindowMs / 1000);
                storm.members = members(s.reconnectDevices.keySet());
                out.add(storm);
            }
        }
    }

    /** Mean over peak reconnects per second in the window ending at {@code now}; 1 when there were none. */
    double orderliness(CohortState s, long now) {
        int total = 0;
        int peak = 0;
        for (int n : s.reconnects.values()) {
            total += n;
            peak = Math.max(peak, n);
        }
        if (peak == 0) {
            return 1.0;
        }
        double seconds = Math.max(1, cfg.stormWindowMs / 1000);
        return (total / seconds) / peak;
    }

    /** Drops outside the window are forgotten unless they belong to the open incident. */
    private void prune(CohortState s, long now) {
        long horizon = now - cfg.cohortWindowMs;
        if (!s.incidentOpen) {
            // <= so that the timer set at oldest + window removes the oldest drop (and never re-fires at the same time).
            s.drops.values().removeIf(t -> t <= horizon);
        }
    }

    /** Ends a storm once the window has passed quietly, and prunes. */
    public List<Finding> onTimer(CohortState s, String tenant, String dimension, String value, long now) {
        List<Finding> out = new ArrayList<>();
        prune(s, now);
        s.reconnects.headMap(Math.floorDiv(now - cfg.stormWindowMs, 1000), true).clear();
        long horizon = now - cfg.stormWindowMs;
        s.reconnectDevices.values().removeIf(t -> t <= horizon);
        if (s.lastIncidentId != null && now >= s.lastIncidentResolvedAt + cfg.cohortWindowMs) {
            s.lastIncidentId = null;
        }
        if (s.stormOpen && now - s.lastReconnect >= cfg.stormWindowMs) {
            s.stormOpen = false;
            out.add(Finding.other(RuleCatalogue.RECONNECT_STORM.id(), Action.CLEAR, tenant, dimension, value, now, "reconnects settled"));
        }
        return out;
    }

    /** Next time {@link #onTimer} has work, or MAX_VALUE. */
    public long nextTimer(CohortState s) {
        long next = Long.MAX_VALUE;
        if (s.stormOpen || !s.reconnects.isEmpty()) {
            next = Math.max(s.lastReconnect, 0) + cfg.stormWindowMs;
        }
        if (!s.incidentOpen && !s.drops.isEmpty()) {
            long oldest = s.drops.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            next = Math.min(next, oldest + cfg.cohortWindowMs);
        }
        if (s.lastIncidentId != null) {
            next = Math.min(next, s.lastIncidentResolvedAt + cfg.cohortWindowMs);
        }
        return next;
    }

    /** Never: the online count is kept for the cohort's size (bounded by Flink state TTL), as it always was. */
    @Override
    public boolean idle(CohortState s) {
        return false;
    }

    /** Whether nothing worth keeping is left besides the online count. */
    public static boolean onlyOnlineCountLeft(CohortState s) {
        return !s.incidentOpen && !s.stormOpen && s.drops.isEmpty() && s.reconnects.isEmpty() && s.lastIncidentId == null
                && s.reconnectDevices.isEmpty();
    }

    private static Finding incident(ConnectivityChange c, Action action, long ts, String summary) {
        return Finding.other(RuleCatalogue.COHORT_OUTAGE.id(), action, c.tenant, c.cohortDimension, c.cohortValue, ts, summary);
    }

    /** Up to {@link #MEMBERS_KEPT} member ids, sorted (deterministic on replay). */
    private static List<String> members(java.util.Collection<String> devices) {
        return devices.stream().sorted().limit(MEMBERS_KEPT).toList();
    }

    private static Finding fold(String incidentId, ConnectivityChange c, String device, long ts) {
        Finding f = Finding.device(RuleCatalogue.DEVICE_OFFLINE.id(), Action.FOLD, c.tenant, device, ts,
                "part of " + c.cohortDimension + " " + c.cohortValue + " outage");
        f.parentAlertId = incidentId;
        f.with("incident", incidentId).with("cohort", c.cohortDimension + "=" + c.cohortValue);
        return f;
    }

    static Map<String, Long> dropsOf(CohortState s) {
        return s.drops;
    }
}
