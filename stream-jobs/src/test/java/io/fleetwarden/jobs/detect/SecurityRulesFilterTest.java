package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * The topology sends a security event to the burst operator only when {@link SecurityRules#counts} says it
 * counts for the subject: every event that does not count must leave the burst state untouched and find
 * nothing, and the rule-relevant ones must count.
 */
class SecurityRulesFilterTest {

    @Test
    void eventsThatDoNotCountChangeNothingAndTheOthersCount() {
        SecurityRules rules = new SecurityRules(DetectionConfig.defaults());
        int counted = 0;
        for (SecurityEventType type : SecurityEventType.values()) {
            for (String reason : new String[] {SecurityEventReasons.CONNECTED, SecurityEventReasons.CERTIFICATE_REVOKED, "other"}) {
                for (String device : new String[] {"cam-1", null}) {
                    SecurityEvent e = Events.security(type, reason, T0, device, "198.51.100.7").setClaimedClientId("cam-1").build();
                    for (SecuritySubject s : SecuritySubject.of(e)) {
                        Map<String, BurstWindow> state = new HashMap<>();
                        var found = rules.onEvent(state, s, e);
                        if (!SecurityRules.counts(s, e)) {
                            assertThat(found).as("%s %s %s", type, reason, s).isEmpty();
                            assertThat(state).as("%s %s %s", type, reason, s).isEmpty();
                        } else {
                            assertThat(state).as("%s %s %s", type, reason, s).isNotEmpty();
                            counted++;
                        }
                    }
                }
            }
        }
        assertThat(counted).isPositive();
        SecurityEvent connect = Events.security(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, T0, "cam-1", "198.51.100.7").build();
        assertThat(SecuritySubject.of(connect)).noneMatch(s -> SecurityRules.counts(s, connect));
        SecurityEvent probe = Events.security(SecurityEventType.AUTHORIZATION_FAILURE, SecurityEventReasons.TOPIC_NOT_PERMITTED, T0, "cam-1",
                "198.51.100.7").build();
        assertThat(SecuritySubject.of(probe)).anyMatch(s -> SecurityRules.counts(s, probe));
    }
}
