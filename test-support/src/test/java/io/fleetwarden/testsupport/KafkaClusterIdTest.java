package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The storage tool reads a cluster id that starts with '-' as an option ("--cluster-id: expected one argument"); a
 * plain base64url UUID starts with it one time in 64, which failed a CI run's cluster start.
 */
class KafkaClusterIdTest {

    @Test
    void clusterIdsAreKafkaUuidsThatNeverLookLikeAnOption() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = KafkaCluster.randomClusterId();
            assertThat(id).hasSize(22).doesNotStartWith("-").matches("[A-Za-z0-9_-]+");
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
