package io.fleetwarden.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.model.Scopes;

/**
 * Alert ids are keyed by what an unauthenticated client chooses (claimed client ids): they must not
 * collide for chosen inputs, and they must stay the same for the same input (replay, failover).
 */
class AlertIdsTest {

    private static final long T = 1_764_979_200_000L;

    private static String claimedKey(String claimedClientId, String ruleId) {
        return new SecuritySubject(SecuritySubject.Kind.CLAIMED_IDENTITY, Scopes.FRONT_DOOR, claimedClientId).key() + "#" + ruleId;
    }

    @Test
    void claimsWithTheSameJavaHashCodeGetDifferentIds() {
        Set<String> ids = new HashSet<>();
        Set<Integer> hashCodes = new HashSet<>();
        // "Aa" and "BB" have the same String.hashCode(); so does every concatenation of them of one length.
        for (String claim : new String[] {"AaAa", "AaBB", "BBAa", "BBBB"}) {
            String key = claimedKey("globex/" + claim, "CMP-AUTH-002");
            hashCodes.add(key.hashCode());
            ids.add(AlertIds.of(key, T));
        }
        assertThat(hashCodes).as("the test keys really collide in Java").hasSize(1);
        assertThat(ids).as("one alert id per claimed identity").hasSize(4);
    }

    @Test
    void deviceSubjectsWithCollidingHashCodesGetDifferentIds() {
        Finding a = Finding.device("CMP-AUTH-001", Finding.Action.OPEN, "acme", "cam-Aa", T, "x");
        Finding b = Finding.device("CMP-AUTH-001", Finding.Action.OPEN, "acme", "cam-BB", T, "x");
        assertThat(a.alertKey().hashCode()).isEqualTo(b.alertKey().hashCode());
        assertThat(AlertIds.of(a.alertKey(), T)).isNotEqualTo(AlertIds.of(b.alertKey(), T));
    }

    @Test
    void theSameInputAlwaysYieldsTheSameIdAndTheOpenTimeCounts() {
        String key = "acme/cam-1#CMP-AUTH-001";
        assertThat(AlertIds.of(key, T)).isEqualTo(AlertIds.of(key, T));
        assertThat(AlertIds.of(key, T + 1)).isNotEqualTo(AlertIds.of(key, T));
        // pinned: computed independently (SHA-256 of "acme/cam-1#CMP-AUTH-001@1764979200000", RFC 9562 v8 bits);
        // a change here re-ids every replayed alert, so it must be deliberate
        assertThat(AlertIds.of(key, T)).isEqualTo("85670d56-d5bf-8b99-802f-0f1293f0ab6b");
        assertThat(AlertIds.of(claimedKey("Aa", "CMP-AUTH-002"), T)).isEqualTo("7ccb9d08-e730-8c1b-be7c-875b5bac8a53");
        assertThat(AlertIds.of(claimedKey("BB", "CMP-AUTH-002"), T)).isEqualTo("03347d30-f4b7-8204-8d7d-5d2d929d6ee5");
    }

    @Test
    void idsAreVersion8UuidsFromSha256NotMd5() {
        String key = claimedKey("anything \u00e9\u4e2d", "CMP-AUTH-003");
        UUID id = UUID.fromString(AlertIds.of(key, T));
        assertThat(id.version()).isEqualTo(8);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.toString()).hasSize(36)
                .isNotEqualTo(UUID.nameUUIDFromBytes((key + "@" + T).getBytes(StandardCharsets.UTF_8)).toString());
    }
}
