package io.fleetwarden.broker.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ClockSkewMonitorTest {

    static final long NOW = 1_800_000_000_000L;
    final ClockSkewMonitor monitor = new ClockSkewMonitor(Duration.ofMinutes(2), Duration.ofMinutes(1));

    @Test
    void theWindowIsInclusiveEitherWay() {
        assertThat(monitor.skewed(NOW + 120_000, NOW)).isFalse();
        assertThat(monitor.skewed(NOW - 120_000, NOW)).isFalse();
        assertThat(monitor.skewed(NOW + 120_001, NOW)).isTrue();
        assertThat(monitor.skewed(NOW - 120_001, NOW)).isTrue();
    }

    @Test
    void firstSkewedReadingIsReportedThenAtMostOncePerIntervalPerDeviceCountingEveryReading() {
        assertThat(monitor.record("acme/a", NOW + 86_400_000L, NOW)).isEqualTo(
                new ClockSkewMonitor.Report(NOW + 86_400_000L, NOW, 86_400_000L, 1));
        assertThat(monitor.record("acme/a", NOW + 86_400_000L, NOW + 30_000)).isNull();
        assertThat(monitor.record("acme/a", NOW + 86_400_000L, NOW + 59_999)).isNull();
        // Another device is reported on its own schedule.
        assertThat(monitor.record("globex/a", 0, NOW + 10_000)).satisfies(r -> {
            assertThat(r.direction()).isEqualTo("behind");
            assertThat(r.skewedReadings()).isEqualTo(1);
        });
        ClockSkewMonitor.Report r = monitor.record("acme/a", NOW + 86_460_000L, NOW + 60_000);
        assertThat(r.skewedReadings()).isEqualTo(3);
        assertThat(r.direction()).isEqualTo("ahead");
        assertThat(monitor.devicesSeenSkewed()).isEqualTo(2);
    }
}
