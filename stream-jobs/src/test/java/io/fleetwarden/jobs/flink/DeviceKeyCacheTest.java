package io.fleetwarden.jobs.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The key cache gives exactly what DeviceKeys.of gives, including its refusals, for every call. */
class DeviceKeyCacheTest {

    @Test
    void sameKeysAsDeviceKeysAndInvalidIdsAreRefusedEveryTime() {
        DeviceKeyCache cache = new DeviceKeyCache();
        String first = cache.of("acme", "cam-1");
        assertThat(first).isEqualTo("acme/cam-1");
        assertThat(cache.of("acme", new String("cam-1"))).as("cached").isSameAs(first);
        assertThat(cache.of("acmf", "cam-1")).as("another tenant, same device id").isEqualTo("acmf/cam-1");
        assertThat(cache.of("ac", "cam-1")).isEqualTo("ac/cam-1");
        assertThat(cache.of("acme", "cam-1")).isEqualTo("acme/cam-1");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.of("acme", "cam/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id");
            assertThatThrownBy(() -> cache.of(null, "cam-1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant");
            assertThatThrownBy(() -> cache.of("acme", null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cache.of("a/b", "cam-1")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void ofValidGivesTheKeyOrNullNeverAnException() {
        DeviceKeyCache cache = new DeviceKeyCache();
        assertThat(cache.ofValid("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(cache.ofValid("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(cache.ofValid(null, "cam-1")).isNull();
        assertThat(cache.ofValid("acme", null)).isNull();
        assertThat(cache.ofValid("unverified", "cam/1")).isNull();
        assertThat(cache.ofValid("-acme", "cam-1")).as("cached device id, invalid tenant").isNull();
    }

    @Test
    void boundedByClearingWhenFull() {
        DeviceKeyCache cache = new DeviceKeyCache();
        for (int i = 0; i <= DeviceKeyCache.MAX_ENTRIES + 10; i++) {
            assertThat(cache.of("acme", "d" + i)).isEqualTo("acme/d" + i);
        }
        assertThat(cache.of("acme", "d1")).isEqualTo("acme/d1");
    }
}
