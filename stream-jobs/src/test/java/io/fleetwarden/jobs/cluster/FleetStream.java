package io.fleetwarden.jobs.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.AlertIds;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * A steady telemetry stream of one tenant's fleet on {@code fleet.telemetry}: every step, one report of every
 * device, {@link #STEP_MS} of event time apart (event time = broker receive time = device time, so no clock finding).
 * Event time runs only about ten times faster than the wall clock at a step every 200 ms: the job drops records more
 * than 10 minutes of event time behind its watermark, and a partition read late after a restore (or on a loaded
 * machine, while the others are idle-excluded from the watermark) must stay within that. A
 * device can be told to send ten times its outbound traffic for {@link #SPIKE_STEPS} reports: with its traffic
 * baseline learnt (20 reports) that opens CMP-NET-004 at the first of them and clears it afterwards; a device
 * without a learnt baseline (a job that lost its keyed state) learns nothing from the spike and raises nothing.
 */
final class FleetStream implements AutoCloseable {

    static final long STEP_MS = 2_000L;
    static final int SPIKE_STEPS = 3;
    static final String TRAFFIC_SPIKE = "CMP-NET-004";
    static final int FLEET_SIZE = 40;

    private final String tenant;
    private final int devices;
    private final long base;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Integer> spikeFrom = new ConcurrentHashMap<>();
    private final ScheduledExecutorService steady = Executors.newSingleThreadScheduledExecutor();
    private int step;
    private volatile Throwable failure;

    FleetStream(KafkaExtension kafka, String tenant, int devices, long base) {
        this.tenant = tenant;
        this.devices = devices;
        this.base = base;
        this.producer = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The fleet of the cluster ITs: {@link #FLEET_SIZE} devices whose event time starts four hours ago. */
    static FleetStream startingHoursAgo(KafkaExtension kafka, String tenant) {
        return new FleetStream(kafka, tenant, FLEET_SIZE, System.currentTimeMillis() / 60_000 * 60_000 - 4 * 3_600_000L);
    }

    static String device(int i) {
        return String.format("cam-%04d", i);
    }

    /** Devices {@code from} (inclusive) to {@code to} (exclusive). */
    static List<String> devices(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(device(i));
        }
        return out;
    }

    long time(int s) {
        return base + s * STEP_MS;
    }

    /** Produces the next step (one report per device), flushed; returns its index. */
    synchronized int step() {
        int s = step++;
        long ts = time(s);
        for (int d = 0; d < devices; d++) {
            String id = device(d);
            Integer from = spikeFrom.get(id);
            boolean spiking = from != null && s >= from && s < from + SPIKE_STEPS;
            long bytesOut = 300_000L + (d * 7919L + s * 104_729L) % 15_000L; // a few per cent of jitter
            Telemetry t = Events.telemetry(id, ts).setTenant(tenant)
                    .setDeviceTime(Instant.ofEpochMilli(ts)).setReceivedAt(Instant.ofEpochMilli(ts))
                    .setBytesOut(spiking ? bytesOut * 10 : bytesOut).build();
            producer.send(new ProducerRecord<>(Topics.TELEMETRY, ClusterFixture.utf8(ClusterFixture.key(tenant, id)),
                    Codecs.TELEMETRY.encode(t)));
        }
        producer.flush();
        return s;
    }

    /** {@code n} steps at once. */
    void steps(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    /** The given devices spike from the next step on; returns that step. */
    synchronized int spikeNext(Collection<String> ids) {
        for (String id : ids) {
            spikeFrom.put(id, step);
        }
        return step;
    }

    /** Steps every {@code periodMs} in the background until {@link #stopSteady()}. */
    void startSteady(long periodMs) {
        steady.scheduleAtFixedRate(() -> {
            try {
                step();
            } catch (Throwable e) {
                failure = e;
                throw e;
            }
        }, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Stops the background stream; returns the number of steps produced in all. */
    int stopSteady() throws InterruptedException {
        steady.shutdown();
        if (!steady.awaitTermination(30, TimeUnit.SECONDS) || failure != null) {
            throw new IllegalStateException("the steady stream failed", failure);
        }
        synchronized (this) {
            return step;
        }
    }

    /** The CMP-NET-004 alert ids the spikes must open: subject, rule and the event time of the first spiking report. */
    List<String> expectedTrafficAlertIds() {
        List<String> ids = new ArrayList<>();
        spikeFrom.forEach((id, from) -> ids.add(AlertIds.of(tenant + "/" + id + "#" + TRAFFIC_SPIKE, time(from))));
        return ids;
    }

    Collection<String> spikedDevices() {
        return spikeFrom.keySet();
    }

    @Override
    public void close() {
        steady.shutdownNow();
        producer.close();
    }
}
