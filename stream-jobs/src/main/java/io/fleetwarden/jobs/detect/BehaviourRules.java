package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.Rule;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * Device-reported behaviour against the device's own history: CMP-RATE-001 (messages per minute),
 * CMP-NET-001 (Telnet listening), CMP-NET-003 (connection spike), CMP-NET-004 (traffic spike),
 * CMP-NET-005 (many new destinations). Time is the telemetry's device time.
 */
public final class BehaviourRules implements DeviceRule<BehaviourState> {

    private static final long serialVersionUID = 1L;

    /** Destinations remembered per device; older ones are forgotten first. */
    public static final int MAX_KNOWN_DESTINATIONS = 32;

    static final int RATE = 1;
    static final int TELNET = 2;
    static final int CONNECTIONS = 4;
    static final int TRAFFIC = 8;
    /** CMP-NET-005 opened by its long horizon (the burst window keeps its own open flag). */
    static final int DESTINATIONS_SLOW = 16;

    private static final long MINUTE = 60_000;
    /**
     * At most this many reports of one device per minute of event time teach its model's per-report baselines (as many
     * as a device reporting every 10 s sends). A model's baseline describes its devices: one device flooding reports
     * (20 a second) would otherwise be most of its samples, pull the model's level to its own and shrink its spread to
     * its own noise, and its genuine peers at another level would then look compromised (or, pulled up, hide a peer).
     */
    public static final int PEER_SAMPLES_PER_MINUTE = 6;
    private static final long HOUR = 3_600_000;
    /** EWMA weight of one closed hour in the device's own rate of new destinations. */
    private static final double DEST_RATE_ALPHA = 0.05;
    /** Floors of the robust scale: 25 % of the level, and an absolute minimum per quantity. */
    private static final double RELATIVE_FLOOR = 0.25;

    private final DetectionConfig cfg;

