package io.fleetwarden.model.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The character loops of {@link TelemetryConstraints} against the regular expressions of the telemetry
 * schema they implement: the same answer for edge cases and for many random strings over each pattern's
 * alphabet and its neighbours.
 */
class TelemetryConstraintsPatternTest {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,5}(-[0-9A-Za-z.-]{1,32})?");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private static final List<String> EDGES = List.of("", "a", "1", ".", "-", "_", ":", "a.b", "1.", ".1", "1..2",
            "1.2.3", "1.2.3-rc.1", "1.2.3.4.5.6", "1.2.3.4.5.6.7", "123456789", "1234567890", "123456789.123456789",
            "1.1234567890", "1-", "1-a", "1.2-" + "a".repeat(32), "1.2-" + "a".repeat(33), "1-a-b.c", "1--", "1.-a",
            "a".repeat(64), "a".repeat(65), "_a", "-a", ".a", "a_b.c-d", "0123456789abcdef".repeat(4),
            "0123456789ABCDEF".repeat(4), "0123456789abcdef".repeat(4) + "0", "10.0.0.1", "::1", "2001:db8::1",
            "g::1", "1".repeat(45), "1".repeat(46), "é", "1\n", "\u0661", "\uFF11", "a\u0000");

    private static void agree(Pattern pattern, Predicate<String> loop, String alphabet, int maxLength) {
        List<String> cases = new ArrayList<>(EDGES);
        Random random = new Random(20261206);
        for (int i = 0; i < 20_000; i++) {
            int length = random.nextInt(maxLength + 3);
            StringBuilder b = new StringBuilder(length);
            for (int c = 0; c < length; c++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            cases.add(b.toString());
        }
        int matched = 0;
        for (String s : cases) {
            boolean expected = pattern.matcher(s).matches();
            assertThat(loop.test(s)).as("%s on '%s'", pattern, s).isEqualTo(expected);
            matched += expected ? 1 : 0;
        }
        assertThat(loop.test(null)).isFalse();
        assertThat(matched).as("the random strings include matches of %s", pattern).isGreaterThan(100);
    }

    @Test
    void nameLoopIsThePattern() {
        agree(NAME, TelemetryConstraints::name, "aZ09._-/ é", 66);
    }

    @Test
    void versionLoopIsThePattern() {
        // digits and dots dominate so that long dotted versions are generated often
        agree(VERSION, TelemetryConstraints::version, "0123456789........---aZ._+ ", 40);
    }

    @Test
    void sha256LoopIsThePattern() {
        List<String> cases = new ArrayList<>();
        Random random = new Random(7);
        String alphabet = "0123456789abcdefABCDEFg";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int length = 62 + random.nextInt(4);
            for (int c = 0; c < length; c++) {
                // mostly valid characters, so that some strings match
                b.append(random.nextInt(200) == 0 ? alphabet.charAt(16 + random.nextInt(7)) : alphabet.charAt(random.nextInt(16)));
            }
            cases.add(b.toString());
        }
        cases.addAll(EDGES);
        int matched = 0;
        for (String s : cases) {
            boolean expected = SHA256.matcher(s).matches();
            assertThat(TelemetryConstraints.sha256(s)).as("sha256 on '%s'", s).isEqualTo(expected);
            matched += expected ? 1 : 0;
        }
        assertThat(matched).isGreaterThan(100);
    }

    @Test
    void addressLoopIsThePattern() {
        agree(ADDRESS, TelemetryConstraints::address, "09afAFgG.:/ ", 47);
    }
}
