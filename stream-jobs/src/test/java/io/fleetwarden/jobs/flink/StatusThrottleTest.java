package io.fleetwarden.jobs.flink;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.DeviceReport;

/** The per-device operator's status throttle compares the status facts by equality: colliding hashes are told apart. */
class StatusThrottleTest {

    private static final long REFRESH = 300_000;

    private static DeviceReport report(long ts, String region, String address) {
        return DeviceReport.of(Events.telemetry("cam-1", ts).setRegion(region).setBroker(Events.broker(address)).build());
    }

    @Test
    void aChangeToACollidingValueIsSentAtOnce() {
        assertThat("eu-Aa".hashCode()).isEqualTo("eu-BB".hashCode());
        DeviceState ds = new DeviceState(new String[0]);
        assertThat(DeviceFunction.statusDue(ds, report(T0, "eu-Aa", "198.51.100.7"), REFRESH)).as("first").isTrue();
        assertThat(DeviceFunction.statusDue(ds, report(T0 + 1000, "eu-Aa", "198.51.100.7"), REFRESH)).as("unchanged").isFalse();
        assertThat(DeviceFunction.statusDue(ds, report(T0 + 2000, "eu-BB", "198.51.100.7"), REFRESH)).as("region changed").isTrue();
        assertThat(DeviceFunction.statusDue(ds, report(T0 + 3000, "eu-BB", "10.0.0.Aa"), REFRESH)).isTrue();
        assertThat(DeviceFunction.statusDue(ds, report(T0 + 4000, "eu-BB", "10.0.0.BB"), REFRESH)).as("address changed").isTrue();
        assertThat(DeviceFunction.statusDue(ds, report(T0 + 4000 + REFRESH, "eu-BB", "10.0.0.BB"), REFRESH)).as("refresh").isTrue();
    }
}
