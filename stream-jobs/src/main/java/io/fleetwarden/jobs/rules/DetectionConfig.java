package io.fleetwarden.jobs.rules;

import java.io.Serializable;
import java.time.Duration;

import io.fleetwarden.model.Durations;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.fleetwarden.model.Durations;
import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.model.rules.Threshold;

/**
 * Every detection threshold, with defaults chosen for consumer devices reporting every 10-60 s. The keys,
 * kinds and defaults come from the event-model rule catalogue ({@link RuleCatalog}, one source); a key
 * read here that the catalogue lacks, or one of a different kind, fails at class loading, and a test
 * fails when the catalogue has a key this class does not read.
 * Immutable and serialisable so that Flink ships one copy to every task.
 *
 * <p>{@link #fromMap(Map)} reads overrides keyed as documented in the module README
 * ({@code auth.identity.count}, {@code offline.factor}, ...); an unknown key or a bad value is
 * refused with a message naming the key, so a typo never silently leaves a default in place.
 */
public final class DetectionConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    public final int authIdentityCount;
    public final long authIdentityWindowMs;
    public final int authAddressCount;
    public final long authAddressWindowMs;
    /**
     * CMP-AUTH-001/002's long horizon: the same failures spread out in time (slow password guessing, one attempt every
     * few minutes, which never fills the short window) open the same rule when this many fall within the horizon.
     */
    public final int authIdentitySlowCount;
    public final long authIdentitySlowWindowMs;
    public final int authAddressSlowCount;
    public final long authAddressSlowWindowMs;
    public final int defaultCredentialCount;
    public final int revokedCount;
    public final long singleShotWindowMs;
    /** CMP-IDENT-001: overlapping connections from another address (the first can be roaming) within the window. */
    public final int identityCount;
    public final long identityWindowMs;
    /**
     * CMP-IDENT-001: an overlap whose old session ends within this (event time) after the new session's CONNECT, and
     * which neither returns to a place just left nor leaves the old session reporting, is a hand-over (a device moving,
     * a broker drained or restarted) and does not count.
     */
    public final long identityHandoverMs;
    public final int pingPongCount;
    public final long pingPongWindowMs;
    public final int probingCount;
    public final long probingWindowMs;
    public final int validationCount;
    public final long validationWindowMs;
    /** CMP-CLOCK-001: the broker's clock-skew reports of one device (at most one per report interval) within the window. */
    public final int clockSkewCount;
    public final long clockSkewWindowMs;
    /** Quiet time after the last qualifying event before a burst alert resolves itself. */
    public final long burstQuietMs;

    public final double rateK;
    /**
     * Robust deviations for CMP-NET-004 (outbound traffic). Higher than {@link #rateK}: a camera's
     * legitimate streaming session or evening peak is 2-3x its own level, so with the 25 % relative
     * floor of the scale 12 deviations means at least 4x the learnt level (a botnet's flood is 30x).
     */
    public final double trafficK;
    /**
     * CMP-NET-004's slow horizon (a sequential test, CUSUM): the device's hourly outbound rate over its model's same-hour
     * peer median (same region) against its own usual ratio; the hourly excess beyond {@link #trafficPeerExcess} (or the
     * device's noise, if larger) accumulates, and an accumulated excess of this ratio (or the noise's, if larger) opens.
     * Judged once the hour's peer figures are final ({@link #trafficPeerGraceMs}) and the hour has at least
     * {@code traffic.peerDevices} other devices.
     */
    public final double trafficPeerRatio;
    /** The hourly excess ratio over the device's usual ratio to its peers that counts at all (the CUSUM's allowance). */
    public final double trafficPeerExcess;
    /** How long after an hour ends its devices' votes still count; the hour is judged once the watermark passes it. */
    public final long trafficPeerGraceMs;
    public final int trafficPeerDevices;
    public final int baselineMinSamples;
    public final double baselineAlpha;
    /** CMP-RATE-002: robust deviations of the model's log traffic ({@code log(bytes/s + peer.trafficFloor)}). */
    public final double peerK;
    public final int peerMinSamples;
    /**
     * CMP-RATE-002: bytes/s added before the logarithm, so a model whose devices send next to nothing is not judged by
     * ratios of near-zero values; a model sending hundreds of bytes/s or more barely feels it.
     */
    public final double peerTrafficFloor;
    /** CMP-RATE-002: event time a flagged device's reports must stay under half the threshold before it clears. */
    public final long peerClearAfterMs;
    public final long peerPortLearningMs;
    /** CMP-NET-002: distinct devices of a model (at most 10 % of it, at least 2) listening on a port that make it a model service. */
    public final int peerPortRollout;
    /** CMP-RATE-003: robust deviations above the model's messages per minute for a device without its own baseline. */
    public final double firstHourK;
    /** CMP-RATE-003: device-minutes per model before the model is a prior. */
    public final int firstHourMinSamples;
    /** CMP-RES-001: robust deviations of CPU or memory above the own and the model baseline. */
    public final double resourcesK;
    /** CMP-RES-001: consecutive anomalous reports before it opens (a single spike is not abuse). */
    public final int resourcesSustained;
    public final int minConnections;
    public final int destinationsCount;
    public final long destinationsWindowMs;
    /**
     * CMP-NET-005's long horizon (a scan spread over hours, e.g. one new destination a minute): new destinations
     * within {@link #destinationsSlowWindowMs} (whole hours, at most 24), at least {@link #destinationsSlowCount} and
     * at least {@link #destinationsSlowFactor} times the device's own normal rate over the horizon.
     */
    public final int destinationsSlowCount;
    public final long destinationsSlowWindowMs;
    public final double destinationsSlowFactor;
    public final Set<Integer> riskyPorts;

    public final double offlineFactor;
    public final long offlineMinMs;
    /**
     * RES-OFF-001: a planned absence (the device's own clean DISCONNECT) longer than this becomes RES-OFF-001 at LOW
     * severity: a device that said goodbye and never came back still surfaces for operations.
     */
    public final long offlinePlannedMaxMs;
    public final int flappingCount;
    public final long flappingWindowMs;
    public final int cohortMinDevices;
    public final double cohortFraction;
    public final long cohortWindowMs;
    public final double cohortResolveFraction;
    /**
     * RES-COH-001's second test: this many connection losses at once (at least {@code cohort.minDevices}) are an outage
     * when the cohort's background rate makes them less likely than this (Poisson tail), whatever fraction they are.
     */
    public final double cohortSignificance;
    public final int stormCount;
    public final long stormWindowMs;
    public final double stormOrderliness;
    /**
     * RES-STORM-001 / RES-COH-001: a device's first CONNECT within this after its broker drained it (planned
     * maintenance, announced by the broker per session) is a planned return, not a reconnect of a storm.
     */
    public final long drainReconnectMs;
    /** RES-BOOT-001: boots within the window. */
    public final int bootCount;
    public final long bootWindowMs;

    public final long firmwareGraceMs;
    public final int updateFailureCount;
    public final long updateFailureWindowMs;
    public final long certificateWarnMs;

    /** Keyed state of a device that sends nothing for this long is dropped (state TTL). */
    public final long deviceStateTtlMs;
    /**
     * Event-time interval at which a device whose status facts did not change still gets its status
     * (its {@code lastSeen}) republished on {@code fleet.device-status}. Changes are always published at once.
     */
    public final long statusRefreshMs;

    private DetectionConfig(Map<String, String> o) {
        this(new Reader(o));
    }

    private DetectionConfig(Reader r) {
        authIdentityCount = r.positiveInt("auth.identity.count");
        authIdentityWindowMs = r.duration("auth.identity.window");
        authAddressCount = r.positiveInt("auth.address.count");
        authAddressWindowMs = r.duration("auth.address.window");
        authIdentitySlowCount = r.positiveInt("auth.identity.slowCount");
        authIdentitySlowWindowMs = r.duration("auth.identity.slowWindow");
        authAddressSlowCount = r.positiveInt("auth.address.slowCount");
        authAddressSlowWindowMs = r.duration("auth.address.slowWindow");
        defaultCredentialCount = r.positiveInt("defaultCredentials.count");
        revokedCount = r.positiveInt("revoked.count");
        singleShotWindowMs = r.duration("singleShot.window");
        identityCount = r.positiveInt("identity.count");
        identityWindowMs = r.duration("identity.window");
        identityHandoverMs = r.duration("identity.handover");
        if (identityHandoverMs > identityWindowMs) {
            throw new IllegalArgumentException("detection config 'identity.handover': must not exceed identity.window ("
                    + identityWindowMs / 1000 + " s), got " + identityHandoverMs / 1000 + " s");
        }
        pingPongCount = r.positiveInt("pingPong.count");
        pingPongWindowMs = r.duration("pingPong.window");
        probingCount = r.positiveInt("probing.count");
        probingWindowMs = r.duration("probing.window");
        validationCount = r.positiveInt("validation.count");
        validationWindowMs = r.duration("validation.window");
        clockSkewCount = r.positiveInt("clockSkew.count");
        clockSkewWindowMs = r.duration("clockSkew.window");
        burstQuietMs = r.duration("burst.quiet");

        rateK = r.positiveDouble("rate.k");
        trafficK = r.positiveDouble("traffic.k");
        trafficPeerRatio = r.positiveDouble("traffic.peerRatio");
        trafficPeerExcess = r.positiveDouble("traffic.peerExcess");
        if (trafficPeerExcess <= 1 || trafficPeerRatio <= 1) {
            throw new IllegalArgumentException("detection config 'traffic.peerExcess' and 'traffic.peerRatio': must be above 1, got "
                    + trafficPeerExcess + " and " + trafficPeerRatio);
        }
        trafficPeerGraceMs = r.duration("traffic.peerGrace");
        if (trafficPeerGraceMs >= 3_600_000L) {
            throw new IllegalArgumentException("detection config 'traffic.peerGrace': must be under an hour, got " + trafficPeerGraceMs / 1000 + " s");
        }
        trafficPeerDevices = r.positiveInt("traffic.peerDevices");
        baselineMinSamples = r.positiveInt("baseline.minSamples");
        baselineAlpha = r.fraction("baseline.alpha");
        peerK = r.positiveDouble("peer.k");
        peerMinSamples = r.positiveInt("peer.minSamples");
        peerTrafficFloor = r.positiveDouble("peer.trafficFloor");
        peerClearAfterMs = r.duration("peer.clearAfter");
        peerPortLearningMs = r.duration("peer.portLearning");
        peerPortRollout = r.positiveInt("peer.portRollout");
        firstHourK = r.positiveDouble("firstHour.k");
        firstHourMinSamples = r.positiveInt("firstHour.minSamples");
        resourcesK = r.positiveDouble("resources.k");
        resourcesSustained = r.positiveInt("resources.sustained");
        minConnections = r.positiveInt("net.minConnections");
        destinationsCount = r.positiveInt("destinations.count");
        destinationsWindowMs = r.duration("destinations.window");
        destinationsSlowCount = r.positiveInt("destinations.slowCount");
        destinationsSlowWindowMs = r.duration("destinations.slowWindow");
        destinationsSlowFactor = r.positiveDouble("destinations.slowFactor");
        riskyPorts = r.ports("ports.risky");

        offlineFactor = r.positiveDouble("offline.factor");
        offlineMinMs = r.duration("offline.min");
        offlinePlannedMaxMs = r.duration("offline.plannedMax");
        flappingCount = r.positiveInt("flapping.count");
        flappingWindowMs = r.duration("flapping.window");
        cohortMinDevices = r.positiveInt("cohort.minDevices");
        cohortFraction = r.fraction("cohort.fraction");
        cohortWindowMs = r.duration("cohort.window");
        cohortResolveFraction = r.fraction("cohort.resolveFraction");
        cohortSignificance = r.fraction("cohort.significance");
        stormCount = r.positiveInt("storm.count");
        stormWindowMs = r.duration("storm.window");
        stormOrderliness = r.fraction("storm.orderliness");
        drainReconnectMs = r.duration("drain.reconnect");
        bootCount = r.positiveInt("boots.count");
        bootWindowMs = r.duration("boots.window");

        firmwareGraceMs = r.duration("firmware.grace");
        updateFailureCount = r.positiveInt("update.count");
        updateFailureWindowMs = r.duration("update.window");
        certificateWarnMs = r.duration("certificate.warn");
        deviceStateTtlMs = r.duration("state.ttl");
        statusRefreshMs = r.duration("status.refresh");
        if (offlinePlannedMaxMs >= deviceStateTtlMs) {
            // the silent device's state (and its planned absence) would be dropped before the deadline
            throw new IllegalArgumentException("detection config 'offline.plannedMax': must be shorter than state.ttl ("
                    + deviceStateTtlMs / 1000 + " s), got " + offlinePlannedMaxMs / 1000 + " s");
        }
        r.rejectUnknown();
    }

    /** Every key this class reads (for the test that checks them against the catalogue). */
    public static Set<String> keys() {
        Reader r = new Reader(Map.of());
        new DetectionConfig(r);
        return Set.copyOf(r.known);
    }

    /** The defaults. */
    public static DetectionConfig defaults() {
        return new DetectionConfig(Map.of());
    }

    /**
     * Defaults overridden by {@code overrides}. Durations are ISO-8601 ({@code PT90S}) or a number
     * with a unit suffix ({@code 90s}, {@code 10m}, {@code 6h}, {@code 30d}, {@code 500ms}).
     *
     * @throws IllegalArgumentException naming the key of the first unknown or invalid entry
     */
    public static DetectionConfig fromMap(Map<String, String> overrides) {
        return new DetectionConfig(Map.copyOf(overrides));
    }

    /** Reads typed values and remembers which keys were consumed. */
    private static final class Reader {
        private final Map<String, String> values;
        private final Set<String> known = new TreeSet<>();

        Reader(Map<String, String> values) {
            this.values = values;
        }

        /** The value of {@code key}: the override if given, else the catalogue's default; both parsed alike. */
        private <T> T get(String key, Threshold.Type type, Function<String, T> parse, String expected) {
            Threshold t = RuleCatalog.standard().threshold(key);
            if (t.type() != type) {
                throw new IllegalStateException("detection config '" + key + "' is read as " + type + ", the catalogue says " + t.type());
            }
            known.add(key);
            String raw = values.getOrDefault(key, t.defaultValue());
            try {
                return parse.apply(raw.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("detection config '" + key + "': expected " + expected + ", got '" + raw + "'", e);
            }
        }

        int positiveInt(String key) {
            return get(key, Threshold.Type.COUNT, s -> {
                int v = Integer.parseInt(s);
                if (v < 1) {
                    throw new IllegalArgumentException("not positive");
                }
                return v;
            }, "a positive integer");
        }

        double positiveDouble(String key) {
            return get(key, Threshold.Type.NUMBER, s -> {
                double v = Double.parseDouble(s);
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("not positive");
                }
                return v;
            }, "a positive number");
        }

        double fraction(String key) {
            return get(key, Threshold.Type.FRACTION, s -> {
                double v = Double.parseDouble(s);
                if (!(v > 0 && v <= 1)) {
                    throw new IllegalArgumentException("not in (0,1]");
                }
                return v;
            }, "a number in (0,1]");
        }

        long duration(String key) {
            return get(key, Threshold.Type.DURATION, Reader::parseDuration, "a positive duration such as 90s, 10m, 6h, 30d or PT90S")
                    .toMillis();
        }

        Set<Integer> ports(String key) {
            return get(key, Threshold.Type.PORTS, s -> {
                Set<Integer> ports = new TreeSet<>();
                for (String p : s.split(",")) {
                    int port = Integer.parseInt(p.trim());
                    if (port < 1 || port > 65535) {
                        throw new IllegalArgumentException("port out of range");
                    }
                    ports.add(port);
                }
                return Set.copyOf(ports);
            }, "a comma-separated list of ports 1-65535");
        }

        void rejectUnknown() {
            for (String key : values.keySet()) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("detection config: unknown key '" + key + "'; known keys: " + known);
                }
            }
        }

        /** The one duration syntax of every Fleetwarden configuration (event-model {@link Durations}), positive. */
        static Duration parseDuration(String s) {
            return Durations.parsePositive(s);
        }
    }
}
