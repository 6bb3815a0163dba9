package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import io.fleetwarden.model.Topics;

class TopicInitializerTest {

    @Test
    void plansEveryTopicWithItsCompactionAndCappedPartitions() {
        List<NewTopic> planned = TopicInitializer.plannedTopics(Topics.ALL, (short) 1, 3);

        assertThat(planned).extracting(NewTopic::name)
                .containsExactlyElementsOf(Topics.ALL.stream().map(t -> t.name()).toList());
        assertThat(planned).allSatisfy(t -> assertThat(t.numPartitions()).isBetween(1, 3));
        assertThat(planned.stream().filter(t -> t.name().equals(Topics.DEVICE_CONTROLS)).findFirst().orElseThrow()
                .configs()).containsEntry("cleanup.policy", "compact");
        assertThat(planned.stream().filter(t -> t.name().equals(Topics.TELEMETRY)).findFirst().orElseThrow()
                .configs()).containsEntry("cleanup.policy", "delete");
        assertThat(planned.stream().filter(t -> t.name().equals(Topics.ALERTS)).findFirst().orElseThrow()
                .configs()).containsEntry("cleanup.policy", "compact").containsEntry("min.compaction.lag.ms", "604800000");
    }

    @Test
    void keepsSpecPartitionsWhenNotCapped() {
        List<NewTopic> planned = TopicInitializer.plannedTopics(Topics.ALL, (short) 3, Integer.MAX_VALUE);

        assertThat(planned.get(0).numPartitions()).isEqualTo(Topics.ALL.get(0).partitions());
        assertThat(planned.get(0).replicationFactor()).isEqualTo((short) 3);
    }

    @Test
    void aReplicatedClusterGetsMinInsyncReplicasOneBelowTheReplicationFactor() {
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1", "--replication", "3"}).minInsyncReplicas())
                .isEqualTo((short) 2);
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1", "--replication", "2"}).minInsyncReplicas())
                .isEqualTo((short) 1);
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1"}).minInsyncReplicas()).isEqualTo((short) 1);
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1", "--replication", "5",
                "--min-insync-replicas", "3"}).minInsyncReplicas()).isEqualTo((short) 3);
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--replication", "3",
                "--min-insync-replicas", "4"})).hasMessageContaining("--min-insync-replicas").hasMessageContaining("'4'");

        List<NewTopic> planned = TopicInitializer.plannedTopics(Topics.ALL, (short) 3, (short) 2, Integer.MAX_VALUE);
        assertThat(planned).allSatisfy(t -> {
            assertThat(t.replicationFactor()).isEqualTo((short) 3);
            assertThat(t.configs()).containsEntry("min.insync.replicas", "2");
        });
    }

    @Test
    void parsesOptionsAndRefusesBadOnes() {
        TopicInitializer.Options options = TopicInitializer.Options.parse(
                new String[] {"--bootstrap", "localhost:9092", "--max-partitions", "2", "--wait-seconds", "5"});
        assertThat(options.bootstrap()).isEqualTo("localhost:9092");
        assertThat(options.maxPartitions()).isEqualTo(2);
        assertThat(options.replication()).isEqualTo((short) 1);
        assertThat(options.waitFor()).isEqualTo(Duration.ofSeconds(5));
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1", "--wait", "PT2M"}).waitFor())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1", "--wait", "90s", "--replication", "3"}))
                .satisfies(o -> {
                    assertThat(o.waitFor()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(o.replication()).isEqualTo((short) 3);
                    assertThat(o.maxPartitions()).isEqualTo(Integer.MAX_VALUE);
                });
        assertThat(TopicInitializer.Options.parse(new String[] {"--bootstrap", "k:1"}).waitFor())
                .as("default").isEqualTo(Duration.ofSeconds(60));

        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {}))
                .hasMessageContaining("--bootstrap");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bogus", "1", "--bootstrap", "x:1"}))
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap"}))
                .hasMessageContaining("--bootstrap").hasMessageContaining("Missing required parameter");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--replication", "0"}))
                .hasMessageContaining("--replication").hasMessageContaining("'0'");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--max-partitions", "many"}))
                .hasMessageContaining("--max-partitions").hasMessageContaining("'many'");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--wait", "-5s"}))
                .hasMessageContaining("--wait").hasMessageContaining("'-5s'");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--wait", "99999999999999999999d"}))
                .hasMessageContaining("--wait").hasMessageContaining("maximum");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--wait-seconds", "-5"}))
                .hasMessageContaining("--wait-seconds").hasMessageContaining("'-5'");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap", "x:1", "--wait-seconds", "9223372036854775807"}))
                .hasMessageContaining("--wait-seconds").hasMessageContaining("maximum");
    }

    @Test
    void helpNeedsNoOtherOptionAndListsThemAll() {
        assertThat(TopicInitializer.Options.parse(new String[] {"--help"}).helpRequested()).isTrue();
        assertThat(TopicInitializer.Options.usage())
                .contains("--bootstrap", "--replication", "--max-partitions", "--wait", "--wait-seconds", "--help");
    }

    @Test
    void topicProbeReadsItsOptions() {
        assertThat(TopicProbe.parse("--bootstrap", "k:1", "--topic", "t").timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(TopicProbe.parse("--bootstrap", "k:1", "--topic", "t", "--timeout-seconds", "7").timeout())
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(TopicProbe.parse("--bootstrap", "k:1", "--topic", "t", "--timeout", "2m").timeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> TopicProbe.parse("--bootstrap", "k:1")).hasMessageContaining("--topic");
        assertThatThrownBy(() -> TopicProbe.parse("--bootstrap", "k:1", "--topic", "t", "--timeout", "soon"))
                .hasMessageContaining("--timeout").hasMessageContaining("'soon'");
    }
}
