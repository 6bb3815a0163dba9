package io.fleetwarden.model.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.firmware.FirmwareCurrency.State;

class FirmwareCurrencyTest {

    static final Instant RELEASED = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration GRACE = FirmwareCurrency.DEFAULT_GRACE;

    static FirmwareCatalogEntry catalog(String latest, Instant released) {
        return FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion(latest)
                .setReleases(released == null ? List.of()
                        : List.of(FirmwareRelease.newBuilder().setVersion(latest).setReleasedAt(released)
                                .setImageSha256("ab").build()))
                .setUpdatedAt(RELEASED).build();
    }

    @Test
    void behindExactlyAtTheEndOfTheGracePeriodAndNotOneMillisecondBefore() {
        FirmwareCatalogEntry c = catalog("1.2.0", RELEASED);
        Instant end = RELEASED.plus(GRACE);
        assertThat(FirmwareCurrency.assess("1.1.0", c, end, GRACE).state()).isEqualTo(State.BEHIND);
        assertThat(FirmwareCurrency.assess("1.1.0", c, end.minusMillis(1), GRACE).state()).isEqualTo(State.WITHIN_GRACE);
        assertThat(FirmwareCurrency.isBehind("1.1.0", c, end.toEpochMilli(), GRACE.toMillis())).isTrue();
        assertThat(FirmwareCurrency.isBehind("1.1.0", c, end.toEpochMilli() - 1, GRACE.toMillis())).isFalse();
        assertThat(FirmwareCurrency.assess("1.1.0", c, end, GRACE).graceEnds()).isEqualTo(end);
    }

    @Test
    void currentUndatedAndUnknown() {
        FirmwareCatalogEntry c = catalog("1.2.0", RELEASED);
        Instant late = RELEASED.plus(Duration.ofDays(400));
        assertThat(FirmwareCurrency.assess("1.2.0", c, late, GRACE).state()).isEqualTo(State.CURRENT);
        assertThat(FirmwareCurrency.assess("1.3.0", c, late, GRACE).state()).isEqualTo(State.CURRENT);
        assertThat(FirmwareCurrency.assess("1.1.0", catalog("1.2.0", null), late, GRACE).state()).isEqualTo(State.NEWER_UNDATED);
        assertThat(FirmwareCurrency.isBehind("1.1.0", catalog("1.2.0", null), late.toEpochMilli(), GRACE.toMillis())).isFalse();
        assertThat(FirmwareCurrency.assess("not-a-version", c, late, GRACE).state()).isEqualTo(State.UNKNOWN);
        assertThat(FirmwareCurrency.assess(null, c, late, GRACE).state()).isEqualTo(State.UNKNOWN);
        assertThat(FirmwareCurrency.assess("1.1.0", null, late, GRACE).state()).isEqualTo(State.UNKNOWN);
        assertThat(FirmwareCurrency.isBehind("1.1.0", null, late.toEpochMilli(), GRACE.toMillis())).isFalse();
    }

    @Test
    void bothFormsAgreeOnEveryCase() {
        FirmwareCatalogEntry dated = catalog("2.0.0", RELEASED);
        for (String running : new String[] {"1.0.0", "2.0.0", "2.0.0-rc.1", "3.0", "x", null}) {
            for (long days : new long[] {0, 29, 30, 31, 365}) {
                Instant now = RELEASED.plus(Duration.ofDays(days));
                assertThat(FirmwareCurrency.isBehind(running, dated, now.toEpochMilli(), GRACE.toMillis()))
                        .as("%s at +%dd", running, days)
                        .isEqualTo(FirmwareCurrency.assess(running, dated, now, GRACE).behind());
            }
        }
    }

    /** A version superseded long ago is behind even while the newest release is inside its grace period. */
    @Test
    void aVersionSupersededLongAgoIsBehindWhileTheNewestIsStillInItsGrace() {
        Instant old = RELEASED.minus(Duration.ofDays(420));
        FirmwareCatalogEntry c = FirmwareCatalogEntry.newBuilder().setModel("cam-x1").setLatestVersion("1.3.0")
                .setReleases(List.of(
                        FirmwareRelease.newBuilder().setVersion("1.1.0").setReleasedAt(old.minus(Duration.ofDays(30))).setImageSha256("aa").build(),
                        FirmwareRelease.newBuilder().setVersion("1.2.0").setReleasedAt(old).setImageSha256("ab").build(),
                        FirmwareRelease.newBuilder().setVersion("1.3.0").setReleasedAt(RELEASED).setImageSha256("ac").build()))
                .setUpdatedAt(RELEASED).build();
        Instant now = RELEASED.plus(Duration.ofDays(1));
        assertThat(FirmwareCurrency.assess("1.1.0", c, now, GRACE).state()).isEqualTo(State.BEHIND);
        assertThat(FirmwareCurrency.assess("1.1.0", c, now, GRACE).graceEnds()).isEqualTo(old.plus(GRACE));
        assertThat(FirmwareCurrency.isBehind("1.1.0", c, now.toEpochMilli(), GRACE.toMillis())).isTrue();
        // 1.2.0 was superseded only by 1.3.0, still inside its grace period
        assertThat(FirmwareCurrency.assess("1.2.0", c, now, GRACE).state()).isEqualTo(State.WITHIN_GRACE);
        assertThat(FirmwareCurrency.behindFrom("1.2.0", c, GRACE.toMillis())).isEqualTo(RELEASED.plus(GRACE).toEpochMilli());
        assertThat(FirmwareCurrency.behindFrom("1.3.0", c, GRACE.toMillis())).isNull();
    }
}
