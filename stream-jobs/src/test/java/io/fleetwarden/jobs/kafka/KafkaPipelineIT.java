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
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
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
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.jobs.LocalMain;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.InfluxDbExtension;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * The job as deployed: real Kafka (KRaft, in-process) in and out with exactly-once sinks, real
 * InfluxDB ({@code influxd}), Flink MiniCluster with parallelism 2. Simulated streams in; alerts,
 * device status, dead letters and InfluxDB points out; and a failover that cancels the job
 * mid-stream and resumes it from its last checkpoint without losing or duplicating alerts.
 */
class KafkaPipelineIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(TopicSpec.of(Topics.TELEMETRY).withPartitions(2))
            .topic(TopicSpec.of(Topics.SECURITY_EVENTS).withPartitions(2))
            .topic(TopicSpec.of(Topics.DEVICE_EVENTS).withPartitions(2))
            .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG))
            .topic(TopicSpec.compacted(Topics.ADVISORIES))
            .topic(TopicSpec.compacted(Topics.ERASURES))
            .topic(TopicSpec.of(Topics.ALERTS).withPartitions(2))
            .topic(TopicSpec.compacted(Topics.DEVICE_STATUS).withPartitions(2))
            .topic(TopicSpec.of(Topics.DEAD_LETTERS))
            .build();

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleetwarden");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(conf()).build());

    static Configuration conf() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return c;
    }

    /** Event time of the simulated streams: now, so that Kafka retention never touches the records. */
    static final long BASE = System.currentTimeMillis() / 60_000 * 60_000;

    @TempDir
    Path checkpoints;

    private JobOptions options(String name) {
        return JobOptions.parse(new String[] {
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--influx-url", INFLUX.url(), "--influx-db", INFLUX.database(), "--influx-batch", "100",
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "500ms",
                "--group-id", name, "--transactional-id-prefix", name,
                "--parallelism", "2", "--idleness", "1s", "--out-of-orderness", "1s"});
    }

    private static JobClient start(JobOptions o, String restoreFrom) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FleetDetectionJobMain.build(env, o);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("fleetwarden-it");
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom, false));
        }
        return env.executeAsync(graph);
    }

    /** Telnet appears on the given devices (of tenant {@code tenant}), 5 reports each, 30 s apart. */
    private static void produceTelnet(String tenant, int fromDevice, int toDevice, long start) throws Exception {
        try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
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

    @Test
    @Timeout(180)
    void streamsInAlertsStatusDeadLettersAndPointsOut() throws Exception {
        String tenant = "pipeline";
        JobClient job = start(options("pipeline"), null);
        try {
            produceTelnet(tenant, 0, 3, BASE);
            try (var p = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 12; i++) {
                    SecurityEvent e = Events.authFailure("guess-" + i, "203.0.113.77", BASE + 5000 + i * 1000L);
                    e.setTenant(null);
                    p.send(new ProducerRecord<>(Topics.SECURITY_EVENTS, "addr:203.0.113.77".getBytes(StandardCharsets.UTF_8),
                            Codecs.SECURITY_EVENT.encode(e)));
                }
                p.send(new ProducerRecord<>(Topics.TELEMETRY, "pipeline/bad".getBytes(StandardCharsets.UTF_8),
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
                for (int i = 0; i < 5; i++) { // a boot loop on fleet.device-events
                    var boot = io.fleetwarden.jobs.detect.Lifecycles.boot("cam-1", BASE + 6000 + i * 1000L);
                    boot.setTenant(tenant);
                    p.send(new ProducerRecord<>(Topics.DEVICE_EVENTS, DeviceKeys.of(tenant, "cam-1").getBytes(StandardCharsets.UTF_8),
                            Codecs.DEVICE_EVENT.encode(boot)));
                }
            }

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                List<Alert> alerts = alerts(tenant);
                assertThat(alerts).filteredOn(a -> a.getRuleId().equals("CMP-NET-001"))
                        .extracting(Alert::getDeviceId).containsExactlyInAnyOrder("cam-0", "cam-1", "cam-2");
            });
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(alerts(tenant)).as("lifecycle events reach the per-device rules")
                            .anyMatch(a -> a.getRuleId().equals("RES-BOOT-001") && a.getDeviceId().equals("cam-1")));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(alerts(SecuritySubjectTenant.FRONT_DOOR)).anyMatch(a -> a.getRuleId().equals("CMP-AUTH-002")
                            && "203.0.113.77".equals(a.getCohortValue())));

            var dead = KAFKA.consume(Topics.DEAD_LETTERS, 1, Duration.ofSeconds(30), new StringDeserializer(), new ByteArrayDeserializer());
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo(Topics.TELEMETRY);
                assertThat(new String(r.headers().lastHeader(Serializers.H_REASON).value(), StandardCharsets.UTF_8)).isEqualTo("bad-header");
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("not");
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<DeviceStatus> statuses = new ArrayList<>();
                for (var r : KAFKA.consume(Topics.DEVICE_STATUS, Integer.MAX_VALUE, Duration.ofSeconds(2),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
                    statuses.add(Codecs.DEVICE_STATUS.tryDecode(r.value()).value());
                }
                assertThat(statuses).anyMatch(s -> s.getDeviceId().equals("cam-0") && s.getRiskScore() >= 40
                        && s.getFailingGuidelines().contains(6));
            });

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                QueryResult health = INFLUX.newClient().query(new Query(
                        "SELECT count(cpu_percent) FROM device_health WHERE tenant = 'pipeline'", INFLUX.database()));
                assertThat(health.getResults().get(0).getSeries()).isNotNull();
                assertThat(((Number) health.getResults().get(0).getSeries().get(0).getValues().get(0).get(1)).intValue()).isEqualTo(15);
                QueryResult alerts = INFLUX.newClient().query(new Query(
                        "SELECT alert_id FROM alerts WHERE tenant = 'pipeline' AND rule = 'CMP-NET-001'", INFLUX.database()));
                assertThat(alerts.getResults().get(0).getSeries().get(0).getValues()).hasSize(3);
            });
        } finally {
            job.cancel().get();
        }
    }

    @Test
    @Timeout(240)
    void failoverFromCheckpointLosesAndDuplicatesNoAlert() throws Exception {
        String tenant = "failover";
        JobOptions o = options("failover");
        JobClient first = start(o, null);
        produceTelnet(tenant, 0, 10, BASE + 3_600_000L);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(alerts(tenant)).filteredOn(a -> a.getRuleId().equals("CMP-NET-001")).hasSize(10));
        // Mid-stream: more input, then the job dies before it can checkpoint all of it.
        produceTelnet(tenant, 10, 20, BASE + 3_600_000L + 200_000L);
        first.cancel().get();

        AtomicReference<Path> latest = new AtomicReference<>();
        latest.set(LocalMain.latestCheckpoint(checkpoints).orElseThrow());
        JobClient second = start(o, latest.get().toUri().toString());
        try {
            produceTelnet(tenant, 20, 25, BASE + 3_600_000L + 400_000L);
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                List<Alert> telnet = alerts(tenant).stream().filter(a -> a.getRuleId().equals("CMP-NET-001")).toList();
                Set<String> devices = new HashSet<>();
                telnet.forEach(a -> devices.add(a.getDeviceId()));
                assertThat(devices).hasSize(25);
            });
            List<Alert> all = alerts(tenant);
            Set<String> seen = new HashSet<>();
            for (Alert a : all) {
                assertThat(seen.add(a.getAlertId() + "#" + a.getRevision())).as("duplicate revision %s", a).isTrue();
            }
            Map<String, Long> opensPerDevice = new java.util.TreeMap<>();
            all.stream().filter(a -> a.getRuleId().equals("CMP-NET-001") && a.getRevision() == 1)
                    .forEach(a -> opensPerDevice.merge(a.getDeviceId(), 1L, Long::sum));
            assertThat(opensPerDevice).hasSize(25).allSatisfy((d, n) -> assertThat(n).as(d).isEqualTo(1L));
        } finally {
            second.cancel().get();
        }
    }

    /** The tenant the job uses for subjects without a verified identity. */
    static final class SecuritySubjectTenant {
        static final String FRONT_DOOR = io.fleetwarden.model.Scopes.FRONT_DOOR;
    }
}
