package io.fleetwarden.broker.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fleetwarden.broker.it.BrokerFixture;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Broker heap per idle mutual-TLS connection (not a test): the embedded HiveMQ with the packaged
 * Fleetwarden extension (forwarding to a real in-process Kafka) runs in this JVM; the devices run in a
 * child JVM ({@link IdleDevices}), so only broker-side objects count. Each device has its own
 * certificate from the test PKI, connects with MQTT 5 over TLS 1.3 (devices subscribe to nothing),
 * then stays idle.
 *
 * <p>Heap is read from the {@code MemoryMXBean} after explicit full collections (G1 runs a full GC on
 * {@code System.gc()}), taking the lowest of several readings: first with 0 devices (the baseline,
 * after a warm-up batch has connected and gone, so class-loading and lazily built broker structures are
 * not charged to the connections), then after each step of {@code bench.steps} devices. Prints heap per
 * connection against that baseline and the connects/s each step reached.
 *
 * <p>Run: {@code ./mvnw -pl broker-extension -am -Pbench -DskipTests package
 * -Dbench.main=io.fleetwarden.broker.bench.ConnectionMemoryBenchmark}
 */
public final class ConnectionMemoryBenchmark {

    /** Cumulative device counts at which heap is measured. */
    static final String STEPS = System.getProperty("bench.steps", "2000,4000");
    static final int WARMUP = Integer.getInteger("bench.warmup", 200);
    static final int INFLIGHT = Integer.getInteger("bench.inflight", 32);

    private ConnectionMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            System.setProperty("fleetwarden.it.extension-zip",
                    Path.of(args[0]).resolve("broker-extension-0.1.0-SNAPSHOT-hivemq-extension.zip").toString());
        }
        int[] steps = java.util.Arrays.stream(STEPS.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        int max = steps[steps.length - 1];
        try (KafkaExtension kafka = KafkaExtension.builder().topic(Topics.TELEMETRY, 3).topic(Topics.SECURITY_EVENTS, 3)
                .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS)).build()) {
            kafka.start();
            try (BrokerFixture fx = new BrokerFixture(kafka.bootstrapServers(), Map.of(), (pki, crl) -> { })) {
                Path dir = Files.createTempDirectory("bench-conn");
                Path warmCreds = writeCredentials(fx.pki, "warm-", WARMUP, dir.resolve("warm.bin"));
                Path creds = writeCredentials(fx.pki, "idle-", max, dir.resolve("devices.bin"));

                try (Child warm = new Child(fx.port, warmCreds)) {
                    warm.connect(WARMUP);
                }
                long base = heapAfterFullGc();
                System.out.printf("baseline (0 devices, after %d warm-up connects had gone): heap used %.1f MiB%n",
                        WARMUP, base / 1048576.0);
                List<String> rows = new ArrayList<>();
                try (Child child = new Child(fx.port, creds)) {
                    int have = 0;
                    long previousHeap = base;
                    for (int step : steps) {
                        int before = have;
                        long[] r = child.connect(step - before);
                        double perSecond = (step - before) / (r[1] / 1e9);
                        have = step;
                        long heap = heapAfterFullGc();
                        rows.add(String.format("%6d devices  heap %7.1f MiB  per connection %6.1f KiB (vs baseline)"
                                        + "  %6.1f KiB (this step)  connects/s %6.1f  failures %d",
                                step, heap / 1048576.0, (heap - base) / 1024.0 / step,
                                (heap - previousHeap) / 1024.0 / (step - before), perSecond, r[2]));
                        System.out.println(rows.get(rows.size() - 1));
                        previousHeap = heap;
                    }
                }
                System.out.printf("%nconnection memory: broker = embedded HiveMQ + packaged extension, devices in a "
                        + "child JVM, %d handshakes in flight, %d cores, load average %.1f%n",
                        INFLIGHT, Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                rows.forEach(System.out::println);
            }
        }
        System.exit(0);
    }

    /** Lowest heap-used reading over several explicit full collections, in bytes. */
    static long heapAfterFullGc() throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(300);
            min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    /** CA certificate, then per device: id, key algorithm, PKCS#8 key, certificate (all length-prefixed). */
    static Path writeCredentials(TestPki pki, String prefix, int n, Path file) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, pki.caCertificate().getEncoded());
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                String id = prefix + i;
                TestCredential cred = pki.deviceCertificate("acme", id);
                out.writeUTF(id);
                out.writeUTF(cred.privateKey().getAlgorithm());
                write(out, cred.privateKey().getEncoded());
                write(out, cred.certificate().getEncoded());
            }
        }
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static void write(DataOutputStream out, byte[] b) throws java.io.IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** The device JVM; closing it disconnects its devices and waits for it to exit. */
    static final class Child implements AutoCloseable {
        private final Process process;
        private final PrintWriter commands;
        private final BufferedReader answers;

        Child(int port, Path credentials) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                    IdleDevices.class.getName(), Integer.toString(port), credentials.toString(),
                    Integer.toString(INFLIGHT)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** @return {total connected, nanos for this batch, failures} */
        long[] connect(int k) throws Exception {
            commands.println("connect " + k);
            String line;
            while ((line = answers.readLine()) != null && !line.startsWith("connected ")) {
                System.out.println("[devices] " + line);
            }
            if (line == null) {
                throw new IllegalStateException("device JVM exited with " + process.waitFor());
            }
            String[] f = line.split(" ");
            if (Long.parseLong(f[3]) > 0) {
                System.out.println("WARNING: " + f[3] + " devices failed to connect or subscribe");
            }
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
        }

        @Override
        public void close() throws Exception {
            commands.println("quit");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
