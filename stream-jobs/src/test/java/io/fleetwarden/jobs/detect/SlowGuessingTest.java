package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEvent;

/**
 * CMP-AUTH-001/002's long horizon (slow password guessing): the same rule opens when the failures are spread out
 * over up to an hour, the evidence says which horizon opened it with the campaign's addresses or claimed identities,
 * and what an attacker controls (timestamps out of order, a flood of attempts, thousands of claimed ids) keeps the
 * state bounded.
 */
class SlowGuessingTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MIN = 60_000;

    private final SecurityRules rules = new SecurityRules(CFG);
    private final Map<String, Map<String, BurstWindow>> state = new HashMap<>();

    private List<Finding> feed(SecurityEvent e) {
        List<Finding> out = new ArrayList<>();
        for (SecuritySubject s : SecuritySubject.of(e)) {
            out.addAll(rules.onEvent(state.computeIfAbsent(s.key(), k -> new HashMap<>()), s, e));
        }
        return out;
    }

    @Test
    void anIdentityGuessedFromManyAddressesEveryFewMinutesOpensOnceWithTheAddresses() {
        List<Finding> out = new ArrayList<>();
        // 40 attempts, one every 4 min (never 5 within 60 s), rotating over 25 addresses.
        for (int i = 0; i < 40; i++) {
            out.addAll(feed(Events.authFailure("cam-7", "198.18.0." + (1 + i % 25), T0 + i * 4 * MIN)));
        }
        List<Finding> identity = out.stream().filter(f -> f.ruleId.equals("CMP-AUTH-001")).toList();
        assertThat(identity).isNotEmpty().allMatch(f -> f.action == Action.OPEN);
        Finding first = identity.get(0);
        assertThat(first.timestamp).as("opens at the 10th attempt").isEqualTo(T0 + 9 * 4 * MIN);
        assertThat(first.evidence).containsEntry("horizon", "long").containsEntry("slowThreshold", "10")
                .containsEntry("slowWindowSeconds", "3600").containsEntry("eventsInSlowWindow", "10")
                .containsEntry("addressCount", "10");
        // later revisions (events doubling) list the bounded set of addresses
        assertThat(identity.get(identity.size() - 1).evidence).containsEntry("addressCount", String.valueOf(BurstWindow.SOURCES_KEPT))
                .containsKey("eventsFromUnlistedAddresses");
        // one address per 25 attempts at most: no address reaches the per-address long horizon
        assertThat(out).noneMatch(f -> f.ruleId.equals("CMP-AUTH-002"));
    }

    @Test
    void aFastBurstStillSaysBurst() {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.addAll(feed(Events.authFailure("cam-7", "198.51.100.1", T0 + i * 1000L)));
        }
        assertThat(out).filteredOn(f -> f.ruleId.equals("CMP-AUTH-001")).singleElement()
                .satisfies(f -> assertThat(f.evidence).containsEntry("horizon", "burst"));
    }

    @Test
    void anAddressSprayingIdentitiesSlowlyListsTheClaimedIdentitiesBounded() {
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.addAll(feed(Events.authFailure("dev-" + Integer.toHexString(i * 7919), "203.0.113.9", T0 + i * 3 * MIN)));
        }
        Finding f = out.stream().filter(x -> x.ruleId.equals("CMP-AUTH-002")).findFirst().orElseThrow();
        assertThat(f.evidence).containsEntry("horizon", "long").containsEntry("claimedIdentityCount", String.valueOf(BurstWindow.SOURCES_KEPT))
                .containsEntry("eventsForUnlistedIdentities", "4").doesNotContainKey("addresses");
        assertThat(f.evidence.get("claimedIdentities")).startsWith("dev-0,");
    }

    @Test
    void outOfOrderAttemptsCountAndTheStateStaysBoundedUnderAFlood() {
        // Hostile timestamps: the attempts arrive in reverse order (a replay, or events from two brokers).
        List<Finding> out = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {
            out.addAll(feed(Events.authFailure("cam-9", "198.51.100.2", T0 + i * 5 * MIN)));
        }
        assertThat(out).anyMatch(f -> f.ruleId.equals("CMP-AUTH-001") && f.action == Action.OPEN);

        // A flood of 100,000 attempts from one address: the kept timestamps never exceed the larger threshold.
        SecuritySubject address = new SecuritySubject(SecuritySubject.Kind.SOURCE_ADDRESS, "_front-door", "203.0.113.50");
        Map<String, BurstWindow> st = new HashMap<>();
        int revisions = 0;
        for (int i = 0; i < 100_000; i++) {
            revisions += rules.onEvent(st, address, Events.authFailure("id-" + i, "203.0.113.50", T0 + i * 10L)).size();
        }
        BurstWindow w = st.get("CMP-AUTH-002");
        assertThat(w.recent).hasSize(Math.max(CFG.authAddressCount, CFG.authAddressSlowCount));
        assertThat(w.sources).hasSize(BurstWindow.SOURCES_KEPT);
        assertThat(revisions).as("doubling revisions, not one per attempt").isLessThan(20);
    }

    @Test
    void aClosedWindowIsKeptForTheLongHorizonThenDropped() {
        SecuritySubject id = new SecuritySubject(SecuritySubject.Kind.CLAIMED_IDENTITY, "_front-door", "cam-3");
        Map<String, BurstWindow> st = new HashMap<>();
        rules.onEvent(st, id, Events.authFailure("cam-3", "198.51.100.3", T0));
        assertThat(rules.nextTimer(st)).isEqualTo(T0 + CFG.authIdentitySlowWindowMs);
        assertThat(rules.onTimer(st, id, T0 + CFG.authIdentityWindowMs)).isEmpty();
        assertThat(st).as("kept within the long horizon").isNotEmpty();
        rules.onTimer(st, id, T0 + CFG.authIdentitySlowWindowMs);
        assertThat(st).isEmpty();
    }
}
