package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTimeTest {

    static final long NOW = 1_800_000_000_000L;
    static final long SKEW = EventTime.DEFAULT_SKEW.toMillis();

    @Test
    void insideTheWindowTheDeviceTimeIsKept() {
        assertThat(EventTime.bounded(NOW - 1_000, NOW, SKEW)).isEqualTo(NOW - 1_000);
        assertThat(EventTime.bounded(NOW - SKEW, NOW, SKEW)).isEqualTo(NOW - SKEW);
        assertThat(EventTime.bounded(NOW, NOW, SKEW)).isEqualTo(NOW);
        assertThat(EventTime.skewed(NOW - SKEW, NOW, SKEW)).isFalse();
        assertThat(EventTime.skewed(NOW + SKEW, NOW, SKEW)).isFalse();
    }

    @Test
    void aDeviceAheadOfTheBrokerNeverMovesEventTimePastBrokerTime() {
        // Within the window ahead: not a finding, but still never later than the broker's receive time.
        assertThat(EventTime.bounded(NOW + 30_000, NOW, SKEW)).isEqualTo(NOW);
        assertThat(EventTime.bounded(NOW + SKEW, NOW, SKEW)).isEqualTo(NOW);
        // One millisecond past the window: a finding.
        assertThat(EventTime.skewed(NOW + SKEW + 1, NOW, SKEW)).isTrue();
        assertThat(EventTime.bounded(NOW + 86_400_000L, NOW, SKEW)).isEqualTo(NOW);
        assertThat(EventTime.bounded(Long.MAX_VALUE, NOW, SKEW)).isEqualTo(NOW);
    }

    @Test
    void aDeviceBehindTheBrokerIsHeldAtTheWindowEdge() {
        assertThat(EventTime.skewed(NOW - SKEW - 1, NOW, SKEW)).isTrue();
        assertThat(EventTime.bounded(NOW - SKEW - 1, NOW, SKEW)).isEqualTo(NOW - SKEW);
        assertThat(EventTime.bounded(0, NOW, SKEW)).isEqualTo(NOW - SKEW);
        assertThat(EventTime.bounded(Long.MIN_VALUE, NOW, SKEW)).isEqualTo(NOW - SKEW);
    }

    @Test
    void extremeValuesSaturateInsteadOfOverflowing() {
        assertThat(EventTime.skewMs(Long.MAX_VALUE, -5)).isEqualTo(Long.MAX_VALUE);
        assertThat(EventTime.skewMs(Long.MIN_VALUE, 5)).isEqualTo(Long.MIN_VALUE);
        assertThat(EventTime.skewMs(NOW + 5, NOW)).isEqualTo(5);
        assertThat(EventTime.skewed(Long.MAX_VALUE, Long.MAX_VALUE - 1, SKEW)).isFalse();
        assertThat(EventTime.skewed(Long.MIN_VALUE, Long.MIN_VALUE + 1, SKEW)).isFalse();
        assertThat(EventTime.bounded(5, Long.MIN_VALUE + 1, SKEW)).isEqualTo(Long.MIN_VALUE + 1);
    }
}
