package io.fleetwarden.simulator.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.simulator.kafka.KafkaPlatformFeed;
import io.fleetwarden.simulator.model.DeviceModel;
import io.fleetwarden.simulator.model.DeviceModels;
import io.fleetwarden.simulator.model.FirmwareCatalog;
import io.fleetwarden.simulator.scenario.GroundTruthRecord;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * A time-warped replay straight to Kafka: reference data first (firmware catalog with the releases
 * rolled out during the replay, advisories), then every telemetry record and security event in
 * broker-time order, encoded with the event-model codecs and keyed as the broker extension keys them;
 * then the ground truth.
 *
 * <p>Reference topics are compacted state that the detection job applies on arrival, not in event
 * time; they are therefore written up front, dated in simulated time (a release rolled out on day 2 is
 * listed from the start with its day-2 release date).
 */
public final class Replay {

    /**
     * What a replay produced.
     *
     * @param runId          ground-truth run id
     * @param telemetry      telemetry records written
     * @param securityEvents security events written
     * @param deviceHours    simulated device-hours
     * @param elapsed        wall time of simulation and writing
     * @param groundTruth    the ground-truth records (also written to the file, when one was given)
     */
    public record Result(String runId, long telemetry, long securityEvents, double deviceHours, Duration elapsed,
                         List<GroundTruthRecord> groundTruth) {

        public double eventsPerSecond() {
            return (telemetry + securityEvents) / Math.max(1e-3, elapsed.toMillis() / 1000.0);
        }

        public double deviceHoursPerSecond() {
            return deviceHours / Math.max(1e-3, elapsed.toMillis() / 1000.0);
        }
    }

    private Replay() {
    }

    /** Run id: the seed and a hash of the options, so two different replays never share one. */
    public static String runId(ReplayOptions o) {
        return "replay-" + o.seed() + "-" + Integer.toHexString(o.hashCode());
    }

    /** Simulates without writing anywhere but {@code sink} (tests, dry runs). */
    public static Result simulate(ReplayOptions o, ReplayEngine.Sink sink) {
        long t0 = System.nanoTime();
        ReplayEngine engine = new ReplayEngine(o, sink);
        engine.plan();
        engine.run();
        String runId = runId(o);
        return new Result(runId, engine.telemetryCount(), engine.securityEventCount(), engine.deviceHours(),
                Duration.ofNanos(System.nanoTime() - t0), ReplayGroundTruth.records(engine, o, runId));
    }

    /**
     * Writes the replay to Kafka and the ground truth to {@code groundTruth}.
     *
     * @throws IllegalStateException when Kafka refused a record (the first error is named)
     */
    public static Result toKafka(ReplayOptions o, String bootstrapServers, Path groundTruth) {
        try (KafkaPlatformFeed feed = new KafkaPlatformFeed(bootstrapServers)) {
            feed.publishCatalog(catalog(o));
            feed.publishAdvisories(advisories(o));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L << 20));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fleet-simulator-replay");
        AtomicReference<Exception> failure = new AtomicReference<>();
        Result result;
        KafkaClientSecurity.configured().applyTo(p);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ReplayEngine.Sink sink = new ReplayEngine.Sink() {
                @Override
                public void telemetry(Telemetry t) {
                    send(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of(t.getTenant(), t.getDeviceId()), Codecs.TELEMETRY.encode(t)));
                }

                @Override
                public void securityEvent(SecurityEvent e) {
                    send(new ProducerRecord<>(Topics.SECURITY_EVENTS, Topics.securityEventKey(e), Codecs.SECURITY_EVENT.encode(e)));
                }

                private void send(ProducerRecord<String, byte[]> r) {
                    if (failure.get() != null) {
                        throw new IllegalStateException("Kafka refused a replay record: " + failure.get(), failure.get());
                    }
                    producer.send(r, (meta, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
            };
            long t0 = System.nanoTime();
            Result simulated = simulate(o, sink);
            producer.flush();
            result = new Result(simulated.runId(), simulated.telemetry(), simulated.securityEvents(), simulated.deviceHours(),
                    Duration.ofNanos(System.nanoTime() - t0), simulated.groundTruth());
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Kafka refused a replay record: " + failure.get(), failure.get());
        }
        if (groundTruth != null) {
            ReplayGroundTruth.write(groundTruth, result.groundTruth());
        }
        return result;
    }

    /** One catalog entry per model: its releases dated relative to the replay start, plus the release rolled out during it. */
    public static List<FirmwareCatalogEntry> catalog(ReplayOptions o) {
        ReplayEngine probe = new ReplayEngine(o, NO_SINK);
        probe.plan();
        List<FirmwareCatalogEntry> out = new ArrayList<>();
        for (DeviceModel m : DeviceModels.ALL) {
            out.add(probe.catalogEntry(m));
        }
        return out;
    }

    /**
     * The start-up advisories of the live run plus one per model on its second-oldest release (which no
     * genuine device runs; the vulnerable-firmware attack joins a device running it).
     */
    public static List<Advisory> advisories(ReplayOptions o) {
        List<Advisory> out = new ArrayList<>(FirmwareCatalog.initialAdvisories(o.start()));
        int n = 1;
        for (DeviceModel m : DeviceModels.ALL) {
            out.add(Advisory.newBuilder()
                    .setAdvisoryId(String.format("FWSA-RPL-%04d", n++))
                    .setModel(m.name())
                    .setAffectedVersions("[" + m.releases().get(1).version() + "," + m.releases().get(2).version() + ")")
                    .setFixedVersion(m.releases().get(2).version())
                    .setCveIds(List.of(String.format("CVE-2025-3%04d", n)))
                    .setSeverity(Severity.HIGH)
                    .setTitle("Authentication bypass in the local management interface")
                    .setPublishedAt(o.start().minus(Duration.ofDays(100)))
                    .build());
        }
        return out;
    }

    private static final ReplayEngine.Sink NO_SINK = new ReplayEngine.Sink() {
        @Override
        public void telemetry(Telemetry telemetry) {
        }

        @Override
        public void securityEvent(SecurityEvent event) {
        }
    };
}
