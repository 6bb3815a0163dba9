package io.fleetwarden.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.model.Alert;
import io.fleetwarden.testsupport.FlinkSessionCluster;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Rescaling the job on a real Flink session cluster through a savepoint, as an operator does it: the job runs
 * with parallelism 2 on two one-slot TaskManagers, is stopped with a savepoint over REST, a third TaskManager
 * with two slots joins, and the job is resubmitted from the savepoint with parallelism 4. Keyed state is
 * redistributed over four subtasks: traffic baselines learnt before the rescale still detect spikes after it,
 * and no alert revision is lost or duplicated across the stop and the restart.
 */
class FlinkRescaleClusterIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = ClusterFixture.kafka();

    @RegisterExtension
    static final SessionClusterExtension FLINK = new SessionClusterExtension("rescale", 2, 1);

    @Test
    @Timeout(900)
    void rescaleFromTwoToFourSlotsThroughASavepointKeepsBaselines() throws Exception {
        String tenant = "rescale";
        FlinkSessionCluster cluster = FLINK.cluster();
        String first = FLINK.submit(KAFKA, "rescale", 2, null);
        String second = null;
        List<String> groupA = FleetStream.devices(0, 5);
        List<String> groupB = FleetStream.devices(5, 25);
        try (FleetStream stream = FleetStream.startingHoursAgo(KAFKA, tenant)) {
            cluster.awaitAllTasksRunning(first, Duration.ofSeconds(300));
            stream.steps(25); // traffic baselines learnt (20 reports)
            stream.spikeNext(groupA);
            stream.steps(5);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                    assertThat(ClusterFixture.alerts(KAFKA, tenant)).filteredOn(a -> a.getRuleId().equals(FleetStream.TRAFFIC_SPIKE))
                            .extracting(Alert::getDeviceId).containsAll(groupA));

            String savepoint = cluster.stopWithSavepoint(first, Duration.ofSeconds(120));
            assertThat(cluster.job(first).path("state").asText()).isEqualTo("FINISHED");
            stream.steps(2); // the fleet does not wait for the operator: Kafka keeps it
            cluster.startTaskManager(2);
            cluster.awaitTaskManagers(3, Duration.ofSeconds(240));
            // a TaskManager registers before its slot report reaches the ResourceManager: the overview catches up
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(cluster.overview().path("slots-total").asInt()).isEqualTo(4));

            second = FLINK.submit(KAFKA, "rescale", 4, savepoint);
            cluster.awaitAllTasksRunning(second, Duration.ofSeconds(300));
            JsonNode job = cluster.job(second);
            List<String> atFour = new java.util.ArrayList<>();
            job.path("vertices").forEach(v -> {
                if (v.path("parallelism").asInt() == 4) {
                    atFour.add(v.path("name").asText());
                }
            });
            assertThat(atFour).as("keyed per-device operators run with parallelism 4").anyMatch(n -> n.contains("device-"));
            assertThat(cluster.taskManagersOf(second)).as("the rescaled job uses the new TaskManager too").hasSize(3);
            JsonNode restored = cluster.checkpoints(second).path("latest").path("restored");
            assertThat(restored.path("is_savepoint").asBoolean()).as("restored from the savepoint: %s", restored).isTrue();

            stream.spikeNext(groupB); // 20 devices spread over the four key-group ranges
            stream.steps(6);
            List<String> expected = stream.expectedTrafficAlertIds();
            String secondJob = second;
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
                List<Alert> alerts = ClusterFixture.alerts(KAFKA, tenant);
                assertThat(ClusterFixture.openedByRule(alerts).getOrDefault(FleetStream.TRAFFIC_SPIKE, Set.of()))
                        .as("CMP-NET-004 opened exactly for the spikes, those after the rescale from baselines learnt before it")
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(alerts).filteredOn(a -> a.getRuleId().equals(FleetStream.TRAFFIC_SPIKE))
                        .as("each spike opened and resolved").hasSize(2 * expected.size());
            });
            long done = cluster.completedCheckpoints(secondJob);
            cluster.awaitCompletedCheckpoints(secondJob, done + 2, Duration.ofSeconds(60));
            List<Alert> alerts = ClusterFixture.alerts(KAFKA, tenant);
            ClusterFixture.assertExactlyOnce(alerts);
            Set<String> spiked = Set.copyOf(stream.spikedDevices());
            assertThat(alerts).allSatisfy(a -> assertThat(spiked).contains(a.getDeviceId()));
            System.out.println("cluster rescale: alerts " + alerts.stream()
                    .collect(Collectors.groupingBy(Alert::getRuleId, Collectors.counting())));
        } finally {
            try {
                cluster.cancel(second != null ? second : first);
            } catch (RuntimeException e) {
                // the failure above is the one to report
            }
        }
    }
}
