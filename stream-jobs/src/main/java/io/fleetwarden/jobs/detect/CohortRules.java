package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.math3.special.Gamma;

import io.fleetwarden.jobs.alerts.AlertIds;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * Cohort rules: RES-COH-001 (many devices of one model, region or broker dropped together: one
 * incident, with each member's RES-OFF-001 alert folded into it) and RES-STORM-001 (a disorderly
 * reconnect storm). Time is the changes' event time or the timer time the caller passes.
 *
 * <p>An outage opens the incident by either of two tests: the cohort's FRACTION ({@code cohort.minDevices} and
 * {@code cohort.fraction} of it dropped within {@code cohort.window}), or SIGNIFICANCE: at least
 * {@code cohort.minDevices} devices of a REGION cohort ({@link #SIGNIFICANCE_DIMENSION}) lost their connection
 * (connection lost, not a goodbye or a broker's drain) within the window and are still down, where the cohort's own background rate of connection losses makes that many at once
 * less likely than {@code cohort.significance} (Poisson tail). The background rate is learnt per cohort from closed
 * hours of event time (EWMA, each hour clipped at twice the rate plus the floor, hours with an incident skipped), never
 * below {@link #BACKGROUND_FLOOR_PER_DEVICE_HOUR}, and the test waits for {@link #BACKGROUND_MIN_HOURS} of it. So a
 * large cohort does not need 30 % of its devices down before an outage of a few dozen counts, and a cohort whose
 * devices drop all the time needs correspondingly more.
 *
 * <p>An open incident takes in every later drop of its cohort (folded into it), but it resolves when
 * {@code cohort.resolveFraction} of the devices that dropped in its onset (within {@code cohort.window} of its opening)
 * are back, or of all its members, whichever comes first: devices that drop later (a retired device, an unrelated
 * failure) cannot hold it open for hours and hide the next outage of the same cohort inside it.
 *
 * <p>Orderliness of a return is {@code mean reconnects per second / peak reconnects per second} over
 * the storm window: 1 when devices came back evenly spread (as guideline 9 asks, e.g. with jittered
 * back-off), about {@code 1 / window seconds} when they all came back in the same second.
 */
public final class CohortRules implements FleetRule<ConnectivityChange, CohortState> {

    private static final long serialVersionUID = 1L;

    /** Most member device ids an incident finding carries ({@link Finding#members}) and a storm remembers. */
    public static final int MEMBERS_KEPT = 4096;

    /**
     * Lowest background rate of connection losses the significance test assumes: one per device per day (a cohort
     * that lost nothing for hours is not taken to never lose anything).
     */
    public static final double BACKGROUND_FLOOR_PER_DEVICE_HOUR = 1.0 / 24;
    /** Closed hours of a cohort's history before the significance test is used (a fresh job has only the fraction). */
    public static final int BACKGROUND_MIN_HOURS = 2;
    /**
     * The dimension the significance test judges: a network outage is local, and it touches every model and broker of
     * the place it hits, so the same losses are significant in all of them at once. Model and broker cohorts keep the
     * fraction test (a model-wide or broker-wide failure takes a large share of them); otherwise one partial regional
     * outage would open a region incident and partial model and broker incidents that do not fold into it.
     */
    public static final String SIGNIFICANCE_DIMENSION = "region";
    /** EWMA weight of one closed hour in the background rate. */
    private static final double BACKGROUND_ALPHA = 0.1;
    private static final long HOUR = 3_600_000L;

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
        rollRateHour(s, ts);
        if (c.online) {
            s.online++;
            s.lost.remove(c.deviceId);
            Long dropped = s.drops.remove(c.deviceId);
            if (s.incidentOpen && dropped != null && dropped >= s.incidentOpenedAt - cfg.cohortWindowMs) {
                s.incidentReturned++;
                if (dropped <= s.incidentOpenedAt + cfg.cohortWindowMs) {
                    s.onsetReturned++;
                }
            }
            if (!ConnectivityChange.FIRST_SEEN.equals(c.reason)) {
                reconnect(out, s, c, ts); // a device joining for the first time is not a RE-connect
            }
            if (s.incidentOpen && (s.incidentReturned >= Math.ceil(cfg.cohortResolveFraction * s.incidentMembers)
                    || s.onsetMembers > 0 && s.onsetReturned >= Math.ceil(cfg.cohortResolveFraction * s.onsetMembers))) {
                out.add(incident(c, Action.CLEAR, ts, s.incidentReturned + " of " + s.incidentMembers + " devices back")
                        .with("members", s.incidentMembers).with("returned", s.incidentReturned)
                        .with("orderliness", BehaviourRules.round(orderliness(s, ts))));
                s.lastIncidentId = s.incidentId;
                s.lastIncidentOpenedAt = s.incidentOpenedAt;
                s.lastIncidentResolvedAt = ts;
                s.incidentOpen = false;
                s.incidentId = null;
                s.drops.clear();
                s.lost.clear();
                s.dropsFloor = Long.MAX_VALUE;
                s.lostFloor = Long.MAX_VALUE;
            }
            return out;
        }
        if (s.drops.containsKey(c.deviceId)) {
            // Already down as far as this cohort knows: a second word on the same absence (e.g. its offline deadline after
            // its lost connection, when the per-device stage saw them apart). One drop, at its first time: counted again it
            // would shrink the cohort twice and, as a later drop, no longer let its return count for the incident's onset.
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
        s.dropsFloor = Math.min(s.dropsFloor, ts);
        if (SecurityEventReasons.CONNECTION_LOST.equals(c.reason)) {
            s.lost.put(c.deviceId, ts);
            s.lostFloor = Math.min(s.lostFloor, ts);
            s.rateHourLost++;
        }
        prune(s, ts);
        int recent = s.drops.size();
        if (!s.incidentOpen) {
            int before = s.online + recent; // reachable at the start of the window, approximately
            boolean byFraction = recent >= cfg.cohortMinDevices && recent >= cfg.cohortFraction * before;
            double expected = expectedLosses(s, before);
            double pValue = byFraction || Double.isNaN(expected) || s.lost.size() < cfg.cohortMinDevices ? Double.NaN
                    : lossTail(s.lost.size(), expected);
            boolean bySignificance = !Double.isNaN(pValue) && pValue < cfg.cohortSignificance
                    && SIGNIFICANCE_DIMENSION.equals(c.cohortDimension);
            if (byFraction || bySignificance) {
                s.incidentOpen = true;
                s.incidentOpenedAt = ts;
                s.incidentMembers = recent;
                s.incidentReturned = 0;
                s.onsetMembers = recent;
                s.onsetReturned = 0;
                s.reportedMembers = recent;
                s.rateHourIncident = true;
                Finding inc = incident(c, Action.OPEN, ts, recent + " of " + before + " devices of " + c.cohortDimension + " "
                        + c.cohortValue + " dropped within " + cfg.cohortWindowMs / 1000 + " s"
                        + (byFraction ? "" : String.format(java.util.Locale.ROOT, " (%d connections lost at once, %.2f expected)",
                                s.lost.size(), expected)))
                        .with("members", recent).with("cohortSize", before).with("windowSeconds", cfg.cohortWindowMs / 1000)
                        .with("test", byFraction ? "fraction" : "significance");
                if (bySignificance) {
                    inc.with("connectionsLost", s.lost.size()).with("expectedLosses", BehaviourRules.round(expected))
                            .with("pValue", String.format(java.util.Locale.ROOT, "%.1e", pValue))
                            .with("backgroundPerDeviceHour", String.format(java.util.Locale.ROOT, "%.4f", s.lostPerDeviceHour));
                }
                inc.members = members(s.drops.keySet());
                out.add(inc);
                s.incidentId = AlertIds.of(inc.alertKey(), ts);
                for (String device : s.drops.keySet()) {
                    out.add(fold(s.incidentId, c, device, ts));
                }
            }
        } else {
            s.incidentMembers++;
            if (ts <= s.incidentOpenedAt + cfg.cohortWindowMs) {
                s.onsetMembers++;
            }
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
        s.reconnectFloor = expire(s.reconnectDevices, s.reconnectFloor, horizon);
        if (s.reconnectDevices.size() < MEMBERS_KEPT || s.reconnectDevices.containsKey(c.deviceId)) {
            s.reconnectDevices.put(c.deviceId, ts);
            s.reconnectFloor = Math.min(s.reconnectFloor, ts);
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

    /**
     * Removes the entries at or before {@code horizon} and returns the new floor: a lower bound of the times left
     * ({@code MAX_VALUE} when none). Walks the map only when {@code floor} says an entry may be that old, so a cohort
     * pays per change for what expires, not for everything it holds (a 64,000-device regional outage walked every drop's
     * map on every drop: 27-30 s of CPU, quadratic in the outage's size).
     */
    static long expire(Map<String, Long> times, long floor, long horizon) {
        if (times.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (horizon < floor) {
            return floor;
        }
        long min = Long.MAX_VALUE;
        for (java.util.Iterator<Long> it = times.values().iterator(); it.hasNext(); ) {
            long t = it.next();
            if (t <= horizon) {
                it.remove();
            } else if (t < min) {
                min = t;
            }
        }
        return min;
    }

    /** Drops outside the window are forgotten unless they belong to the open incident. */
    private void prune(CohortState s, long now) {
        long horizon = now - cfg.cohortWindowMs;
        if (!s.incidentOpen) {
            // <= so that the timer set at oldest + window removes the oldest drop (and never re-fires at the same time).
            s.dropsFloor = expire(s.drops, s.dropsFloor, horizon);
            // Read only while no incident is open (the significance test); an incident's resolution clears it.
            s.lostFloor = expire(s.lost, s.lostFloor, horizon);
        }
    }

    /**
     * Connection losses the cohort's background rate predicts within one window for {@code devices} reachable devices,
     * or NaN while the rate has fewer than {@link #BACKGROUND_MIN_HOURS} closed hours behind it.
     */
    double expectedLosses(CohortState s, int devices) {
        if (s.rateHours < BACKGROUND_MIN_HOURS) {
            return Double.NaN;
        }
        double rate = Math.max(s.lostPerDeviceHour, BACKGROUND_FLOOR_PER_DEVICE_HOUR);
        return rate * Math.max(1, devices) * cfg.cohortWindowMs / (double) HOUR;
    }

    /**
     * P(N >= n) for N Poisson with mean {@code expected}: the regularized lower incomplete gamma function P(n, mean)
     * (Apache Commons Math), accurate far into the tail where 1 - CDF would round to 0.
     */
    static double lossTail(int n, double expected) {
        if (n <= 0) {
            return 1.0;
        }
        return Gamma.regularizedGammaP(n, expected);
    }

    /**
     * Closes the counting hour(s) before {@code ts}: each closed hour without an incident teaches the background rate
     * (losses per device-hour; the first {@link #BACKGROUND_MIN_HOURS} seed it with their highest, later ones are clipped at
     * twice the rate plus the floor, so a burst that stayed under the thresholds, or a flapping device, raises it only
     * slowly). Out-of-order changes of an earlier hour count in the current one.
     */
    private void rollRateHour(CohortState s, long ts) {
        long hour = Math.floorDiv(ts, HOUR) * HOUR;
        if (s.rateHourStart == Long.MIN_VALUE) {
            s.rateHourStart = hour;
            return;
        }
        if (hour <= s.rateHourStart) {
            return;
        }
        long steps = Math.min((hour - s.rateHourStart) / HOUR, 24);
        for (long k = 0; k < steps; k++) {
            if (!s.rateHourIncident && !s.incidentOpen) {
                double sample = s.rateHourLost / (double) Math.max(1, s.online + s.drops.size());
                if (s.rateHours < BACKGROUND_MIN_HOURS) {
                    // the first hours seed it with the highest they saw (unclipped: a cohort that drops often is judged by that)
                    s.lostPerDeviceHour = Math.max(s.lostPerDeviceHour, sample);
                } else {
                    double clipped = Math.min(sample, 2 * s.lostPerDeviceHour + BACKGROUND_FLOOR_PER_DEVICE_HOUR);
                    s.lostPerDeviceHour += BACKGROUND_ALPHA * (clipped - s.lostPerDeviceHour);
                }
                s.rateHours = Math.min(s.rateHours + 1, 1_000_000);
            }
            s.rateHourLost = 0;
            s.rateHourIncident = s.incidentOpen;
        }
        s.rateHourStart = hour;
    }

    /** Ends a storm once the window has passed quietly, and prunes. */
    public List<Finding> onTimer(CohortState s, String tenant, String dimension, String value, long now) {
        List<Finding> out = new ArrayList<>();
        prune(s, now);
        s.reconnects.headMap(Math.floorDiv(now - cfg.stormWindowMs, 1000), true).clear();
        long horizon = now - cfg.stormWindowMs;
        s.reconnectFloor = expire(s.reconnectDevices, s.reconnectFloor, horizon);
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
            // The floor may be below the oldest drop (a member returned): the timer then fires early, prunes, and the floor
            // is exact again; pruning at that time removes nothing the exact timer would not have.
            if (s.dropsFloor == Long.MIN_VALUE) {
                s.dropsFloor = expire(s.drops, Long.MIN_VALUE, Long.MIN_VALUE);
            }
            long oldest = s.dropsFloor;
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
                && s.reconnectDevices.isEmpty() && s.lost.isEmpty();
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
