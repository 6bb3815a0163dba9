package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Device keys: the id rule (checked against its regular expression), keys, refusals and parsing. */
class DeviceKeysTest {

    /** The documented rule, as the reference the character loop must match exactly. */
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @Test
    void keysAreBuiltFromValidIdsAndInvalidIdsAreRefused() {
        assertThat(DeviceKeys.of("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(DeviceKeys.of("a", "B.c_d-9")).isEqualTo("a/B.c_d-9");
        assertThatThrownBy(() -> DeviceKeys.of("acme", "cam/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id");
        assertThatThrownBy(() -> DeviceKeys.of(null, "cam-1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
        assertThatThrownBy(() -> DeviceKeys.of("acme", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceKeys.of("-acme", "cam-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceKeys.of("acme", "x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThat(DeviceKeys.of("acme", "x".repeat(64))).endsWith("x".repeat(64));
        assertThat(DeviceKeys.parse("acme/cam-1")).containsExactly("acme", "cam-1");
        assertThatThrownBy(() -> DeviceKeys.parse("acme-cam-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofValidGivesTheKeyOrNullNeverAnException() {
        assertThat(DeviceKeys.ofValid("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(DeviceKeys.ofValid(null, "cam-1")).isNull();
        assertThat(DeviceKeys.ofValid("acme", null)).isNull();
        assertThat(DeviceKeys.ofValid("unverified", "cam/1")).isNull();
        assertThat(DeviceKeys.ofValid("", "cam-1")).isNull();
    }

    @Test
    void theIdCheckIsExactlyTheDocumentedRule() {
        String alphabet = "aZ09._-/+# éü\u0000\uD83D\uDE00";
        Random r = new Random(7);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            int len = r.nextInt(70);
            for (int j = 0; j < len; j++) {
                b.append(r.nextInt(4) == 0 ? alphabet.charAt(r.nextInt(alphabet.length())) : (char) ('a' + r.nextInt(26)));
            }
            String id = b.toString();
            boolean valid = DeviceKeys.isValidId(id);
            assertThat(valid).as("%s", id).isEqualTo(RULE.matcher(id).matches());
            accepted += valid ? 1 : 0;
        }
        assertThat(accepted).isGreaterThan(1000);
    }
}
