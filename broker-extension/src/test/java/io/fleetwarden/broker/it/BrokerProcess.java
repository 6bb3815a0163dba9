package io.fleetwarden.broker.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.fleetwarden.testsupport.Archives;
import io.fleetwarden.testsupport.Ports;
import io.fleetwarden.testsupport.TestPki;

/**
 * One {@code fleetwarden-broker} as its own OS process, started exactly as an operator starts it: the packaged
 * launcher ({@code target/…-launcher/fleetwarden-broker/bin/fleetwarden-broker broker.properties}) with the
 * packaged extension zip unpacked into a fresh extensions folder, a mutual-TLS listener on a free port and the
 * fleet CA of a shared {@link TestPki}. {@link #kill()} is {@code kill -9}.
 */
final class BrokerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    final String brokerId;
    final int port;
    final int metricsPort;
    final Path dir;
    private final List<String> command;
    private Process process;

    /**
     * Writes the broker's folder (keystore, truststore, CA PEM, CRL folder, extensions, {@code broker.properties}).
     * Call {@link #start()} to run it.
     */
    BrokerProcess(String brokerId, TestPki pki, String bootstrapServers, Map<String, String> overrides) throws IOException {
        this.brokerId = brokerId;
        this.dir = Files.createTempDirectory("fw-broker-" + brokerId + "-");
        Path extensions = Files.createDirectories(dir.resolve("extensions"));
        Archives.unzip(Path.of(System.getProperty("fleetwarden.it.extension-zip",
                "target/broker-extension-0.1.0-SNAPSHOT-hivemq-extension.zip")), extensions);
        Path crl = Files.createDirectories(dir.resolve("crl"));
        pki.writeCrl(crl);
        Path caPem = pki.writeCaPem(dir);
        Path keystore = pki.serverCertificate().writeKeyStore(dir, BrokerFixture.PASSWORD);
        Path truststore = pki.writeTrustStore(dir, BrokerFixture.PASSWORD);
        this.port = Ports.freePort();
        this.metricsPort = Ports.freePort();
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", keystore.toString());
        p.setProperty("tls.keystore.password", new String(BrokerFixture.PASSWORD));
        p.setProperty("tls.truststore.path", truststore.toString());
        p.setProperty("tls.truststore.password", new String(BrokerFixture.PASSWORD));
        p.setProperty("kafka.bootstrap-servers", bootstrapServers);
        p.setProperty("broker.id", brokerId);
        p.setProperty("extensions.folder", extensions.toString());
        p.setProperty("data.folder", dir.resolve("data").toString());
        p.setProperty("fleetwarden.broker-id", brokerId);
        p.setProperty("fleetwarden.trust.ca-certificates", caPem.toString());
        p.setProperty("fleetwarden.trust.crl-folder", crl.toString());
        p.setProperty("fleetwarden.kafka.bootstrap-servers", bootstrapServers);
        p.setProperty("fleetwarden.metrics.port", Integer.toString(metricsPort));
        p.setProperty("fleetwarden.metrics.bind-address", "127.0.0.1");
        overrides.forEach(p::setProperty);
        Path props = dir.resolve("broker.properties");
        try (var out = Files.newOutputStream(props)) {
            p.store(out, "BrokerProcess " + brokerId);
        }
        Path launcher = Path.of(System.getProperty("fleetwarden.it.launcher-dir",
                "target/broker-extension-0.1.0-SNAPSHOT-launcher/fleetwarden-broker"));
        Path script = launcher.resolve("bin/fleetwarden-broker");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("the packaged launcher is missing: " + script.toAbsolutePath()
                    + " (./mvnw -pl broker-extension -am package)");
        }
        this.command = new ArrayList<>(List.of("sh", script.toAbsolutePath().toString(), props.toString()));
    }

    /** Starts the process and waits until {@code /health/ready} answers 200 (extension started, controls loaded, Kafka up). */
    BrokerProcess start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
        pb.environment().put("JAVA_OPTS", "-Xms64m -Xmx384m -XX:+UseSerialGC");
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker " + brokerId + " exited with " + process.exitValue() + ":\n" + log(40));
            }
            if (ready()) {
                return this;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("broker " + brokerId + " not ready after 180 s:\n" + log(40));
    }

    boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** GET on the metrics endpoint. */
    String metrics() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** {@code kill -9}: no shutdown hook, no buffer flush. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    String log(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("broker.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
