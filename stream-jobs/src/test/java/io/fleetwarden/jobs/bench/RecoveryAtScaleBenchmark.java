package io.fleetwarden.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.cluster.ClusterFixture;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.FlinkSessionCluster;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * Recovery after a TaskManager kill at the largest keyed state this machine reaches in a time budget: one job on a
 * real session cluster (two TaskManagers × two slots, job parallelism 2, RocksDB, incremental checkpoints on local
 * disk, exactly-once alert sink) whose state grows in steps of synthetic devices ({@link FleetGenerator}, one report
 * per device). After each step, once the job has read everything and checkpointed it, a TaskManager running the job is
 * killed with SIGKILL and the benchmark measures:
 *
 * <ul>
 *   <li>kill → every task RUNNING again, restored from the checkpoint (REST);</li>
 *   <li>kill → first checkpoint completed after the restore;</li>
 *   <li>kill → alerts flow again: a probe device reporting Telnet every 200 ms from the kill on, until its alert is on
 *       {@code fleet.alerts} (read_committed, i.e. after a checkpoint commit of the restored job);</li>
 *   <li>CPU seconds of the JobManager and the TaskManagers from kill to alerts flowing, and of the ingest (CPU per
 *       event, per device of state);</li>
 *   <li>bytes: the checkpoint's full state size (REST {@code state_size}), the last increment, the checkpoint folder
 *       and the RocksDB working folders on disk; the load average at each step.</li>
 * </ul>
 *
 * <pre>./mvnw -pl stream-jobs -am -Pbench verify -DskipTests -Dbench.main=io.fleetwarden.jobs.bench.RecoveryAtScaleBenchmark \
 *   -Dbench.args="250000,1000000,2000000,4000000 15"</pre>
 *
 * <p>Arguments: cumulative device counts of the steps; time budget in minutes (a step whose ingest, at the rate seen
 * so far, would end past the budget is not started); the job's parallelism (default 2; 1 puts all keyed state in one
 * slot, the most state per slot a short run reaches).
 */
public final class RecoveryAtScaleBenchmark {

    private static final String GROUP = "bench-scale";

