package io.fleetwarden.jobs.detect;

import java.util.Arrays;

/**
 * One model's devices in one region, hour by hour (Flink POJO inside {@link ModelPeerState}): the hourly mean outbound
 * rates of its devices for the current and the previous event-time hour, each as a log-binned histogram (bins of about
 * 5 %, counts per bin), from which the same-hour peer median is read. Every device adds one value per hour (its closed
 * hour, {@link PeerObservation#hourBytesOut}), so a device is one vote whatever it sends, and a median of votes cannot be
 * dragged by one device. Bounded: at most {@link #MAX_BINS} bins per hour; a value that would need another bin counts in
 * the nearest one (a value beyond the extreme bins stays on its side of the median, so the median does not move).
 */
public class PeerHours {

    /** Bins per unit of natural log: 20, i.e. bins about 5 % wide. */
    static final double BINS_PER_LOG = 20;
    /** Lowest rate told apart (bytes per second); anything lower counts as this. */
    static final double MIN_RATE = 0.01;
    static final int MAX_BINS = 128;

    /** Start of the current hour (epoch millis), MIN_VALUE before the first value. */
    public long hour = Long.MIN_VALUE;
    /** Bin indices of the current hour, ascending, and the votes in each. */
    public int[] bins = new int[0];
    public int[] counts = new int[0];
    public int votes;
    /** The same for the hour before (kept while the devices that report seldom still close it). */
    public long previousHour = Long.MIN_VALUE;
    public int[] previousBins = new int[0];
    public int[] previousCounts = new int[0];
    public int previousVotes;

    public PeerHours() {
    }

    /** Moves to {@code hourStart} when it is later than the current hour (the current one becomes the previous one). */
    void advanceTo(long hourStart, long hourMs) {
        if (hourStart <= hour) {
            return;
        }
        if (hour != Long.MIN_VALUE && hourStart == hour + hourMs) {
            previousHour = hour;
            previousBins = bins;
            previousCounts = counts;
            previousVotes = votes;
        } else {
            previousHour = Long.MIN_VALUE;
            previousBins = new int[0];
            previousCounts = new int[0];
            previousVotes = 0;
        }
        hour = hourStart;
        bins = new int[0];
        counts = new int[0];
        votes = 0;
    }

    /** Adds one device's vote to the current hour. */
    void addCurrent(double rate) {
        int b = bin(rate);
        int i = Arrays.binarySearch(bins, b);
        if (i < 0 && bins.length >= MAX_BINS) {
            i = nearest(bins, -i - 1);
        }
        if (i < 0) {
            int at = -i - 1;
            bins = insert(bins, at, b);
            counts = insert(counts, at, 0);
            i = at;
        }
        counts[i]++;
        votes++;
    }

    /** Adds one device's vote to the previous hour (a device that closed it late). */
    void addPrevious(double rate) {
        int[] b0 = bins, c0 = counts;
        int v0 = votes;
        bins = previousBins;
        counts = previousCounts;
        votes = previousVotes;
        addCurrent(rate);
        previousBins = bins;
        previousCounts = counts;
        previousVotes = votes;
        bins = b0;
        counts = c0;
        votes = v0;
    }

    /** The (lower) median of all votes, or NaN without votes. */
    static double medianOf(int[] bins, int[] counts, int votes) {
        return median(bins, counts, votes, -1);
    }

    /**
     * The (lower) median of the votes without one vote in the bin of {@code own} (the device's own value: its peers are
     * the others, so a device rising above them does not lift its own median by a rank), or NaN without other votes.
     */
    static double medianWithout(int[] bins, int[] counts, int votes, double own) {
        int ownBin = Arrays.binarySearch(bins, bin(own));
        if (ownBin < 0) { // counted in a neighbour bin (histogram full): the nearest, as addCurrent did
            ownBin = nearest(bins, -ownBin - 1);
        }
        return median(bins, counts, votes - 1, ownBin);
    }

    private static double median(int[] bins, int[] counts, int votes, int lessOneIn) {
        return rank(bins, counts, votes, lessOneIn, (votes + 1) / 2); // the lower median's rank
    }

    /**
     * The median absolute deviation of the votes' logs from their median's (in natural log units, to the bins' 5 %), or
     * NaN without votes: the peers' spread across devices, robust to any minority of them (flooding or silent) as the
     * median is. Walks out from the median bin; no allocation.
     */
    static double madLog(int[] bins, int[] counts, int votes) {
        if (votes <= 0 || bins.length == 0) {
            return Double.NaN;
        }
        int half = (votes + 1) / 2;
        int m = 0;
        for (int seen = counts[0]; seen < half && m < bins.length - 1; seen += counts[++m]) {
            // up to the median's bin
        }
        int l = m - 1;
        int r = m + 1;
        int seen = counts[m];
        int d = 0;
        while (seen < half && (l >= 0 || r < bins.length)) {
            int dl = l >= 0 ? bins[m] - bins[l] : Integer.MAX_VALUE;
            int dr = r < bins.length ? bins[r] - bins[m] : Integer.MAX_VALUE;
            if (dl <= dr) {
                seen += counts[l--];
                d = dl;
            } else {
                seen += counts[r++];
                d = dr;
            }
        }
        return d / BINS_PER_LOG;
    }

    private static double rank(int[] bins, int[] counts, int votes, int lessOneIn, int half) {
        if (votes <= 0 || bins.length == 0) {
            return Double.NaN;
        }
        int seen = 0;
        for (int i = 0; i < bins.length; i++) {
            seen += counts[i] - (i == lessOneIn ? 1 : 0);
            if (seen >= half) {
                return Math.exp((bins[i] + 0.5) / BINS_PER_LOG);
            }
        }
        return Math.exp((bins[bins.length - 1] + 0.5) / BINS_PER_LOG);
    }

    static int bin(double rate) {
        double x = Double.isFinite(rate) ? Math.max(rate, MIN_RATE) : MIN_RATE;
        return (int) Math.floor(Math.log(Math.min(x, 1e15)) * BINS_PER_LOG);
    }

    private static int nearest(int[] bins, int insertionPoint) {
        if (insertionPoint <= 0) {
            return 0;
        }
        if (insertionPoint >= bins.length) {
            return bins.length - 1;
        }
        return insertionPoint - 1; // between two bins: the lower one (off by at most the gap between them)
    }

    private static int[] insert(int[] a, int at, int v) {
        int[] out = new int[a.length + 1];
        System.arraycopy(a, 0, out, 0, at);
        out[at] = v;
        System.arraycopy(a, at, out, at + 1, a.length - at);
        return out;
    }
}
