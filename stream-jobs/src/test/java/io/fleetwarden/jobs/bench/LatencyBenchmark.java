package io.fleetwarden.jobs.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.FleetDetectionJobMain;
import io.fleetwarden.jobs.JobOptions;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Event-to-alert latency on the local stack (a main class, not a test): in-process Kafka, the job on
 * a local MiniCluster with exactly-once sinks and 1 s checkpoints, background telemetry from 2,000
 * devices, and every 100 ms one device that starts listening on Telnet. Latency = when a
 * {@code read_committed} consumer sees the CMP-NET-001 alert minus when the report was sent.
 * Arguments: {@code [probes] [checkpointMillis] [exactly-once|at-least-once] [bufferTimeoutMillis]}.
 */
public final class LatencyBenchmark {

    private LatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int probes = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        String interval = args.length > 1 ? args[1] + "ms" : "1000ms";
        String delivery = args.length > 2 ? args[2] : "exactly-once";
        String bufferTimeout = args.length > 3 ? args[3] + "ms" : "100ms";
        try (KafkaExtension kafka = KafkaExtension.builder()
                .topic(TopicSpec.of(Topics.TELEMETRY).withPartitions(2)).topic(TopicSpec.of(Topics.SECURITY_EVENTS).withPartitions(2))
                .topic(TopicSpec.compacted(Topics.FIRMWARE_CATALOG)).topic(TopicSpec.compacted(Topics.ADVISORIES))
                .topic(TopicSpec.compacted(Topics.ERASURES))
                .topic(TopicSpec.of(Topics.DEVICE_EVENTS))
                .topic(TopicSpec.of(Topics.ALERTS).withPartitions(2)).topic(TopicSpec.compacted(Topics.DEVICE_STATUS))
                .topic(TopicSpec.of(Topics.DEAD_LETTERS)).build()) {
            kafka.start();
            Path checkpoints = Files.createTempDirectory("fw-latency");
            JobOptions o = JobOptions.parse(new String[] {"--bootstrap-servers", kafka.bootstrapServers(),
                    "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", interval,
                    "--delivery", delivery, "--buffer-timeout", bufferTimeout,
                    "--idleness", "1s", "--out-of-orderness", "1s"});
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
            FleetDetectionJobMain.build(env, o);
            JobClient job = env.executeAsync("latency");

            Map<String, Long> sent = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            Thread consumer = new Thread(() -> {
                Map<String, Object> props = kafka.consumerProps("latency");
                props.put("isolation.level", "read_committed");
                try (var c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    c.subscribe(List.of(Topics.ALERTS));
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                            long now = System.currentTimeMillis();
                            Alert a = Codecs.ALERT.tryDecode(r.value()).value();
                            Long t = a.getRuleId().equals("CMP-NET-001") && a.getRevision() == 1 ? sent.remove(a.getDeviceId()) : null;
                            if (t != null) {
                                latencies.add(now - t);
                            }
                        }
                    }
                }
            });
            consumer.start();

            try (var p = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                long start = System.currentTimeMillis();
                int sentProbes = 0;
                for (int tick = 0; sentProbes < probes; tick++) {
                    long now = System.currentTimeMillis();
                    for (int d = 0; d < 200; d++) { // 2,000 devices every 1 s = 2,000 reports/s of background
                        int dev = (tick % 10) * 200 + d;
                        send(p, Events.telemetry("bg-" + dev, now).build());
                    }
                    if (tick > 50) { // let the job start and settle first
                        String id = "probe-" + sentProbes++;
                        Telemetry probe = Events.telemetry(id, now).setListeningPorts(List.of(23)).build();
                        sent.put(id, System.currentTimeMillis());
                        send(p, probe);
                    }
                    p.flush();
                    long sleep = start + (tick + 1) * 100L - System.currentTimeMillis();
                    if (sleep > 0) {
                        Thread.sleep(sleep);
                    }
                }
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (latencies.size() < probes && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            running.set(false);
            consumer.join();
            job.cancel().get();
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            System.out.printf(Locale.ROOT, "event-to-alert latency (checkpoint %s, %s, buffer timeout %s, read_committed): %d/%d probes, p50 %d ms, p99 %d ms, max %d ms%n",
                    interval, delivery, bufferTimeout, sorted.size(), probes, pct(sorted, 0.50), pct(sorted, 0.99), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
        }
        System.exit(0);
    }

    private static void send(KafkaProducer<byte[], byte[]> p, Telemetry t) {
        p.send(new ProducerRecord<>(Topics.TELEMETRY, (t.getTenant() + "/" + t.getDeviceId()).getBytes(StandardCharsets.UTF_8),
                Codecs.TELEMETRY.encode(t)));
    }

    private static long pct(List<Long> sorted, double q) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
