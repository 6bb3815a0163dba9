package io.fleetwarden.model.firmware;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A firmware version such as {@code 2.4.1}, {@code 2024.05.1} or {@code 3.0.0-rc.2}: dot-separated
 * numeric release segments, optionally followed by {@code -} and a pre-release label. Ordering
 * follows semantic-versioning precedence: release segments compare numerically (missing segments
 * count as 0, so {@code 1.2 == 1.2.0}), and a pre-release sorts before its release.
 */
public final class FirmwareVersion implements Comparable<FirmwareVersion> {

    private static final Pattern SYNTAX = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,5}(-[0-9A-Za-z.-]{1,32})?");

    private final String text;
    private final int[] release;
    private final String[] preRelease;

    private FirmwareVersion(String text, int[] release, String[] preRelease) {
        this.text = text;
        this.release = release;
        this.preRelease = preRelease;
    }

    /** Whether {@code text} is a well-formed version. */
    public static boolean isValid(String text) {
        return text != null && SYNTAX.matcher(text).matches();
    }

    /** Parses a version; throws {@link IllegalArgumentException} naming the bad text. */
    public static FirmwareVersion parse(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException("not a firmware version (digits separated by dots, optional -label): " + text);
        }
        int dash = text.indexOf('-');
        String core = dash < 0 ? text : text.substring(0, dash);
        String[] parts = core.split("\\.");
        int[] numbers = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = Integer.parseInt(parts[i]);
        }
        int significant = numbers.length;
        while (significant > 1 && numbers[significant - 1] == 0) {
            significant--;
        }
        String[] pre = dash < 0 ? new String[0] : text.substring(dash + 1).split("\\.");
        return new FirmwareVersion(text, Arrays.copyOf(numbers, significant), pre);
    }

    public boolean isPreRelease() {
        return preRelease.length > 0;
    }

    /** The numeric release segments with trailing zeros removed. */
    public List<Integer> releaseSegments() {
        List<Integer> list = new ArrayList<>(release.length);
        for (int n : release) {
            list.add(n);
        }
        return list;
    }

    @Override
    public int compareTo(FirmwareVersion other) {
        int n = Math.max(release.length, other.release.length);
        for (int i = 0; i < n; i++) {
            int a = i < release.length ? release[i] : 0;
            int b = i < other.release.length ? other.release[i] : 0;
            if (a != b) {
                return Integer.compare(a, b);
            }
        }
        if (preRelease.length == 0 || other.preRelease.length == 0) {
            // A release outranks any pre-release of the same numbers.
            return Boolean.compare(preRelease.length == 0, other.preRelease.length == 0);
        }
        int m = Math.min(preRelease.length, other.preRelease.length);
        for (int i = 0; i < m; i++) {
            int c = comparePreReleaseIdentifier(preRelease[i], other.preRelease[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.length, other.preRelease.length);
    }

    /**
     * Numeric identifiers compare by value without parsing them: a device chooses its version text, and
     * a 20-digit identifier (or an empty one, as in {@code 1.0-rc..1}) must be ordered, never throw out
     * of a detector.
     */
    private static int comparePreReleaseIdentifier(String a, String b) {
        boolean aNumeric = isNumeric(a);
        boolean bNumeric = isNumeric(b);
        if (aNumeric && bNumeric) {
            String x = withoutLeadingZeros(a);
            String y = withoutLeadingZeros(b);
            return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String withoutLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    public boolean isNewerThan(FirmwareVersion other) {
        return compareTo(other) > 0;
    }

    public boolean isOlderThan(FirmwareVersion other) {
        return compareTo(other) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FirmwareVersion v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        // Consistent with equals (compareTo == 0): "rc.01" equals "rc.1", so numeric identifiers hash by value.
        String[] pre = new String[preRelease.length];
        for (int i = 0; i < pre.length; i++) {
            pre[i] = isNumeric(preRelease[i]) ? withoutLeadingZeros(preRelease[i]) : preRelease[i];
        }
        return Objects.hash(Arrays.hashCode(release), Arrays.hashCode(pre));
    }

    @Override
    public String toString() {
        return text;
    }
}
