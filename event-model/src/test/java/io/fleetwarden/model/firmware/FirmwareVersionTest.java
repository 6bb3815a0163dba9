package io.fleetwarden.model.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FirmwareVersionTest {

    @Test
    void ordersNumericallyNotLexically() {
        assertThat(FirmwareVersion.parse("1.10.0")).isGreaterThan(FirmwareVersion.parse("1.9.3"));
        assertThat(FirmwareVersion.parse("2024.05.1")).isGreaterThan(FirmwareVersion.parse("2024.4.9"));
    }

    @Test
    void trailingZerosAreEqual() {
        assertThat(FirmwareVersion.parse("1.2")).isEqualTo(FirmwareVersion.parse("1.2.0"));
        assertThat(FirmwareVersion.parse("1.2").hashCode()).isEqualTo(FirmwareVersion.parse("1.2.0.0").hashCode());
    }

    @Test
    void preReleaseSortsBeforeItsRelease() {
        List<String> sorted = sort("1.0.0", "1.0.0-rc.1", "1.0.0-beta", "1.0.0-rc.10", "1.0.0-rc.2", "0.9");
        assertThat(sorted).containsExactly("0.9", "1.0.0-beta", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0");
        assertThat(FirmwareVersion.parse("1.0.0-rc.1").isPreRelease()).isTrue();
        assertThat(FirmwareVersion.parse("1.0.0").isNewerThan(FirmwareVersion.parse("1.0.0-rc.1"))).isTrue();
        assertThat(FirmwareVersion.parse("1.0.0-rc.1").isOlderThan(FirmwareVersion.parse("1.0.0"))).isTrue();
    }

    @Test
    void hostileNumericPreReleaseIdentifiersAreOrderedWithoutThrowing() {
        // A device chooses its version text: identifiers beyond a long, and empty ones, must compare, not throw.
        FirmwareVersion huge = FirmwareVersion.parse("1.0-99999999999999999999");
        FirmwareVersion hugePlusOne = FirmwareVersion.parse("1.0-100000000000000000000");
        FirmwareVersion small = FirmwareVersion.parse("1.0-1");
        assertThat(huge).isGreaterThan(small);
        assertThat(hugePlusOne).isGreaterThan(huge);
        assertThat(small.isOlderThan(huge)).isTrue();
        FirmwareVersion emptyIdentifier = FirmwareVersion.parse("1.0-rc..1");
        assertThat(emptyIdentifier.compareTo(FirmwareVersion.parse("1.0-rc.1"))).isNotZero();
        assertThat(Integer.signum(emptyIdentifier.compareTo(FirmwareVersion.parse("1.0-rc.1"))))
                .isEqualTo(-Integer.signum(FirmwareVersion.parse("1.0-rc.1").compareTo(emptyIdentifier)));
        assertThat(FirmwareVersion.parse("1.0")).isGreaterThan(huge);
    }

    @Test
    void equalVersionsHaveEqualHashCodes() {
        FirmwareVersion a = FirmwareVersion.parse("1.0-rc.01");
        FirmwareVersion b = FirmwareVersion.parse("1.0-rc.1");
        assertThat(a).isEqualTo(b);
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        assertThat(new java.util.HashSet<>(List.of(a, b))).hasSize(1);
        assertThat(FirmwareVersion.parse("1.0-rc.000")).isEqualTo(FirmwareVersion.parse("1.0-rc.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "v1.2", "1..2", "1.2.", "abc", "1.2.3-", "1.2.3.4.5.6.7", "1.2 ", "1.2.3-rc/1"})
    void refusesMalformedVersions(String text) {
        assertThat(FirmwareVersion.isValid(text)).isFalse();
        assertThatThrownBy(() -> FirmwareVersion.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a firmware version");
    }

    private static List<String> sort(String... versions) {
        List<FirmwareVersion> list = new ArrayList<>();
        for (String v : versions) {
            list.add(FirmwareVersion.parse(v));
        }
        Collections.sort(list);
        return list.stream().map(FirmwareVersion::toString).toList();
    }
}
