package io.fleetwarden.jobs.bench;

import java.util.Locale;

import io.fleetwarden.jobs.detect.CohortRules;
import io.fleetwarden.jobs.detect.CohortState;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * How the cohort rules' cost per change grows with the size of a regional outage (a main class, not a test): one
 * region's devices all lose their connection within a minute (one incident), then all come back within a minute,
 * through {@link CohortRules} alone, for outages of 2,000 to 128,000 devices. Prints CPU microseconds per change and
 * each size's cost per change relative to the smallest outage's, measured in the same run: about 1 when the cost per
 * change does not depend on the outage's size; before the pruning floors (2026-12-06) a 64,000-device outage cost
 * ~28 s, ~200x the 2,000-device cost per change.
 *
 * <p>With the argument {@code serialized}, every change first writes and reads the cohort's state through Flink's serializer
 * of the state class, as a serialising backend (RocksDB) does for a value state, for outages of 1,000 to 16,000 devices: the
 * cost of keeping an open incident's members in one value.
 *
 * <p>Run: {@code ./mvnw -pl stream-jobs -Pbench verify -DskipTests -Dbench.main=io.fleetwarden.jobs.bench.CohortOutageBenchmark -Dbench.args=}
 */
public final class CohortOutageBenchmark {

    private static final long T0 = 1_800_000_000_000L;

    private CohortOutageBenchmark() {
    }

    public static void main(String[] args) throws java.io.IOException {
        CohortRules rules = new CohortRules(DetectionConfig.defaults());
        // "serialized": every change also reads and writes the cohort's state through Flink's serializer of the state class,
        // as a serialising backend (RocksDB, the production default) does for a value state: the cost of the whole value.
        serializer = args.length > 0 && args[0].equals("serialized")
                ? org.apache.flink.api.common.typeinfo.TypeInformation.of(CohortState.class)
                        .createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl())
                : null;
        int[] sizes = serializer != null ? new int[] {1_000, 2_000, 4_000, 8_000, 16_000} : new int[] {2_000, 8_000, 32_000, 128_000};
        for (int warm = 0; warm < 3; warm++) {
            outage(rules, serializer != null ? 1_000 : 8_000);
        }
        int reps = serializer != null ? 1 : 3; // serialised, a 16,000-device outage takes about a minute
        double[] base = null;
        for (int n : sizes) {
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
            for (int rep = 0; rep < reps; rep++) {
                double[] r = outage(rules, n);
                best[0] = Math.min(best[0], r[0]);
                best[1] = Math.min(best[1], r[1]);
            }
            if (base == null) {
                base = best;
            }
            System.out.printf(Locale.ROOT, "outage of %,7d devices: %7.2f us per drop, %7.2f us per return (x%.2f and x%.2f the %,d-device outage's)%s%n",
                    n, best[0], best[1], best[0] / base[0], best[1] / base[1], sizes[0],
                    serializer == null ? "" : String.format(Locale.ROOT, "; %.1f s of CPU for its drops and returns", (best[0] + best[1]) * n / 1e6));
        }
    }

    /** Flink's serializer of {@link CohortState} in the "serialized" mode, else null. */
    private static org.apache.flink.api.common.typeutils.TypeSerializer<CohortState> serializer;
    private static final org.apache.flink.core.memory.DataOutputSerializer OUT = new org.apache.flink.core.memory.DataOutputSerializer(1 << 16);

    /** The state as a serialising backend hands it to the next change: written, then read back ("serialized" mode). */
    private static CohortState stored(CohortState s) throws java.io.IOException {
        if (serializer == null) {
            return s;
        }
        OUT.clear();
        serializer.serialize(s, OUT);
        return serializer.deserialize(new org.apache.flink.core.memory.DataInputDeserializer(OUT.getSharedBuffer(), 0, OUT.length()));
    }

    /** Microseconds (thread CPU) per drop and per return, best of the phase. */
    private static double[] outage(CohortRules rules, int devices) throws java.io.IOException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        CohortState s = new CohortState();
        for (int i = 0; i < devices; i++) {
            rules.onChange(s, change("d" + i, true, T0, ConnectivityChange.FIRST_SEEN));
        }
        long start = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < devices; i++) {
            s = stored(s);
            rules.onChange(s, change("d" + i, false, T0 + 600_000 + i * 60_000L / devices, SecurityEventReasons.CONNECTION_LOST));
            rules.nextTimer(s);
        }
        long mid = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < devices; i++) {
            s = stored(s);
            rules.onChange(s, change("d" + i, true, T0 + 1_200_000 + i * 60_000L / devices, "connected"));
            rules.nextTimer(s);
        }
        long end = mx.getCurrentThreadCpuTime();
        if (s.incidentOpen) {
            throw new IllegalStateException("the outage's incident did not resolve");
        }
        return new double[] {(mid - start) / 1e3 / devices, (end - mid) / 1e3 / devices};
    }

    private static ConnectivityChange change(String device, boolean online, long ts, String reason) {
        ConnectivityChange c = new ConnectivityChange("t", device, null, "eu", null, online, ts, reason);
        c.cohortDimension = "region";
        c.cohortValue = "eu";
        return c;
    }
}
