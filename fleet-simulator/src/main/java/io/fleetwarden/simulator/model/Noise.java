package io.fleetwarden.simulator.model;

/**
 * Deterministic pseudo-random numbers addressed by coordinates instead of drawn from a stream. A
 * reading depends only on (seed, device, report number, channel), so any report can be recomputed
 * in isolation and two runs with one seed produce the same telemetry whatever the thread timing.
 */
public final class Noise {

    private Noise() {
    }

    /** A well-mixed 64-bit value for the given coordinates (SplitMix64 finaliser). */
    public static long mix(long seed, long a, long b, long c) {
        long z = seed;
        z = fmix(z ^ (a * 0x9E3779B97F4A7C15L));
        z = fmix(z ^ (b * 0xC2B2AE3D27D4EB4FL));
        z = fmix(z ^ (c * 0x165667B19E3779F9L));
        return z;
    }

    /** A double uniformly in [0, 1) for the given coordinates. */
    public static double unit(long seed, long a, long b, long c) {
        return (mix(seed, a, b, c) >>> 11) * 0x1.0p-53;
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
