package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.DeviceKeys;

/** The fast key path gives exactly what DeviceKeys gives, including its refusals. */
class FastDeviceKeysTest {

    @Test
    void sameKeysAsDeviceKeysAndInvalidIdsAreRefused() {
        assertThat(FastDeviceKeys.of("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(FastDeviceKeys.of("a", "B.c_d-9")).isEqualTo(DeviceKeys.of("a", "B.c_d-9"));
        assertThatThrownBy(() -> FastDeviceKeys.of("acme", "cam/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id");
        assertThatThrownBy(() -> FastDeviceKeys.of(null, "cam-1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
        assertThatThrownBy(() -> FastDeviceKeys.of("acme", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FastDeviceKeys.of("-acme", "cam-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FastDeviceKeys.of("acme", "x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThat(FastDeviceKeys.of("acme", "x".repeat(64))).endsWith("x".repeat(64));
    }

    @Test
    void ofValidGivesTheKeyOrNullNeverAnException() {
        assertThat(FastDeviceKeys.ofValid("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(FastDeviceKeys.ofValid(null, "cam-1")).isNull();
        assertThat(FastDeviceKeys.ofValid("acme", null)).isNull();
        assertThat(FastDeviceKeys.ofValid("unverified", "cam/1")).isNull();
        assertThat(FastDeviceKeys.ofValid("", "cam-1")).isNull();
    }

    @Test
    void neverAcceptsAnIdDeviceKeysRefusesAndAcceptsTheUsualOnes() {
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
            boolean fast = FastDeviceKeys.obviouslyValid(id);
            assertThat(fast).as("%s", id).isEqualTo(DeviceKeys.isValidId(id));
            accepted += fast ? 1 : 0;
        }
        assertThat(accepted).isGreaterThan(1000);
    }
}
