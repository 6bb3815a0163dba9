package io.fleetwarden.simulator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.AvroCodec;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.simulator.fleet.FleetRunner;
import io.fleetwarden.simulator.fleet.FleetStats;
import io.fleetwarden.simulator.fleet.RunSettings;
import io.fleetwarden.simulator.kafka.KafkaPlatformFeed;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.model.TelemetryGenerator;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.simulator.scenario.ExpectedRules;
import io.fleetwarden.simulator.scenario.GroundTruthWriter;
import io.fleetwarden.simulator.scenario.ScenarioInstance;
import io.fleetwarden.simulator.scenario.ScenarioPlan;
import io.fleetwarden.simulator.scenario.ScenarioPlanner;
import io.fleetwarden.simulator.scenario.ScenarioType;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * The simulator against the real platform edge: the {@code fleetwarden-broker} launcher with the
 * packaged broker extension (device identity from the certificate, topic policy, validation, rate
 * limits, forwarding) and a real KRaft Kafka. A small fleet with this simulator's own PKI connects
 * over mutual TLS, attack scenarios run, and the test reads what the platform recorded on Kafka.
 */
class SimulatorPlatformIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topic(Topics.TELEMETRY, 3)
            .topic(Topics.SECURITY_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
            .topic(Topics.DEVICE_EVENTS, 3)
            .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG))
            .topic(TopicSpec.compacted(Topics.ADVISORIES))
            .build();

    @TempDir
    static Path dir;
    static FleetPki pki;
    static PackagedBroker broker;
    static int port;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = FleetPki.openOrCreate(dir.resolve("pki"), Clock.systemUTC());
        broker = PackagedBroker.start(dir, Path.of(System.getProperty("fleetwarden.it.extension-zip")), pki,
                KAFKA.bootstrapServers(), "sim-it-broker");
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void attacksOnASmallFleetShowUpAsSecurityEventsAndTelemetryOnKafka() throws Exception {
        Clock clock = Clock.systemUTC();
        Fleet fleet = Fleet.build(21, 20, "acme");
        List<ScenarioType> selection = List.of(ScenarioType.BOTNET_INFECTION, ScenarioType.CREDENTIAL_STUFFING,
                ScenarioType.TOPIC_PROBING, ScenarioType.MALFORMED_FLOOD, ScenarioType.PUBLISH_FLOOD,
                ScenarioType.CLONED_CERTIFICATE);
        ScenarioPlan plan = new ScenarioPlanner(ExpectedRules.load()).plan(fleet, selection,
                new ScenarioPlanner.Config(clock.instant(), Duration.ofSeconds(35), Duration.ofSeconds(6), Duration.ofSeconds(2)));
        assertThat(plan.skipped()).isEmpty();
        Map<ScenarioType, String> deviceOf = plan.instances().stream()
                .collect(Collectors.toMap(ScenarioInstance::type, s -> s.devices().get(0)));

        RunSettings settings = new RunSettings("localhost", port, "auto", 50, 16, 1, Duration.ofSeconds(35), Duration.ofSeconds(5));
        FleetStats stats;
        try (KafkaPlatformFeed feed = new KafkaPlatformFeed(KAFKA.bootstrapServers());
             GroundTruthWriter truth = new GroundTruthWriter(dir.resolve("gt.jsonl"), clock, "platform-it")) {
            stats = new FleetRunner(settings, plan, pki, feed, truth, clock, System.out::println).run();
        }
        assertThat(stats.peakConnected.get()).isEqualTo(20);

        List<Telemetry> telemetry = readAll(Topics.TELEMETRY, Codecs.TELEMETRY);
        assertThat(telemetry).extracting(Telemetry::getDeviceId).containsAll(
                fleet.devices().stream().map(d -> d.deviceId()).toList());
        assertThat(telemetry).allMatch(t -> t.getTenant().equals("acme"));
        assertThat(telemetry).filteredOn(t -> t.getDeviceId().equals(deviceOf.get(ScenarioType.BOTNET_INFECTION)))
                .anyMatch(t -> t.getListeningPorts().containsAll(TelemetryGenerator.BOTNET_PORTS));

        List<SecurityEvent> events = readAll(Topics.SECURITY_EVENTS, Codecs.SECURITY_EVENT);
        assertThat(events).filteredOn(e -> e.getType() == SecurityEventType.CONNECT)
                .extracting(SecurityEvent::getDeviceId).containsAll(fleet.devices().stream().map(d -> d.deviceId()).toList());
        // the stuffing presents the device's own (valid) certificate: the events name that device in its tenant
        assertThat(events).as("default credentials")
                .anyMatch(e -> e.getType() == SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT
                        && ("acme/" + deviceOf.get(ScenarioType.CREDENTIAL_STUFFING)).equals(e.getClaimedClientId())
                        && "acme".equals(e.getTenant()) && deviceOf.get(ScenarioType.CREDENTIAL_STUFFING).equals(e.getDeviceId()));
        assertThat(events).as("topic probing")
                .anyMatch(e -> e.getType() == SecurityEventType.AUTHORIZATION_FAILURE
                        && deviceOf.get(ScenarioType.TOPIC_PROBING).equals(e.getDeviceId()));
        assertThat(events).as("malformed flood")
                .filteredOn(e -> e.getType() == SecurityEventType.VALIDATION_FAILURE
                        && deviceOf.get(ScenarioType.MALFORMED_FLOOD).equals(e.getDeviceId()))
                .extracting(SecurityEvent::getReason)
                .contains(SecurityEventReasons.PAYLOAD_MALFORMED, SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        assertThat(events).as("publish flood")
                .anyMatch(e -> e.getReason().equals(SecurityEventReasons.RATE_LIMIT_EXCEEDED)
                        && deviceOf.get(ScenarioType.PUBLISH_FLOOD).equals(e.getDeviceId()));
        Set<String> cloneAddresses = events.stream()
                .filter(e -> e.getType() == SecurityEventType.CONNECT && deviceOf.get(ScenarioType.CLONED_CERTIFICATE).equals(e.getDeviceId()))
                .map(e -> e.getBroker().getSourceAddress()).collect(Collectors.toSet());
        assertThat(cloneAddresses).as("one identity from two addresses").contains("127.0.0.1", "127.0.0.2");

        Map<String, FirmwareCatalogEntry> catalog = readAll(Topics.FIRMWARE_CATALOG, Codecs.FIRMWARE_CATALOG).stream()
                .collect(Collectors.toMap(FirmwareCatalogEntry::getModel, Function.identity(), (a, b) -> b));
        assertThat(catalog).hasSize(3);
        assertThat(readAll(Topics.ADVISORIES, Codecs.ADVISORY)).extracting(Advisory::getAdvisoryId).contains("FWSA-SIM-0001", "FWSA-SIM-0002");
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, AvroCodec<T> codec) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put("enable.auto.commit", false);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(codec.tryDecode(r.value()).value());
                }
            }
        }
        return out;
    }
}
