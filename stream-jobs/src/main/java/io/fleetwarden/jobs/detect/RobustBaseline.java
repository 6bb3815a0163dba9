package io.fleetwarden.jobs.detect;

import java.util.Arrays;

/**
 * An adaptive, outlier-resistant baseline of one quantity: an exponentially weighted estimate of
 * its median and of its median absolute deviation (MAD).
 *
 * <p>The first {@link #SEED} samples are kept and seed the estimate with their exact median and MAD.
 * After that each sample moves the centre by {@code alpha} times its residual and the MAD towards
 * the absolute residual, both clipped at three scales (a Huber step), so one huge value cannot drag
 * the baseline and an attacker cannot teach it quickly. Callers skip {@link #update} for samples
 * they flag as anomalous. With {@code alpha = 0.05} the estimate follows a genuine change of level
 * within about 60 samples, i.e. within an hour for a device reporting every minute; detection starts
 * after {@code minSamples}. Serialised size: about 70 bytes.
 */
public class RobustBaseline {

    /** Samples used to seed the estimate exactly. */
    public static final int SEED = 5;

    public int samples;
    public double center;
    public double mad;
    public double[] seed = new double[0];

    public RobustBaseline() {
    }

    public boolean ready(int minSamples) {
        return samples >= minSamples;
    }

    /**
     * The spread used for scoring: 1.4826 MAD (the standard deviation for normal data), but never
     * below {@code relativeFloor * |center|} nor {@code absoluteFloor}, so a perfectly regular device
     * (MAD 0) is not flagged for a tiny wobble.
     */
    public double scale(double relativeFloor, double absoluteFloor) {
        return Math.max(1.4826 * mad, Math.max(relativeFloor * Math.abs(center), absoluteFloor));
    }

    /** Robust z-score of {@code x}: positive when above the baseline. */
    public double score(double x, double relativeFloor, double absoluteFloor) {
        return (x - center) / scale(relativeFloor, absoluteFloor);
    }

    /** Feeds one sample into the estimate. */
    public void update(double x, double alpha) {
        samples++;
        if (samples <= SEED) {
            seed = Arrays.copyOf(seed, seed.length + 1);
            seed[seed.length - 1] = x;
            center = median(seed.clone());
            double[] dev = new double[seed.length];
            for (int i = 0; i < seed.length; i++) {
                dev[i] = Math.abs(seed[i] - center);
            }
            mad = median(dev);
            if (samples == SEED) {
                seed = new double[0]; // no longer needed: keep state small
            }
            return;
        }
        double clip = 3 * Math.max(1.4826 * mad, 1e-9 + 0.01 * Math.abs(center));
        double r = x - center;
        double clipped = Math.max(-clip, Math.min(clip, r));
        center += alpha * clipped;
        mad += alpha * (Math.abs(clipped) - mad);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