    private RecoveryAtScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> steps = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "250000,1000000,2000000,4000000").split(",")) {
            steps.add(Integer.parseInt(s.trim()));
        }
        double budgetMin = args.length > 1 ? Double.parseDouble(args[1]) : 15;
        final int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long start = System.nanoTime();
        long budgetEnd = start + (long) (budgetMin * 60e9);
        int maxDevices = steps.get(steps.size() - 1);
        System.out.printf("recovery at scale: steps %s devices, budget %.0f min, job parallelism %d, %d cores, load %s%n", steps,
                budgetMin, parallelism, Runtime.getRuntime().availableProcessors(), load());
        try (KafkaExtension kafka = ClusterFixture.kafka()) {
            kafka.start();
            Path dir = ClusterFixture.freshWorkDir("bench-recovery-scale");
            try (FlinkSessionCluster cluster = ClusterFixture.cluster(dir).taskManagers(2).slotsPerTaskManager(2)
                    .taskHeapMb(512).managedMb(512).build().start()) {
                String jar = cluster.uploadJar(ClusterFixture.jobJar());
                String job = cluster.runJar(jar, null, ClusterFixture.jobArgs(kafka, GROUP, parallelism), parallelism, null);
                cluster.awaitAllTasksRunning(job, Duration.ofMinutes(5));
                FleetGenerator gen = new FleetGenerator(maxDevices);
                long produced = 0;
                double ingestRate = 0;
                int probe = 0;
                for (int step : steps) {
                    long toAdd = step - produced;
                    if (toAdd <= 0) {
                        continue;
                    }
                    if (ingestRate > 0 && System.nanoTime() + (long) (toAdd / ingestRate * 1e9) + 120e9 > budgetEnd) {
                        System.out.printf("step %,d devices skipped: at %,.0f events/s its ingest would end past the budget%n",
                                step, ingestRate);
                        break;
                    }
                    // ---- ingest: one report per new device; CPU of every cluster process over the window
                    Cpu c0 = Cpu.of(cluster, null);
                    long t0 = System.nanoTime();
                    try (KafkaProducer<byte[], byte[]> p = producer(kafka)) {
                        for (long i = produced; i < step; i++) {
                            p.send(new ProducerRecord<>(Topics.TELEMETRY, key(i), gen.telemetry(i)));
                        }
                    }
                    long producedAt = System.nanoTime();
                    produced = step;
                    while (committed(kafka.admin(), GROUP) < produced) {
                        if (System.nanoTime() > budgetEnd + (long) 600e9) {
                            throw new IllegalStateException("the job did not read the step within the budget + 10 min");
                        }
                        Thread.sleep(500);
                    }
                    long readAt = System.nanoTime();
                    Cpu c1 = Cpu.of(cluster, null);
                    ingestRate = toAdd / ((readAt - t0) / 1e9);
                    long cps = cluster.completedCheckpoints(job);
                    cluster.awaitCompletedCheckpoints(job, cps + 2, Duration.ofMinutes(5));
                    JsonNode latest = cluster.checkpoints(job).path("latest").path("completed");
                    long stateBytes = latest.path("state_size").asLong();
                    long incrementBytes = latest.path("checkpointed_size").asLong();
                    long checkpointDuration = latest.path("end_to_end_duration").asLong();
                    System.out.printf("step %,d devices: produced %,d records in %.1f s, job read them after %.1f s (%,.0f events/s); "
                                    + "ingest CPU: TaskManagers %.1f s = %.1f µs/event, JobManager %.1f s; load %s%n",
                            step, toAdd, (producedAt - t0) / 1e9, (readAt - t0) / 1e9, ingestRate,
                            c1.tm - c0.tm, (c1.tm - c0.tm) * 1e6 / toAdd, c1.jm - c0.jm, load());
                    System.out.printf("step %,d devices: checkpoint state %,d bytes = %.0f B/device, %.1f MB per slot; last increment %,d bytes, "
                                    + "took %,d ms; on disk: checkpoints %,d bytes, RocksDB working folders %,d bytes%n",
                            step, stateBytes, (double) stateBytes / step, stateBytes / 1e6 / parallelism, incrementBytes,
                            checkpointDuration, du(dir.resolve("checkpoints")), du(dir.resolve("tmp")));

                    // ---- kill a TaskManager running the job; a probe device reports Telnet every 200 ms from then on
                    String victim = cluster.taskManagersOf(job).iterator().next();
                    String probeDevice = "probe-" + (probe++);
                    try (AlertWatch watch = new AlertWatch(kafka, probeDevice)) {
                        Cpu k0 = Cpu.of(cluster, victim); // the survivors' CPU: the killed one's is gone with it
                        long killed = System.nanoTime();
                        cluster.killTaskManager(victim);
                        AtomicBoolean stop = new AtomicBoolean();
                        Thread prober = probeThread(kafka, probeDevice, stop);
                        prober.start();
                        long runningMs = -1;
                        long checkpointMs = -1;
                        long alertMs = -1;
                        long restoredAt = -1;
                        long deadline = killed + Duration.ofMinutes(10).toNanos();
                        while (System.nanoTime() < deadline && (runningMs < 0 || checkpointMs < 0 || alertMs < 0)) {
                            long now = System.nanoTime();
                            // one restore per kill so far (probe counts the kills)
                            if (runningMs < 0 && cluster.restoredCount(job) >= probe && cluster.allTasksRunning(job)) {
                                runningMs = (now - killed) / 1_000_000;
                                restoredAt = cluster.completedCheckpoints(job);
                            }
                            if (runningMs >= 0 && checkpointMs < 0 && cluster.completedCheckpoints(job) > restoredAt) {
                                checkpointMs = (System.nanoTime() - killed) / 1_000_000;
                            }
                            if (alertMs < 0 && watch.seen()) {
                                alertMs = (System.nanoTime() - killed) / 1_000_000;
                            }
                            Thread.sleep(50);
                        }
                        Cpu k1 = Cpu.of(cluster, victim);
                        stop.set(true);
                        prober.join();
                        System.out.printf("step %,d devices: TaskManager %s killed -> all tasks running (restored) %,d ms -> "
                                        + "first checkpoint after restore %,d ms -> probe alert on fleet.alerts %,d ms; "
                                        + "CPU from kill to alert: surviving TaskManager %.1f s, JobManager %.1f s; load %s%n",
                                step, victim, runningMs, checkpointMs, alertMs, k1.tm - k0.tm, k1.jm - k0.jm, load());
                    }
                    cluster.startTaskManager();
                    cluster.awaitTaskManagers(2, Duration.ofMinutes(4));
                }
                System.out.printf("done in %.1f min; load %s%n", (System.nanoTime() - start) / 60e9, load());
                cluster.cancel(job);
            }
        }
    }

    /** CPU seconds of the cluster's processes so far (killed TaskManagers' CPU is gone with them: compare deltas only over live ones). */
    private record Cpu(double tm, double jm) {
        static Cpu of(FlinkSessionCluster cluster, String exclude) {
            double tm = 0;
            for (String id : cluster.runningTaskManagers()) {
                if (!id.equals(exclude)) {
                    tm += seconds(cluster.taskManagerPid(id));
                }
            }
            return new Cpu(tm, seconds(cluster.jobManagerPid()));
        }

        private static double seconds(long pid) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(0.0);
        }
    }

    /** Telnet on {@code device} every 200 ms, event time just after the bulk's, until stopped. */
    private static Thread probeThread(KafkaExtension kafka, String device, AtomicBoolean stop) {
        return new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                long ts = FleetGenerator.BASE + 60_000;
                while (!stop.get()) {
                    Telemetry t = Events.telemetry(device, ts).setListeningPorts(List.of(80, 23)).build();
                    p.send(new ProducerRecord<>(Topics.TELEMETRY, (Events.TENANT + "/" + device).getBytes(StandardCharsets.UTF_8),
                            Codecs.TELEMETRY.encode(t)));
                    p.flush();
                    ts += 200;
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "probe-" + device);
    }

    /** Reads fleet.alerts (read_committed) from its current end for a CMP-NET-001 alert about one device. */
    private static final class AlertWatch implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final String device;
        private final Thread reader;
        private final AtomicLong seenAt = new AtomicLong(-1);
        private volatile boolean closed;

        AlertWatch(KafkaExtension kafka, String device) {
            this.device = device;
            Map<String, Object> props = kafka.consumerProps("alert-watch-" + device);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class);
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            consumer = new KafkaConsumer<>(props);
            List<TopicPartition> parts = consumer.partitionsFor(Topics.ALERTS).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end now, before the kill
            reader = new Thread(this::read, "alert-watch");
            reader.start();
        }

        private void read() {
            while (!closed && seenAt.get() < 0) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Alert a = Codecs.ALERT.tryDecode(r.value()).value();
                    if (a != null && device.equals(a.getDeviceId()) && a.getRuleId().equals("CMP-NET-001")) {
                        seenAt.set(System.nanoTime());
                    }
                }
            }
        }

        boolean seen() {
            return seenAt.get() >= 0;
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            reader.join();
            consumer.close();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaExtension kafka) {
        Map<String, Object> props = kafka.producerProps();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] key(long i) {
        return (Events.TENANT + "/dev-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static long committed(Admin admin, String group) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long sum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (e.getKey().topic().equals(Topics.TELEMETRY) && e.getValue() != null) {
                sum += e.getValue().offset();
            }
        }
        return sum;
    }

    /** Bytes of the regular files under {@code dir}; files RocksDB or the checkpoint cleaner delete meanwhile count 0. */
    private static long du(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // deleted while walking
            }
        });
        return total.get();
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min) at " + Instant.now().toString().substring(11, 19) + "Z";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
