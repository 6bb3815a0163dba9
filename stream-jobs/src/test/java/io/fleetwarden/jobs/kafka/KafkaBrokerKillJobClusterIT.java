package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.InfluxDbExtension;
import io.fleetwarden.testsupport.KafkaCluster;

/**
 * The detection job (exactly-once alert sink, read_committed sources) on a three-node Kafka cluster of separate
 * processes at replication factor 3 and {@code min.insync.replicas=2}: a {@code kill -9} of the node leading
 * {@code fleet.alerts} partition 0 while telemetry keeps arriving. The producers and the job continue (the job may
 * restart from its last checkpoint, as in production), every device's alert is opened exactly once, and no alert
 * revision is on {@code fleet.alerts} twice; the node rejoins and detection goes on.
 */
class KafkaBrokerKillJobClusterIT {

    @RegisterExtension
    static final KafkaCluster KAFKA = KafkaCluster.builder()
            .eventModelTopics(Topics.TELEMETRY, Topics.SECURITY_EVENTS, Topics.DEVICE_EVENTS, Topics.FIRMWARE_CATALOG,
                    Topics.ADVISORIES, Topics.ERASURES, Topics.ALERTS, Topics.DEVICE_STATUS, Topics.DEAD_LETTERS)
            .build();

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleetwarden");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(conf()).build());

    /** A bounded restart strategy as in production: a failed transaction commit during fail-over restarts the job. */
    static Configuration conf() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        return c;
    }

    static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    @TempDir
    Path checkpoints;

    @Test
    @Timeout(600)
    void killingAKafkaNodeUnderLoadLosesAndDuplicatesNoAlert() throws Exception {
        String tenant = "kafkakill";
        JobOptions o = JobOptions.parse(new String[] {
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--influx-url", INFLUX.url(), "--influx-db", INFLUX.database(), "--influx-batch", "100",
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "500ms",
                "--group-id", tenant, "--transactional-id-prefix", tenant,
                "--parallelism", "2", "--idleness", "1s", "--out-of-orderness", "1s"});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FleetDetectionJobMain.build(env, o);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("fleetwarden-kafka-kill-it");
        JobClient job = env.executeAsync(graph);
        try {
            produceTelnet(tenant, 0, 10, BASE + 3_600_000L);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(10));

            int victim = KAFKA.leaderOf(Topics.ALERTS, 0);
            KAFKA.kill(victim);
            // producers continue while the node is dead
            produceTelnet(tenant, 10, 20, BASE + 3_600_000L + 200_000L);
            await().atMost(Duration.ofSeconds(240)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(20));
            assertThat(KAFKA.isRunning(victim)).isFalse();

            KAFKA.restart(victim);
            produceTelnet(tenant, 20, 25, BASE + 3_600_000L + 400_000L);
            await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> assertThat(telnetDevices(tenant)).hasSize(25));

            List<Alert> all = alerts(tenant);
            Set<String> seen = new HashSet<>();
            for (Alert a : all) {
                assertThat(seen.add(a.getAlertId() + "#" + a.getRevision())).as("duplicate revision %s", a).isTrue();
            }
            Map<String, Long> opensPerDevice = new TreeMap<>();
            all.stream().filter(a -> a.getRuleId().equals("CMP-NET-001") && a.getRevision() == 1)
                    .forEach(a -> opensPerDevice.merge(a.getDeviceId(), 1L, Long::sum));
            assertThat(opensPerDevice).hasSize(25).allSatisfy((d, n) -> assertThat(n).as(d).isEqualTo(1L));
            assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    /** Telnet appears on the given devices, 5 reports each, 30 s apart; idempotent acks=all producer. */
    private static void produceTelnet(String tenant, int fromDevice, int toDevice, long start) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>(KAFKA.producerProps());
        try (var p = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int step = 0; step < 5; step++) {
                for (int d = fromDevice; d < toDevice; d++) {
                    Telemetry t = Events.telemetry("cam-" + d, start + step * 30_000L + d).setTenant(tenant)
                            .setListeningPorts(List.of(80, 23)).build();
                    p.send(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of(tenant, t.getDeviceId()).getBytes(StandardCharsets.UTF_8),
                            Codecs.TELEMETRY.encode(t)));
                }
            }
            p.flush();
        }
    }

    private static Set<String> telnetDevices(String tenant) {
        Set<String> devices = new HashSet<>();
        alerts(tenant).stream().filter(a -> a.getRuleId().equals("CMP-NET-001")).forEach(a -> devices.add(a.getDeviceId()));
        return devices;
    }

    private static List<Alert> alerts(String tenant) {
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : KAFKA.consume(Topics.ALERTS, Integer.MAX_VALUE, Duration.ofSeconds(2),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            Alert a = Codecs.ALERT.tryDecode(r.value()).value();
            if (a.getTenant().equals(tenant)) {
                out.add(a);
            }
        }
        return out;
    }
}
