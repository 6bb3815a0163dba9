package io.fleetwarden.model;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of every Fleetwarden configuration and command line: an ISO-8601 duration
 * ({@code PT90S}, {@code PT1.5S}, {@code P30D}, {@code P1DT12H}) or a whole number with one unit,
 * {@code 500ms}, {@code 90s}, {@code 10m}, {@code 6h}, {@code 30d} (units case-insensitive:
 * {@code m} is minutes, {@code ms} milliseconds; months and years are not durations).
 *
 * <p>Configuration values are operator input, often templated; they are treated as hostile: negative,
 * empty, overflowing or absurdly long values are refused with an {@link IllegalArgumentException} whose
 * message quotes the value (cut to {@value #MAX_QUOTED} characters) and says what was expected. A
 * duration is never longer than {@link #MAX} (100 years), so callers can convert it to milliseconds or
 * add it to an epoch time without overflow.
 */
public final class Durations {

    /** What a valid value looks like, for error messages and help texts. */
    public static final String SYNTAX = "an ISO-8601 duration (PT90S, P30D) or a whole number with a unit: "
            + "500ms, 90s, 10m, 6h, 30d";

    /** The longest duration accepted: 36,500 days. */
    public static final Duration MAX = Duration.ofDays(36_500);

    static final int MAX_QUOTED = 40;
    private static final int MAX_LENGTH = 64;
    private static final Pattern SHORT = Pattern.compile("([0-9]+)(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /**
     * Parses a duration of zero or more.
     *
     * @throws IllegalArgumentException naming the value when it is missing, malformed, negative or longer than {@link #MAX}
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("duration is missing: expected " + SYNTAX);
        }
        String v = text.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("duration is empty: expected " + SYNTAX);
        }
        if (v.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("not a duration: " + quote(v) + " is longer than " + MAX_LENGTH
                    + " characters; expected " + SYNTAX);
        }
        Duration d;
        Matcher m = SHORT.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else if (isIso(v)) {
                d = Duration.parse(v);
            } else if (v.startsWith("-") || v.startsWith("+") && v.length() > 1 && Character.isDigit(v.charAt(1))) {
                throw new IllegalArgumentException("not a duration: " + quote(v) + " is signed; expected " + SYNTAX);
            } else {
                throw new IllegalArgumentException("not a duration: " + quote(v) + "; expected " + SYNTAX);
            }
        } catch (ArithmeticException | NumberFormatException e) { // digits only: a NumberFormatException is overflow
            throw tooLong(v);
        } catch (DateTimeParseException e) {
            // the ISO pattern matched digits only, so a number format or arithmetic cause is an overflow
            if (e.getCause() instanceof ArithmeticException || e.getCause() instanceof NumberFormatException) {
                throw tooLong(v);
            }
            throw new IllegalArgumentException("not a duration: " + quote(v) + "; expected " + SYNTAX, e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("not a duration: " + quote(v) + " is negative; expected " + SYNTAX);
        }
        if (d.compareTo(MAX) > 0) {
            throw tooLong(v);
        }
        return d;
    }

    /**
     * Parses a duration longer than zero.
     *
     * @throws IllegalArgumentException naming the value when {@link #parse} refuses it or it is zero
     */
    public static Duration parsePositive(String text) {
        Duration d = parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("duration " + quote(text.strip()) + " is zero: expected a positive "
                    + "duration, " + SYNTAX);
        }
        return d;
    }

    /**
     * The shortest text in the short form that {@link #parse} reads back as {@code d}: {@code 30d},
     * {@code 6h}, {@code 90s}, {@code 1500ms}; sub-millisecond durations in ISO-8601.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + d);
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    private static boolean isIso(String v) {
        char c = v.charAt(0);
        return c == 'P' || c == 'p' || (c == '-' || c == '+') && v.length() > 1 && (v.charAt(1) == 'P' || v.charAt(1) == 'p');
    }

    private static IllegalArgumentException tooLong(String v) {
        return new IllegalArgumentException("not a duration: " + quote(v) + " is longer than the maximum of "
                + MAX.toDays() + " days");
    }

    /** The value in quotes, cut so that a hostile value cannot flood a log line; control characters escaped. */
    static String quote(String v) {
        String cut = v.length() > MAX_QUOTED ? v.substring(0, MAX_QUOTED) + "..." : v;
        StringBuilder sb = new StringBuilder("'");
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('\'').toString();
    }
}
