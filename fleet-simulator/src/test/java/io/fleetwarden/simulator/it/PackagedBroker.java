package io.fleetwarden.simulator.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import io.fleetwarden.broker.launcher.FleetwardenBroker;
import io.fleetwarden.broker.launcher.LauncherConfig;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.testsupport.Archives;
import io.fleetwarden.testsupport.Ports;

/**
 * The real {@code fleetwarden-broker} launcher with the packaged extension zip unpacked into a work
 * folder, trusting the simulator's fleet CA, on a free loopback port. Used by the platform IT and by
 * {@link PlatformBrokerMain}.
 *
 * @param broker the running broker; close it to stop
 * @param port   its MQTT/TLS port
 */
record PackagedBroker(FleetwardenBroker broker, int port) implements AutoCloseable {

    static PackagedBroker start(Path work, Path extensionZip, FleetPki pki, String kafkaBootstrap, String brokerId)
            throws Exception {
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        Archives.unzip(extensionZip, extensions);
        Path keystore = work.resolve("broker.p12");
        char[] keyPassword = FleetPki.writeKeyStore(keystore, pki.server(brokerId, List.of("localhost", "127.0.0.1")));
        Path truststore = work.resolve("trust.p12");
        char[] trustPassword = pki.writeTrustStore(truststore);
        int port = Ports.freePort();
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", keystore.toString());
        p.setProperty("tls.keystore.password", new String(keyPassword));
        p.setProperty("tls.truststore.path", truststore.toString());
        p.setProperty("tls.truststore.password", new String(trustPassword));
        p.setProperty("kafka.bootstrap-servers", kafkaBootstrap);
        p.setProperty("broker.id", brokerId);
        p.setProperty("extensions.folder", extensions.toString());
        p.setProperty("data.folder", work.resolve("data").toString());
        p.setProperty("fleetwarden.trust.ca-certificates", pki.caCertificateFile().toString());
        p.setProperty("fleetwarden.trust.crl-folder", Files.createDirectories(work.resolve("crl")).toString());
        p.setProperty("fleetwarden.metrics.port", "0");
        return new PackagedBroker(FleetwardenBroker.start(LauncherConfig.from(p, work)), port);
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }
}
