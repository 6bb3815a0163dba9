package io.fleetwarden.jobs.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.cluster.ClusterFixture;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.FlinkSessionCluster;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The job on a real Flink session cluster (separate JobManager and TaskManager JVMs, the job jar submitted over
 * REST), measured:
 *
 * <ol>
 *   <li><b>throughput per slot, RocksDB against heap state</b>: one TaskManager with two slots, the job at
 *       parallelism 2 draining a backlog of {@code events} telemetry records of {@code devices} devices
 *       ({@link FleetGenerator}); events/s from the job's committed Kafka offsets (committed at each 1 s
 *       checkpoint) and CPU per event from the TaskManager process's CPU time, both between 10 % and 90 % of the
 *       backlog (start-up and the tail excluded); the same input, RocksDB first, then heap;</li>
 *   <li><b>recovery after a TaskManager kill against state size</b>: two TaskManagers with two slots each,
 *       RocksDB with incremental checkpoints; for each size a new job builds keyed state for that many devices
 *       (one report each; the topic holds the earlier sizes' reports too, so each job reads all of them), checkpoints it, then one TaskManager running the job is killed (SIGKILL): time until
 *       every task runs again, and until the first checkpoint after the restore completes.</li>
 * </ol>
 *
 * <pre>./mvnw -pl stream-jobs -am -Pbench verify -DskipTests -Dbench.main=io.fleetwarden.jobs.bench.ClusterBenchmark -Dbench.args="500000 10000 10000,50000,100000"</pre>
 *
 * <p>Arguments: backlog events (0 skips the throughput part), devices of the backlog, state sizes for the recovery
 * part ({@code -} skips it).
 */
public final class ClusterBenchmark {

    private static final String GROUP = "bench";

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int devices = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "10000,50000,100000").split(",")) {
            if (!s.isBlank() && !s.equals("-")) {
                sizes.add(Integer.parseInt(s.trim()));
            }
        }
        System.out.printf("cluster benchmark: %,d events of %,d devices; recovery at %s devices; %d cores%n",
                events, devices, sizes, Runtime.getRuntime().availableProcessors());
        if (events > 0) {
            throughput(events, devices);
        }
        if (!sizes.isEmpty()) {
            recovery(sizes);
        }
    }

    // ------------------------------------------------------------------ throughput

    private static void throughput(long events, int devices) throws Exception {
        try (KafkaExtension kafka = ClusterFixture.kafka()) {
            kafka.start();
            FleetGenerator gen = new FleetGenerator(devices);
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> p = producer(kafka)) {
                for (long i = 0; i < events; i++) {
                    p.send(new ProducerRecord<>(Topics.TELEMETRY, key(devices, i), gen.telemetry(i)));
                }
            }
            System.out.printf("backlog: %,d telemetry records produced in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
            for (String backend : List.of("rocksdb", "hashmap")) {
                Path dir = ClusterFixture.freshWorkDir("bench-throughput-" + backend);
                try (FlinkSessionCluster cluster = ClusterFixture.cluster(dir).taskManagers(1).slotsPerTaskManager(2)
                        .stateBackend(backend).taskHeapMb(768).managedMb(256).build().start()) {
                    String group = GROUP + "-" + backend + "-" + System.nanoTime();
                    String jar = cluster.uploadJar(ClusterFixture.jobJar());
                    String job = cluster.runJar(jar, null, args(kafka, group, 2), 2, null);
                    cluster.awaitAllTasksRunning(job, Duration.ofSeconds(300));
                    long tm = cluster.taskManagerPid(cluster.runningTaskManagers().iterator().next());
                    long jm = cluster.jobManagerPid();
                    List<long[]> samples = new ArrayList<>(); // nanoTime, committed, TM cpu ns, JM cpu ns
                    long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
                    while (System.nanoTime() < deadline) {
                        long c = committed(kafka.admin(), group);
                        samples.add(new long[] {System.nanoTime(), c, cpuNanos(tm), cpuNanos(jm)});
                        if (c >= events) {
                            break;
                        }
                        Thread.sleep(500);
                    }
                    long[] a = first(samples, events / 10);
                    long[] b = first(samples, events * 9 / 10);
                    if (b == null && !samples.isEmpty()) {
                        b = samples.get(samples.size() - 1); // not drained in time: measure what was read
                        System.out.printf("%s: %,d of %,d events read before the deadline%n", backend, b[1], events);
                    }
                    if (a == null || b == null || b[1] == a[1]) {
                        System.out.printf("%s: did not drain the backlog (%s)%n", backend, samples.isEmpty() ? "-" : samples.get(samples.size() - 1)[1]);
                        continue;
                    }
                    double secs = (b[0] - a[0]) / 1e9;
                    long n = b[1] - a[1];
                    double rate = n / secs;
                    double tmCpuUs = (b[2] - a[2]) / 1e3 / n;
                    double jmCpuUs = (b[3] - a[3]) / 1e3 / n;
                    System.out.printf("throughput %-8s: %,.0f events/s at parallelism 2 = %,.0f events/s per slot; "
                                    + "TaskManager CPU %.2f µs/event (%.2f cores busy), JobManager %.3f µs/event; window %,d events in %.1f s%n",
                            backend, rate, rate / 2, tmCpuUs, tmCpuUs * rate / 1e6, jmCpuUs, n, secs);
                    cluster.cancel(job);
                }
            }
        }
    }

    // ------------------------------------------------------------------ recovery

    private static void recovery(List<Integer> sizes) throws Exception {
        try (KafkaExtension kafka = ClusterFixture.kafka()) {
            kafka.start();
            Path dir = ClusterFixture.freshWorkDir("bench-recovery");
            try (FlinkSessionCluster cluster = ClusterFixture.cluster(dir).taskManagers(2).slotsPerTaskManager(2)
                    .taskHeapMb(384).managedMb(256).build().start()) {
                String jar = cluster.uploadJar(ClusterFixture.jobJar());
                long produced = 0;
                int round = 0;
                for (int size : sizes) {
                    FleetGenerator gen = new FleetGenerator(size);
                    try (KafkaProducer<byte[], byte[]> p = producer(kafka)) {
                        for (long i = 0; i < size; i++) {
                            // later rounds continue in event time after the earlier ones
                            p.send(new ProducerRecord<>(Topics.TELEMETRY, key(size, i), gen.telemetry(i + (long) round * size)));
                        }
                    }
                    produced += size;
                    round += 1;
                    String group = GROUP + "-recovery-" + size;
                    String job = cluster.runJar(jar, null, args(kafka, group, 2), 2, null);
                    cluster.awaitAllTasksRunning(job, Duration.ofSeconds(300));
                    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    while (committed(kafka.admin(), group) < produced && System.nanoTime() < deadline) {
                        Thread.sleep(500);
                    }
                    long before = cluster.completedCheckpoints(job);
                    cluster.awaitCompletedCheckpoints(job, before + 2, Duration.ofSeconds(120));
                    JsonNode latest = cluster.checkpoints(job).path("latest").path("completed");
                    long stateBytes = latest.path("state_size").asLong();
                    long checkpointed = latest.path("checkpointed_size").asLong();
                    String victim = cluster.taskManagersOf(job).iterator().next();
                    long killed = System.nanoTime();
                    cluster.killTaskManager(victim);
                    while (!(cluster.restoredCount(job) >= 1 && cluster.allTasksRunning(job))) {
                        Thread.sleep(50);
                    }
                    long runningMs = (System.nanoTime() - killed) / 1_000_000;
                    long restoredAt = cluster.completedCheckpoints(job);
                    cluster.awaitCompletedCheckpoints(job, restoredAt + 1, Duration.ofSeconds(120));
                    long checkpointMs = (System.nanoTime() - killed) / 1_000_000;
                    System.out.printf("recovery %,7d devices (%,d records read): state %,d bytes (last incremental checkpoint %,d bytes); "
                                    + "TaskManager killed -> all tasks running %,d ms -> first checkpoint after restore %,d ms%n",
                            size, produced, stateBytes, checkpointed, runningMs, checkpointMs);
                    cluster.cancel(job);
                    cluster.startTaskManager();
                    cluster.awaitTaskManagers(2, Duration.ofSeconds(240));
                    while (cluster.overview().path("slots-available").asInt() < 4) {
                        Thread.sleep(200);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> args(KafkaExtension kafka, String group, int parallelism) {
        return ClusterFixture.jobArgs(kafka, group, parallelism);
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaExtension kafka) {
        Map<String, Object> props = kafka.producerProps();
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] key(int devices, long i) {
        return (Events.TENANT + "/dev-" + (i % devices)).getBytes(StandardCharsets.UTF_8);
    }

    /** Sum of the group's committed offsets on fleet.telemetry (the Kafka source commits them at checkpoints). */
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

    private static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private static long[] first(List<long[]> samples, long atLeast) {
        for (long[] s : samples) {
            if (s[1] >= atLeast) {
                return s;
            }
        }
        return null;
    }
}