    public BehaviourRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "behaviour";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.PUBLISH_RATE_OWN.id(), RuleCatalogue.TELNET_PORT.id(), RuleCatalogue.CONNECTION_SPIKE.id(),
                RuleCatalogue.TRAFFIC_SPIKE.id(), RuleCatalogue.NEW_DESTINATIONS.id());
    }

    @Override
    public Class<BehaviourState> stateClass() {
        return BehaviourState.class;
    }

    @Override
    public BehaviourState newState() {
        return new BehaviourState();
    }

    @Override
    public void onReport(BehaviourState s, DeviceReport report, DeviceContext ctx, DeviceOutput out) {
        long bucketBefore = s.bucketStart;
        int countBefore = s.bucketCount;
        // The report against the device's own traffic baseline as it stood before it (CMP-RATE-002: a device busier than
        // its peers all along is its own normal; one as far above its own level as CMP-NET-004 judges a spike is not; a
        // streaming session or an evening peak, 2-3x its own level, is not that far). The absolute floor is the peers'
        // one, so a plug sending a few hundred bytes a second is judged by ratio too.
        boolean trafficOwnKnown = s.traffic.ready(cfg.baselineMinSamples);
        boolean trafficOwnHigh = trafficOwnKnown
                && s.traffic.score(report.bytesOutPerSecond(), RELATIVE_FLOOR, cfg.peerTrafficFloor) >= cfg.trafficK;
        List<Finding> findings = onTelemetry(s, report, ctx.digest());
        PeerObservation o = out.peerObservation();
        if (o != null) {
            o.trafficOwnKnown = trafficOwnKnown;
            o.trafficOwnHigh = trafficOwnHigh;
            // The model-peer stage is the prior of a device without a rate baseline of its own (CMP-RATE-003).
            if (bucketBefore != Long.MIN_VALUE && s.bucketStart != bucketBefore) {
                o.messagesPerMinute = countBefore;
            }
            o.ownRateReady = s.messageRate.ready(cfg.baselineMinSamples);
            long minute = Math.floorDiv(report.deviceTime(), MINUTE) * MINUTE;
            o.teachesPeers = minute == s.bucketStart && s.bucketCount <= PEER_SAMPLES_PER_MINUTE;
        }
        closeHour(s, report, o);
        for (int i = 0, n = findings.size(); i < n; i++) {
            out.finding(findings.get(i));
        }
    }

    /**
     * Adds the report's outbound rate to the device's current hour; a report of a later hour first closes it and puts its
     * mean on the observation (one value per device and hour: the device's one vote among its model's peers). A report
     * of an earlier hour (a clock inside the skew window going back) counts in the current one.
     */
    static void closeHour(BehaviourState s, DeviceReport report, PeerObservation o) {
        long hour = Math.floorDiv(report.deviceTime(), HOUR) * HOUR;
        if (hour > s.hourStart) {
            if (s.hourReports > 0 && o != null) {
                o.hourStart = s.hourStart;
                o.hourBytesOut = s.hourBytesOut / s.hourReports;
            }
            s.hourStart = hour;
            s.hourBytesOut = 0;
            s.hourReports = 0;
        }
        double x = report.bytesOutPerSecond();
        if (Double.isFinite(x) && x >= 0) {
            s.hourBytesOut += x;
            s.hourReports++;
        }
    }

    /**
     * Scores one report. {@code digest} is the job's keyed digest: destinations are remembered as keyed digests,
     * never as their public {@code hashCode()} (a device could choose colliding addresses to hide new ones).
     */
    public List<Finding> onTelemetry(BehaviourState s, DeviceReport t, KeyedDigest digest) {
        List<Finding> out = new ArrayList<>();
        long ts = t.deviceTime();
        String tenant = t.tenant();
        String device = t.deviceId();
        s.reports++;

        // Messages per minute: a bucket is scored when the first message of a later minute arrives.
        long bucket = Math.floorDiv(ts, MINUTE) * MINUTE;
        if (s.bucketStart == Long.MIN_VALUE) {
            s.bucketStart = bucket;
            s.bucketCount = 1;
        } else if (bucket > s.bucketStart) {
            scored(out, s, s.messageRate, s.bucketCount, 2.0, RATE, RuleCatalogue.PUBLISH_RATE_OWN, tenant, device, ts, "messagesPerMinute");
            s.bucketStart = bucket;
            s.bucketCount = 1;
        } else if (bucket == s.bucketStart) {
            s.bucketCount++;
        }

        scored(out, s, s.traffic, t.bytesOutPerSecond(), 1024.0, TRAFFIC, RuleCatalogue.TRAFFIC_SPIKE, tenant, device, ts,
                "bytesOutPerSecond");
        int connections = t.destinations().size();
        scored(out, s, s.connections, connections, 2.0, CONNECTIONS, RuleCatalogue.CONNECTION_SPIKE, tenant, device, ts,
                "connections");

        TreeSet<Integer> risky = null; // allocated only for a device with a risky port
        for (Integer p : t.listeningPorts()) {
            if (cfg.riskyPorts.contains(p)) {
                if (risky == null) {
                    risky = new TreeSet<>();
                }
                risky.add(p);
            }
        }
        if (risky != null) {
            boolean wasOpen = (s.open & TELNET) != 0;
            s.open |= TELNET;
            if (!wasOpen) {
                out.add(Finding.device(RuleCatalogue.TELNET_PORT.id(), Action.OPEN, tenant, device, ts, "listening on " + risky)
                        .with("ports", risky).with("listeningPorts", t.listeningPorts()));
            }
        } else if ((s.open & TELNET) != 0) {
            s.open &= ~TELNET;
            out.add(Finding.device(RuleCatalogue.TELNET_PORT.id(), Action.CLEAR, tenant, device, ts, "port closed")
                    .with("listeningPorts", t.listeningPorts()));
        }

        destinations(out, s, t, ts, digest);
        return out;
    }

    private void destinations(List<Finding> out, BehaviourState s, DeviceReport t, long ts, KeyedDigest digest) {
        boolean learning = s.reports <= cfg.baselineMinSamples;
        if (s.destHorizon != null) {
            rollHours(s, s.destHorizon, ts);
        }
        int fresh = 0;
        String example = null;
        List<String> destinations = t.destinations();
        for (int i = 0, n = destinations.size(); i < n; i++) {
            String address = destinations.get(i);
            long h = digest.of(address);
            if (contains(s.knownDestinations, h)) {
                continue;
            }
            remember(s, h);
            if (!learning) {
                fresh++;
                example = address;
                s.newDestinations = BurstWindow.orNew(s.newDestinations);
                Transition tr = s.newDestinations.record(ts, cfg.destinationsCount, cfg.destinationsWindowMs);
                if (tr != Transition.NONE) {
                    out.add(Finding.device(RuleCatalogue.NEW_DESTINATIONS.id(), Action.OPEN, t.tenant(), t.deviceId(), ts,
                                    s.newDestinations.eventsSinceOpen + " new destinations")
                            .with("newDestinations", s.newDestinations.eventsSinceOpen)
                            .with("windowSeconds", cfg.destinationsWindowMs / 1000)
                            .with("horizon", "burst")
                            .with("example", example));
                }
            }
        }
        DestinationHorizon d = s.destHorizon;
        if (fresh > 0) {
            if (d == null) {
                d = new DestinationHorizon();
                d.hours = new int[hoursInHorizon()];
                d.hourStart = Math.floorDiv(ts, HOUR) * HOUR;
                s.destHorizon = d;
            }
            d.hours[d.hour] += fresh;
        }
        boolean burstOpen = BurstWindow.isOpen(s.newDestinations);
        boolean slowOpen = (s.open & DESTINATIONS_SLOW) != 0;
        if (d != null) {
            int inHorizon = sum(d.hours);
            double threshold = slowThreshold(d);
            if (fresh > 0 && !slowOpen && inHorizon >= threshold) {
                s.open |= DESTINATIONS_SLOW;
                if (!burstOpen) {
                    out.add(Finding.device(RuleCatalogue.NEW_DESTINATIONS.id(), Action.OPEN, t.tenant(), t.deviceId(), ts,
                                    inHorizon + " new destinations within " + d.hours.length + " h")
                            .with("newDestinations", inHorizon)
                            .with("windowSeconds", d.hours.length * HOUR / 1000)
                            .with("horizon", "long")
                            .with("threshold", round(threshold))
                            .with("ownRatePerHour", round(d.rate))
                            .with("example", example));
                }
                slowOpen = true;
            } else if (slowOpen && inHorizon < threshold / 2) {
                // Hysteresis: the horizon has drained to under half the threshold.
                s.open &= ~DESTINATIONS_SLOW;
                slowOpen = false;
                if (!burstOpen) {
                    out.add(Finding.device(RuleCatalogue.NEW_DESTINATIONS.id(), Action.CLEAR, t.tenant(), t.deviceId(), ts,
                            inHorizon + " new destinations within " + d.hours.length + " h"));
                }
            }
        }
        if (fresh == 0 && BurstWindow.quietExpired(s.newDestinations, ts, cfg.burstQuietMs)) {
            s.newDestinations.close();
            if (!slowOpen) {
                out.add(Finding.device(RuleCatalogue.NEW_DESTINATIONS.id(), Action.CLEAR, t.tenant(), t.deviceId(), ts,
                        "no new destinations for " + cfg.burstQuietMs / 1000 + " s"));
            }
        }
    }

    private int hoursInHorizon() {
        return (int) Math.max(1, Math.min(24, cfg.destinationsSlowWindowMs / HOUR));
    }

    /**
     * New destinations the long horizon needs: {@code destinations.slowCount}, or {@code destinations.slowFactor}
     * times what the device's own normal rate would bring over the horizon, whichever is higher (a device whose
     * service legitimately rotates addresses, e.g. a CDN, is judged against its own churn).
     */
    private double slowThreshold(DestinationHorizon d) {
        return Math.max(cfg.destinationsSlowCount, cfg.destinationsSlowFactor * d.rate * d.hours.length);
    }

    /**
     * Moves the hour ring to the hour of {@code ts}: each closed hour teaches the device's own rate (unless the long
     * horizon is open: a scan must not become the normal), clipped at twice the rate plus one so a slow ramp of a
     * scan teaches it only slowly; a reading from an earlier hour counts in the current one.
     */
    private void rollHours(BehaviourState s, DestinationHorizon d, long ts) {
        long hour = Math.floorDiv(ts, HOUR) * HOUR;
        if (hour <= d.hourStart) {
            return;
        }
        long steps = Math.min((hour - d.hourStart) / HOUR, d.hours.length);
        for (long k = 0; k < steps; k++) {
            if ((s.open & DESTINATIONS_SLOW) == 0 && !BurstWindow.isOpen(s.newDestinations)) {
                double closed = Math.min(d.hours[d.hour], 2 * d.rate + 1);
                d.rate += DEST_RATE_ALPHA * (closed - d.rate);
            }
            d.hour = (d.hour + 1) % d.hours.length;
            d.hours[d.hour] = 0;
        }
        d.hourStart = hour;
    }

    private static int sum(int[] v) {
        int n = 0;
        for (int x : v) {
            n += x;
        }
        return n;
    }

    private static boolean contains(long[] arr, long h) {
        for (long v : arr) {
            if (v == h) {
                return true;
            }
        }
        return false;
    }

    private static void remember(BehaviourState s, long h) {
        if (s.knownDestinations.length < MAX_KNOWN_DESTINATIONS) {
            s.knownDestinations = Arrays.copyOf(s.knownDestinations, s.knownDestinations.length + 1);
            s.knownDestinations[s.knownDestinations.length - 1] = h;
        } else {
            s.knownDestinations[s.nextSlot] = h;
            s.nextSlot = (s.nextSlot + 1) % MAX_KNOWN_DESTINATIONS;
        }
    }

    /**
     * Scores {@code x} against the baseline, opens or clears the rule, and learns from {@code x}
     * unless it is anomalous (an attack must not become the new normal). Clearing needs the score
     * back under half the threshold (hysteresis, so a value hovering at the threshold does not flap).
     */
    private void scored(List<Finding> out, BehaviourState s, RobustBaseline b, double x, double absoluteFloor, int bit,
                        Rule rule, String tenant, String device, long ts, String quantity) {
        boolean anomalous = false;
        if (b.ready(cfg.baselineMinSamples)) {
            double score = b.score(x, RELATIVE_FLOOR, absoluteFloor);
            boolean bigEnough = bit != CONNECTIONS || x >= cfg.minConnections;
            double k = bit == TRAFFIC ? cfg.trafficK : cfg.rateK;
            anomalous = score >= k && bigEnough;
            boolean wasOpen = (s.open & bit) != 0;
            if (anomalous && !wasOpen) {
                s.open |= bit;
                out.add(Finding.device(rule.id(), Action.OPEN, tenant, device, ts,
                                String.format("%s %.1f vs baseline %.1f", quantity, x, b.center))
                        .with(quantity, round(x)).with("baseline", round(b.center)).with("robustScore", round(score))
                        .with("threshold", k));
            } else if (wasOpen && score < k / 2) {
                s.open &= ~bit;
                out.add(Finding.device(rule.id(), Action.CLEAR, tenant, device, ts, quantity + " back to baseline")
                        .with(quantity, round(x)).with("baseline", round(b.center)));
            }
        }
        if (!anomalous) {
            b.update(x, cfg.baselineAlpha);
        }
    }

    static String round(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** What the model-peer stage needs from this report. */
    public static PeerObservation observation(DeviceReport t) {
        PeerObservation o = new PeerObservation();
        o.tenant = t.tenant();
        o.model = t.model();
        o.deviceId = t.deviceId();
        o.timestamp = t.deviceTime();
        o.bytesOutPerSecond = t.bytesOutPerSecond();
        o.region = t.region();
        // The report's own list (nothing changes it after decoding; the peer stage only reads it).
        o.listeningPorts = t.listeningPorts();
        o.cpuPercent = t.cpuPercent();
        o.memoryPercent = t.memoryPercent();
        return o;
    }
}
