package io.fleetwarden.simulator.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import io.fleetwarden.model.Topics;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * For measuring the simulator against the real edge by hand (not run by {@code verify}): an
 * in-process KRaft Kafka plus the {@code fleetwarden-broker} launcher with the packaged extension,
 * trusting the simulator's fleet CA. Prints the broker port and Kafka bootstrap, runs until killed.
 *
 * <p>Arguments: PKI folder, work folder, extension zip.
 */
public final class PlatformBrokerMain {

    private PlatformBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path pkiDir = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        Path zip = Path.of(args[2]);
        KafkaExtension kafka = KafkaExtension.builder()
                .topic(Topics.TELEMETRY, 3).topic(Topics.SECURITY_EVENTS, 3).topic(Topics.DEVICE_EVENTS, 3)
                .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
                .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG)).topic(TopicSpec.compacted(Topics.ADVISORIES))
                .build();
        kafka.start();
        FleetPki pki = FleetPki.openOrCreate(pkiDir, Clock.systemUTC());
        try (PackagedBroker broker = PackagedBroker.start(work, zip, pki, kafka.bootstrapServers(), "bench-broker")) {
            System.out.println("BROKER_PORT=" + broker.port());
            System.out.println("KAFKA=" + kafka.bootstrapServers());
            Thread.currentThread().join();
        } finally {
            kafka.close();
        }
    }
}
