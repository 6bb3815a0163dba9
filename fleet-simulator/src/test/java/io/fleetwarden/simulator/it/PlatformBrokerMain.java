package io.fleetwarden.simulator.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;

import io.fleetwarden.broker.launcher.FleetwardenBroker;
import io.fleetwarden.broker.launcher.LauncherConfig;
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
                .topic(Topics.TELEMETRY, 3).topic(Topics.SECURITY_EVENTS, 3)
                .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS))
                .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG)).topic(TopicSpec.compacted(Topics.ADVISORIES))
                .build();
        kafka.start();
        FleetPki pki = FleetPki.openOrCreate(pkiDir, Clock.systemUTC());
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        SimulatorPlatformIT.unzipTo(zip, extensions);
        Path keystore = work.resolve("broker.p12");
        char[] keyPassword = FleetPki.writeKeyStore(keystore, pki.server("bench-broker", List.of("localhost", "127.0.0.1")));
        Path truststore = work.resolve("trust.p12");
        char[] trustPassword = pki.writeTrustStore(truststore);
        int port = SimulatorPlatformIT.freePortNumber();
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", keystore.toString());
        p.setProperty("tls.keystore.password", new String(keyPassword));
        p.setProperty("tls.truststore.path", truststore.toString());
        p.setProperty("tls.truststore.password", new String(trustPassword));
        p.setProperty("kafka.bootstrap-servers", kafka.bootstrapServers());
        p.setProperty("broker.id", "bench-broker");
        p.setProperty("extensions.folder", extensions.toString());
        p.setProperty("data.folder", work.resolve("data").toString());
        p.setProperty("fleetwarden.trust.ca-certificates", pki.caCertificateFile().toString());
        p.setProperty("fleetwarden.trust.crl-folder", Files.createDirectories(work.resolve("crl")).toString());
        p.setProperty("fleetwarden.metrics.port", "0");
        try (FleetwardenBroker broker = FleetwardenBroker.start(LauncherConfig.from(p, work))) {
            System.out.println("BROKER_PORT=" + port);
            System.out.println("KAFKA=" + kafka.bootstrapServers());
            Thread.currentThread().join();
        } finally {
            kafka.close();
        }
    }
}
