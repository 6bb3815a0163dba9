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
 * The job on a real Flink session cluster (a JobManager and two TaskManagers, each its own JVM, RocksDB state with
 * incremental checkpoints on local disk), submitted as a user submits it (REST: upload the job jar, run it), and a
 * TaskManager killed with SIGKILL while a steady telemetry stream flows: the job restarts from its last checkpoint,
 * no alert revision is lost or duplicated on {@code fleet.alerts} (read_committed), and keyed state survived: a
 * traffic baseline learnt before the kill detects a spike that starts at the kill.
 */
class FlinkFailoverClusterIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = ClusterFixture.kafka();

    @RegisterExtension
    static final SessionClusterExtension FLINK = new SessionClusterExtension("failover", 2, 2);

    @Test
    @Timeout(900)
    void killedTaskManagerLosesNoAlertDuplicatesNoneAndKeepsBaselines() throws Exception {
        String tenant = "failover";
        FlinkSessionCluster cluster = FLINK.cluster();
        String jobId = FLINK.submit(KAFKA, "failover", 2, null);
        List<String> groupA = FleetStream.devices(0, 5);
        List<String> groupB = FleetStream.devices(5, 10);
        try (FleetStream stream = FleetStream.startingHoursAgo(KAFKA, tenant)) {
            cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(300));
            JsonNode checkpointConfig = cluster.get("/jobs/" + jobId + "/checkpoints/config");
            assertThat(checkpointConfig.path("state_backend").asText()).as("state backend").containsIgnoringCase("rocksdb");
            assertThat(cluster.taskManagersOf(jobId)).as("the job's tasks are spread over both TaskManagers").hasSize(2);

            stream.steps(25); // every device learns its traffic baseline (20 reports)
            stream.startSteady(200); // 200 reports/s
            stream.spikeNext(groupA);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                    assertThat(ClusterFixture.alerts(KAFKA, tenant)).filteredOn(a -> a.getRuleId().equals(FleetStream.TRAFFIC_SPIKE))
                            .extracting(Alert::getDeviceId).containsAll(groupA));
            long before = cluster.completedCheckpoints(jobId);
            cluster.awaitCompletedCheckpoints(jobId, before + 1, Duration.ofSeconds(30));

            // Group B spikes from the next step, and a TaskManager running the job dies at once (SIGKILL).
            stream.spikeNext(groupB);
            String victim = cluster.taskManagersOf(jobId).iterator().next();
            long killedAt = System.nanoTime();
            cluster.killTaskManager(victim);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.restoredCount(jobId) >= 1 && cluster.allTasksRunning(jobId));
            long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
            JsonNode restored = cluster.checkpoints(jobId).path("latest").path("restored");
            assertThat(restored.isObject()).as("restored from a checkpoint: %s", cluster.checkpoints(jobId)).isTrue();
            assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
            assertThat(cluster.taskManagersOf(jobId)).doesNotContain(victim);
            System.out.printf("cluster failover: TaskManager %s killed, job running again after %d ms, restored checkpoint %d%n",
                    victim, recoveredMs, restored.path("id").asLong());

            Thread.sleep(3_000); // the stream flows on through the restored job
            int steps = stream.stopSteady();
            long done = cluster.completedCheckpoints(jobId);
            cluster.awaitCompletedCheckpoints(jobId, done + 2, Duration.ofSeconds(60));

            List<String> expected = stream.expectedTrafficAlertIds();
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
                List<Alert> alerts = ClusterFixture.alerts(KAFKA, tenant);
                assertThat(ClusterFixture.openedByRule(alerts).getOrDefault(FleetStream.TRAFFIC_SPIKE, Set.of()))
                        .as("CMP-NET-004 opened exactly for the spikes, baselines learnt before the kill included")
                        .containsExactlyInAnyOrderElementsOf(expected);
            });
            // Nothing more arrives once the stream stopped and checkpoints committed: read once more and judge all of it.
            List<Alert> alerts = ClusterFixture.alerts(KAFKA, tenant);
            ClusterFixture.assertExactlyOnce(alerts);
            Set<String> spiked = Set.copyOf(stream.spikedDevices());
            assertThat(alerts).as("no alert about a device that did nothing unusual (%d steps)", steps)
                    .allSatisfy(a -> assertThat(spiked).contains(a.getDeviceId()));
            assertThat(alerts).filteredOn(a -> a.getRuleId().equals(FleetStream.TRAFFIC_SPIKE))
                    .as("every spike opened and then resolved: two revisions each")
                    .hasSize(2 * expected.size());
            System.out.println("cluster failover: alerts " + alerts.stream()
                    .collect(Collectors.groupingBy(Alert::getRuleId, Collectors.counting())));
        } finally {
            try {
                cluster.cancel(jobId);
            } catch (RuntimeException e) {
                // the failure above is the one to report
            }
        }
    }
}
