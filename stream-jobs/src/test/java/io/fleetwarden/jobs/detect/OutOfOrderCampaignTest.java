package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.AlertLifecycle;
import io.fleetwarden.jobs.alerts.AlertState;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * A campaign's attempts come from several addresses, which the broker keys to several Kafka partitions; the job may
 * read them out of order (in a replay, hours apart in event time). The alert must still say the campaign was detected
 * at its first attempt: CMP-AUTH-003 (one event is the condition) opened by the third attempt read first is backdated
 * to the first attempt when that arrives, through the burst window and the alert stage; a burst rule is backdated only
 * as far as its kept events show the condition held; a hostile late event can never move an alert later.
 */
class OutOfOrderCampaignTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private final SecurityRules rules = new SecurityRules(CFG);
    private final Map<String, Map<String, BurstWindow>> state = new HashMap<>();
    private final Map<String, AlertState> alerts = new HashMap<>();
    private final AlertLifecycle lifecycle = new AlertLifecycle(30 * 60_000L);

    private static SecurityEvent stuffing(String address, long ts) {
        return Events.security(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS, ts, null, address)
                .setClaimedClientId("plug-44").setUsername("admin").build();
    }

    private List<Alert> feed(SecurityEvent e) {
        List<Alert> out = new ArrayList<>();
        for (SecuritySubject s : SecuritySubject.of(e)) {
            for (Finding f : rules.onEvent(state.computeIfAbsent(s.key(), k -> new HashMap<>()), s, e)) {
                Optional<Alert> a = lifecycle.apply(alerts.computeIfAbsent(f.alertKey(), k -> new AlertState()), f);
                a.ifPresent(out::add);
            }
        }
        return out;
    }

    @Test
    void aStuffingCampaignReadOutOfOrderIsOneAlertOpenedAtItsFirstAttempt() {
        long gap = 199_000;
        List<Alert> out = new ArrayList<>();
        out.addAll(feed(stuffing("198.18.0.3", T0 + 2 * gap))); // the third attempt is read first
        out.addAll(feed(stuffing("198.18.0.4", T0 + 3 * gap)));
        out.addAll(feed(stuffing("198.18.0.1", T0)));
        out.addAll(feed(stuffing("198.18.0.2", T0 + gap)));
        assertThat(out).isNotEmpty().allMatch(a -> a.getRuleId().equals("CMP-AUTH-003"))
                .extracting(Alert::getAlertId).containsOnly(out.get(0).getAlertId());
        Alert last = out.get(out.size() - 1);
        assertThat(last.getOpenedAt().toEpochMilli()).as("opened at the first attempt").isEqualTo(T0);
        assertThat(last.getEvidence()).containsEntry("firstAt", String.valueOf(T0)).containsEntry("addressCount", "3");
        assertThat(out.get(0).getOpenedAt().toEpochMilli()).isEqualTo(T0 + 2 * gap);
    }

    @Test
    void aLateEventNeverMovesAnAlertLaterAndABurstIsBackdatedOnlyWhereItsEventsShowIt() {
        // 5 failures within 60 s opened CMP-AUTH-001 at the 5th; a late failure 10 min earlier cannot have completed a
        // burst of 5 (the kept events say so): no backdating, no revision dated before the burst.
        SecuritySubject id = new SecuritySubject(SecuritySubject.Kind.CLAIMED_IDENTITY, "_front-door", "cam-7");
        Map<String, BurstWindow> st = new HashMap<>();
        long start = T0 + 3_600_000L;
        for (int i = 0; i < 5; i++) {
            rules.onEvent(st, id, Events.authFailure("cam-7", "198.51.100.1", start + i * 1000L));
        }
        BurstWindow w = st.get("CMP-AUTH-001");
        assertThat(w.openedAt).isEqualTo(start + 4000);
        List<Finding> late = rules.onEvent(st, id, Events.authFailure("cam-7", "198.51.100.1", start - 600_000L));
        assertThat(w.openedAt).isEqualTo(start + 4000);
        assertThat(late).allMatch(f -> f.timestamp >= start + 4000);

        // A late failure inside the burst that completes 5 within 60 s earlier: backdated to where the kept events show.
        rules.onEvent(st, id, Events.authFailure("cam-7", "198.51.100.1", start - 500L));
        assertThat(w.openedAt).isEqualTo(start + 3000);

        // The alert stage keeps the earliest opening, whatever the order of revisions.
        AlertState s = new AlertState();
        lifecycle.apply(s, Finding.device("CMP-AUTH-003", Finding.Action.OPEN, "acme", "cam-1", T0 + 5000, "x").with("n", 1));
        lifecycle.apply(s, Finding.device("CMP-AUTH-003", Finding.Action.OPEN, "acme", "cam-1", T0 + 9000, "x").with("n", 2));
        assertThat(s.openedAt).isEqualTo(T0 + 5000);
        lifecycle.apply(s, Finding.device("CMP-AUTH-003", Finding.Action.OPEN, "acme", "cam-1", T0, "x").with("n", 3));
        assertThat(s.openedAt).isEqualTo(T0);
    }
}
