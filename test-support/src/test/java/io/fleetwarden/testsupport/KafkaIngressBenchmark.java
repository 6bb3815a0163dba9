package io.fleetwarden.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;

/**
 * Kafka ingress of {@code fleet.telemetry} on a three-node KRaft cluster (separate processes, replication factor 3,
 * {@code min.insync.replicas=2}, the event model's 12 partitions), written with the MQTT broker's forwarder
 * settings (idempotent, {@code acks=all}, lz4, {@code linger.ms=20}, 64 KiB batches) and records exactly as the
 * broker writes them (Avro {@code Telemetry} with a full {@code BrokerContext}). Prints records/s, MB/s (record
 * bytes before compression and bytes on the wire) and the Kafka nodes' CPU per record (user + system time of the
 * node processes from {@code /proc}, so the load generator's own CPU is not counted).
 *
 * <p>Not part of any build: {@code ./mvnw -B -pl test-support -am test -Dtest=KafkaIngressBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; knobs are Maven user properties, which Surefire hands to the test JVM:
 * {@code -Dbench.records=} (default 2,000,000), {@code -Dbench.producers=} (2), {@code -Dbench.devices=} (100,000).
 * Results go to docs/benchmarks/kafka.md.
 */
class KafkaIngressBenchmark {

    @Test
    void ingressAtReplicationFactorThree() throws Exception {
        long records = Long.getLong("bench.records", 2_000_000);
        int producers = Integer.getInteger("bench.producers", 2);
        int devices = Integer.getInteger("bench.devices", 100_000);
        try (KafkaCluster kafka = KafkaCluster.builder().eventModelTopics(Topics.TELEMETRY).heap("1g")
                .jvmOptions("-XX:+UseG1GC").build()) {
            kafka.start();
            List<byte[]> values = sampleValues(64);
            long recordBytes = values.stream().mapToLong(v -> v.length).sum() / values.size();

            // warm-up: JIT of the brokers and producers, partition leaders settled
            run(kafka, producers, 200_000, devices, values);
            long[] cpuBefore = cpu(kafka);
            long t0 = System.nanoTime();
            long wireBytes = run(kafka, producers, records, devices, values);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] cpuAfter = cpu(kafka);

            double perSecond = records / seconds;
            System.out.printf("%n=== Kafka ingress, 3 KRaft nodes (separate JVMs), fleet.telemetry 12 partitions, RF 3, min ISR 2 ===%n");
            System.out.printf("at %s, %d producers, %d device keys, %d records of %d B (Avro Telemetry)%n",
                    Instant.now(), producers, devices, records, recordBytes);
            System.out.printf("cluster: %,.0f records/s, %.1f MB/s record bytes, %.1f MB/s on the wire (lz4) in %.1f s%n",
                    perSecond, perSecond * recordBytes / 1e6, wireBytes / seconds / 1e6, seconds);
            System.out.printf("per broker (leader ingress = cluster / 3; each also replicates the other two thirds):%n");
            double cpuTotal = 0;
            for (int i = 0; i < 3; i++) {
                double cpuSeconds = (cpuAfter[i] - cpuBefore[i]) / 1e9;
                cpuTotal += cpuSeconds;
                System.out.printf("  node %d: %,.0f leader records/s, %.1f MB/s, CPU %.1f s = %.1f%% of one core, %.2f µs per cluster record%n",
                        i + 1, perSecond / 3, perSecond / 3 * recordBytes / 1e6, cpuSeconds, 100 * cpuSeconds / seconds,
                        cpuSeconds * 1e6 / records);
            }
            System.out.printf("all three nodes: %.2f µs CPU per record ingested at RF 3 (leader write + 2 follower fetches)%n",
                    cpuTotal * 1e6 / records);
            System.out.printf("load average now: %.2f (2 cores shared with other work)%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** Sends {@code count} records over {@code producers} producers; returns bytes sent on the wire. */
    private static long run(KafkaCluster kafka, int producers, long count, int devices, List<byte[]> values) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong wire = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        for (int p = 0; p < producers; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                Map<String, Object> props = new HashMap<>(kafka.producerProps());
                // the MQTT broker's forwarder settings (broker-extension KafkaForwarder.producerConfig)
                props.put("key.serializer", StringSerializer.class.getName());
                props.put("value.serializer", ByteArraySerializer.class.getName());
                props.put("linger.ms", 20);
                props.put("batch.size", 65536);
                props.put("compression.type", "lz4");
                props.put("max.in.flight.requests.per.connection", 5);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
                    for (long i = id; i < count; i += producers) {
                        producer.send(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of("acme", "dev-" + (i % devices)),
                                values.get((int) (i % values.size()))), (md, e) -> {
                                    if (e != null) {
                                        failed.incrementAndGet();
                                    }
                                });
                    }
                    producer.flush();
                    for (Map.Entry<org.apache.kafka.common.MetricName, ? extends Metric> m : producer.metrics().entrySet()) {
                        if (m.getKey().name().equals("outgoing-byte-total") && m.getKey().group().equals("producer-metrics")) {
                            wire.addAndGet(((Number) m.getValue().metricValue()).longValue());
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " sends failed");
        }
        return wire.get();
    }

    private static long[] cpu(KafkaCluster kafka) {
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            out[i] = ProcessHandle.of(kafka.pid(i + 1)).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("no CPU time readable for a Kafka node"));
        }
        return out;
    }

    /** Telemetry records as the broker forwards them, with varied values so lz4 sees realistic entropy. */
    private static List<byte[]> sampleValues(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DeviceTelemetryPayload p = new DeviceTelemetryPayload(1, System.currentTimeMillis() + i, "cam-x1", "eu-west",
                    new DeviceTelemetryPayload.Firmware("1.2." + (i % 7), null), 1000L + i * 37, 12.5 + i % 50, 40.0 + i % 30,
                    new DeviceTelemetryPayload.Network(60, 1000 + i * 13, 2000 + i * 17, 10 + i, 20 + i, List.of(443), List.of()),
                    null);
            BrokerContext ctx = BrokerContext.newBuilder().setBrokerId("broker-a").setSourceAddress("10.1." + (i % 200) + ".7")
                    .setSourcePort(null).setTlsProtocol("TLSv1.3").setTlsCipher("TLS_AES_128_GCM_SHA256")
                    .setCertificateFingerprint(String.format("%064x", i * 7919L)).setCertificateSerial(Long.toHexString(i * 104729L))
                    .setCertificateNotAfter(Instant.parse("2027-12-01T00:00:00Z")).setMqttVersion("V_5").build();
            Telemetry t = DevicePayloads.toTelemetry("acme", "dev-" + i, p, ctx, Instant.now(), false);
            out.add(Codecs.TELEMETRY.encode(t));
        }
        return out;
    }
}
