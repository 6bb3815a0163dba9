package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * The connectivity deadline follows every window change, and the quiet time is the configuration's at read time.
 */
class ConnectivityTimerTest {

    private static final long MINUTE = 60_000;

    @Test
    void theNextTimerFollowsTheOpenWindowsAndTheCurrentQuietTime() {
        DetectionConfig cfg = DetectionConfig.defaults();
        ConnectivityRules rules = new ConnectivityRules(cfg);
        ConnectivityState s = new ConnectivityState();
        assertThat(rules.nextTimer(s)).as("nothing pending").isEqualTo(Long.MAX_VALUE);

        long last = T0;
        for (int i = 0; i < cfg.flappingCount; i++) {
            last = T0 + i * 1_000L;
            rules.onSecurityEvent(s, DeviceSecurityEvent.of(Events.security(SecurityEventType.DISCONNECT, SecurityEventReasons.CONNECTION_LOST, last, "cam-1",
                    "198.51.100.7").build()));
        }
        assertThat(s.flaps.open).isTrue();
        assertThat(s.takeovers).as("never used: never created").isNull();
        assertThat(rules.nextTimer(s)).as("quiet deadline of the open flapping burst").isEqualTo(last + cfg.burstQuietMs);

        // A restart with a shorter quiet time applies at once.
        DetectionConfig shorter = DetectionConfig.fromMap(Map.of("burst.quiet", "5m"));
        assertThat(new ConnectivityRules(shorter).nextTimer(s)).isEqualTo(last + 5 * MINUTE);

        // Quiet: the burst is resolved, and no window deadline is left.
        ConnectivityRules.Result r = rules.onTimer(s, Events.TENANT, "cam-1", last + cfg.burstQuietMs);
        assertThat(r.findings()).extracting(f -> f.ruleId).containsExactly(RuleCatalogue.FLAPPING.id());
        assertThat(rules.nextTimer(s)).isEqualTo(Long.MAX_VALUE);
    }
}
