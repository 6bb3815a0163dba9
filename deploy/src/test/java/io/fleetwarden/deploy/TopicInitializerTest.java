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
    void parsesOptionsAndRefusesBadOnes() {
        TopicInitializer.Options options = TopicInitializer.Options.parse(
                new String[] {"--bootstrap", "localhost:9092", "--max-partitions", "2", "--wait-seconds", "5"});
        assertThat(options.bootstrap()).isEqualTo("localhost:9092");
        assertThat(options.maxPartitions()).isEqualTo(2);
        assertThat(options.waitFor()).isEqualTo(Duration.ofSeconds(5));

        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {}))
                .hasMessageContaining("--bootstrap");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bogus", "1", "--bootstrap", "x:1"}))
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> TopicInitializer.Options.parse(new String[] {"--bootstrap"}))
                .hasMessageContaining("needs a value");
    }
}
