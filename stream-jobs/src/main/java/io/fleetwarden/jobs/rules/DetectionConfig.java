package io.fleetwarden.jobs.rules;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every detection threshold, with defaults chosen for consumer devices reporting every 10-60 s.
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
    public final int defaultCredentialCount;
    public final int revokedCount;
    public final long singleShotWindowMs;
    /** CMP-IDENT-001: overlapping connections from another address (the first can be roaming) within the window. */
    public final int identityCount;
    public final long identityWindowMs;
    public final int pingPongCount;
    public final long pingPongWindowMs;
    public final int probingCount;
    public final long probingWindowMs;
    public final int validationCount;
    public final long validationWindowMs;
    /** Quiet time after the last qualifying event before a burst alert resolves itself. */
    public final long burstQuietMs;

    public final double rateK;
    /**
     * Robust deviations for CMP-NET-004 (outbound traffic). Higher than {@link #rateK}: a camera's
     * legitimate streaming session or evening peak is 2-3x its own level, so with the 25 % relative
     * floor of the scale 12 deviations means at least 4x the learnt level (a botnet's flood is 30x).
     */
    public final double trafficK;
    public final int baselineMinSamples;
    public final double baselineAlpha;
    public final double peerK;
    public final int peerMinSamples;
    public final long peerPortLearningMs;
    public final int minConnections;
    public final int destinationsCount;
    public final long destinationsWindowMs;
    public final Set<Integer> riskyPorts;

    public final double offlineFactor;
    public final long offlineMinMs;
    public final int flappingCount;
    public final long flappingWindowMs;
    public final int cohortMinDevices;
    public final double cohortFraction;
    public final long cohortWindowMs;
    public final double cohortResolveFraction;
    public final int stormCount;
    public final long stormWindowMs;
    public final double stormOrderliness;

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
        Reader r = new Reader(o);
        authIdentityCount = r.positiveInt("auth.identity.count", 5);
        authIdentityWindowMs = r.duration("auth.identity.window", Duration.ofSeconds(60));
        authAddressCount = r.positiveInt("auth.address.count", 10);
        authAddressWindowMs = r.duration("auth.address.window", Duration.ofSeconds(60));
        defaultCredentialCount = r.positiveInt("defaultCredentials.count", 1);
        revokedCount = r.positiveInt("revoked.count", 1);
        singleShotWindowMs = r.duration("singleShot.window", Duration.ofHours(1));
        identityCount = r.positiveInt("identity.count", 2);
        identityWindowMs = r.duration("identity.window", Duration.ofMinutes(10));
        pingPongCount = r.positiveInt("pingPong.count", 3);
        pingPongWindowMs = r.duration("pingPong.window", Duration.ofMinutes(10));
        probingCount = r.positiveInt("probing.count", 5);
        probingWindowMs = r.duration("probing.window", Duration.ofMinutes(5));
        validationCount = r.positiveInt("validation.count", 10);
        validationWindowMs = r.duration("validation.window", Duration.ofSeconds(60));
        burstQuietMs = r.duration("burst.quiet", Duration.ofMinutes(15));

        rateK = r.positiveDouble("rate.k", 6.0);
        trafficK = r.positiveDouble("traffic.k", 12.0);
        baselineMinSamples = r.positiveInt("baseline.minSamples", 20);
        baselineAlpha = r.fraction("baseline.alpha", 0.05);
        peerK = r.positiveDouble("peer.k", 8.0);
        peerMinSamples = r.positiveInt("peer.minSamples", 50);
        peerPortLearningMs = r.duration("peer.portLearning", Duration.ofHours(6));
        minConnections = r.positiveInt("net.minConnections", 20);
        destinationsCount = r.positiveInt("destinations.count", 20);
        destinationsWindowMs = r.duration("destinations.window", Duration.ofMinutes(10));
        riskyPorts = r.ports("ports.risky", Set.of(23, 2323));

        offlineFactor = r.positiveDouble("offline.factor", 3.0);
        offlineMinMs = r.duration("offline.min", Duration.ofSeconds(60));
        flappingCount = r.positiveInt("flapping.count", 5);
        flappingWindowMs = r.duration("flapping.window", Duration.ofMinutes(10));
        cohortMinDevices = r.positiveInt("cohort.minDevices", 10);
        cohortFraction = r.fraction("cohort.fraction", 0.3);
        cohortWindowMs = r.duration("cohort.window", Duration.ofMinutes(2));
        cohortResolveFraction = r.fraction("cohort.resolveFraction", 0.8);
        stormCount = r.positiveInt("storm.count", 50);
        stormWindowMs = r.duration("storm.window", Duration.ofSeconds(60));
        stormOrderliness = r.fraction("storm.orderliness", 0.1);

        firmwareGraceMs = r.duration("firmware.grace", Duration.ofDays(30));
        updateFailureCount = r.positiveInt("update.count", 3);
        updateFailureWindowMs = r.duration("update.window", Duration.ofHours(24));
        certificateWarnMs = r.duration("certificate.warn", Duration.ofDays(30));
        deviceStateTtlMs = r.duration("state.ttl", Duration.ofDays(7));
        statusRefreshMs = r.duration("status.refresh", Duration.ofMinutes(5));
        r.rejectUnknown();
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

        private <T> T get(String key, T fallback, Function<String, T> parse, String expected) {
            known.add(key);
            String raw = values.get(key);
            if (raw == null) {
                return fallback;
            }
            try {
                return parse.apply(raw.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("detection config '" + key + "': expected " + expected + ", got '" + raw + "'", e);
            }
        }

        int positiveInt(String key, int fallback) {
            return get(key, fallback, s -> {
                int v = Integer.parseInt(s);
                if (v < 1) {
                    throw new IllegalArgumentException("not positive");
                }
                return v;
            }, "a positive integer");
        }

        double positiveDouble(String key, double fallback) {
            return get(key, fallback, s -> {
                double v = Double.parseDouble(s);
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("not positive");
                }
                return v;
            }, "a positive number");
        }

        double fraction(String key, double fallback) {
            return get(key, fallback, s -> {
                double v = Double.parseDouble(s);
                if (!(v > 0 && v <= 1)) {
                    throw new IllegalArgumentException("not in (0,1]");
                }
                return v;
            }, "a number in (0,1]");
        }

        long duration(String key, Duration fallback) {
            return get(key, fallback, Reader::parseDuration, "a positive duration such as 90s, 10m, 6h, 30d or PT90S")
                    .toMillis();
        }

        Set<Integer> ports(String key, Set<Integer> fallback) {
            return get(key, fallback, s -> {
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

        static Duration parseDuration(String s) {
            Duration d;
            if (s.startsWith("P") || s.startsWith("p")) {
                d = Duration.parse(s);
            } else if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                d = switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new IllegalArgumentException("unknown unit");
                };
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        }
    }
}
