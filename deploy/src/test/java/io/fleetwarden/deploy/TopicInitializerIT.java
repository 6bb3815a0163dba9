package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The topic initializer on a real KRaft broker: a cluster from before fleet.alerts was compacted is
 * switched to compaction without losing its records; a compacted topic the spec wants on delete
 * retention is refused; afterwards every topic carries exactly its spec's configs.
 */
class TopicInitializerIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            // what a pre-0.1.0 run created: alerts on delete retention, and a misconfigured telemetry topic
            .topic(io.fleetwarden.testsupport.TopicSpec.of(Topics.ALERTS).withConfig("cleanup.policy", "delete"))
            .topic(io.fleetwarden.testsupport.TopicSpec.compacted(Topics.TELEMETRY))
            .build();

    @Test
    void upgradesAlertsToCompactionKeepsTheirRecordsAndRefusesToCompactDeleteTopics() throws Exception {
        KAFKA.produce(Topics.ALERTS, "alert-1", "revision 1");

        assertThat(run()).as("a compacted telemetry topic is refused").isEqualTo(3);
        assertThat(KAFKA.topicConfig(Topics.ALERTS)).containsEntry("cleanup.policy", "compact")
                .containsEntry("min.compaction.lag.ms", "604800000");
        assertThat(KAFKA.consume(Topics.ALERTS, 1, Duration.ofSeconds(20))).singleElement()
                .satisfies(r -> assertThat(r.key()).isEqualTo("alert-1"));
        assertThat(KAFKA.topicConfig(Topics.TELEMETRY)).as("never switched to delete by the initializer")
                .containsEntry("cleanup.policy", "compact");

        // the operator fixes telemetry by hand; then the run succeeds and is idempotent
        ConfigResource telemetry = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TELEMETRY);
        KAFKA.admin().incrementalAlterConfigs(Map.of(telemetry, List.of(new AlterConfigOp(
                new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET)))).all().get();
        assertThat(run()).isZero();
        assertThat(run()).isZero();
        for (TopicSpec spec : Topics.ALL) {
            assertThat(KAFKA.topicConfig(spec.name())).as(spec.name()).containsAllEntriesOf(spec.configs());
        }
    }

    private static int run() throws InterruptedException {
        return TopicInitializer.run(TopicInitializer.Options.parse(new String[] {"--bootstrap", KAFKA.bootstrapServers(),
                "--replication", "1", "--max-partitions", "2", "--wait-seconds", "30"}));
    }
}
