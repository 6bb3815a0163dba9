package io.fleetwarden.model.firmware;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A set of firmware versions in interval notation, as advisories state the versions they affect:
 * {@code [1.0.0,1.4.2)} (1.0.0 up to but not including 1.4.2), {@code (,2.0]} (up to and including
 * 2.0), {@code [3.1,)} (3.1 and later), {@code [1.2.3]} (exactly 1.2.3), or several such intervals
 * separated by commas: {@code [1.0,1.2),[1.5,1.6)}. A bare version {@code 1.2.3} means exactly it.
 */
public final class VersionRange {

    private record Interval(FirmwareVersion lower, boolean lowerInclusive, FirmwareVersion upper, boolean upperInclusive) {
        boolean contains(FirmwareVersion v) {
            if (lower != null) {
                int c = v.compareTo(lower);
                if (c < 0 || (c == 0 && !lowerInclusive)) {
                    return false;
                }
            }
            if (upper != null) {
                int c = v.compareTo(upper);
                return c < 0 || (c == 0 && upperInclusive);
            }
            return true;
        }
    }

    private final String text;
    private final List<Interval> intervals;

    private VersionRange(String text, List<Interval> intervals) {
        this.text = text;
        this.intervals = intervals;
    }

    /** Parses a range; throws {@link IllegalArgumentException} saying what is wrong. */
    public static VersionRange parse(String text) {
        Objects.requireNonNull(text, "range");
        String s = text.replace(" ", "");
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty version range");
        }
        List<Interval> intervals = new ArrayList<>();
        if (s.charAt(0) != '[' && s.charAt(0) != '(') {
            FirmwareVersion exact = FirmwareVersion.parse(s);
            intervals.add(new Interval(exact, true, exact, true));
            return new VersionRange(text, List.copyOf(intervals));
        }
        int i = 0;
        while (i < s.length()) {
            char open = s.charAt(i);
            if (open != '[' && open != '(') {
                throw new IllegalArgumentException("version range " + text + ": expected [ or ( at position " + i);
            }
            int close = indexOfClose(s, i + 1);
            if (close < 0) {
                throw new IllegalArgumentException("version range " + text + ": interval not closed with ] or )");
            }
            intervals.add(interval(text, open, s.substring(i + 1, close), s.charAt(close)));
            i = close + 1;
            if (i < s.length()) {
                if (s.charAt(i) != ',') {
                    throw new IllegalArgumentException("version range " + text + ": expected , between intervals");
                }
                i++;
                if (i == s.length()) {
                    throw new IllegalArgumentException("version range " + text + ": trailing comma");
                }
            }
        }
        return new VersionRange(text, List.copyOf(intervals));
    }

    private static int indexOfClose(String s, int from) {
        for (int j = from; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == ']' || c == ')') {
                return j;
            }
        }
        return -1;
    }

    private static Interval interval(String text, char open, String body, char close) {
        int comma = body.indexOf(',');
        if (comma < 0) {
            if (open != '[' || close != ']') {
                throw new IllegalArgumentException("version range " + text + ": a single version must be written [v]");
            }
            FirmwareVersion exact = FirmwareVersion.parse(body);
            return new Interval(exact, true, exact, true);
        }
        String lo = body.substring(0, comma);
        String hi = body.substring(comma + 1);
        FirmwareVersion lower = lo.isEmpty() ? null : FirmwareVersion.parse(lo);
        FirmwareVersion upper = hi.isEmpty() ? null : FirmwareVersion.parse(hi);
        if (lower == null && open == '[' || upper == null && close == ']') {
            throw new IllegalArgumentException("version range " + text + ": an open end must use ( or )");
        }
        if (lower != null && upper != null && lower.compareTo(upper) > 0) {
            throw new IllegalArgumentException("version range " + text + ": lower bound above upper bound");
        }
        return new Interval(lower, open == '[', upper, close == ']');
    }

    public boolean contains(FirmwareVersion version) {
        for (Interval interval : intervals) {
            if (interval.contains(version)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code version} is well-formed and inside the range; malformed versions are outside. */
    public boolean contains(String version) {
        return FirmwareVersion.isValid(version) && contains(FirmwareVersion.parse(version));
    }

    @Override
    public String toString() {
        return text;
    }
}
