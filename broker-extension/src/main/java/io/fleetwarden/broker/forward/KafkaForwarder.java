package io.fleetwarden.broker.forward;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/**
 * Sends telemetry and security events to Kafka without ever blocking a broker thread.
 *
 * <p>Buffering policy: at most {@code maxBuffered} records may be accepted but not yet acknowledged by
 * Kafka (waiting in this class's queue or in flight inside the producer). While Kafka is unreachable the
 * records wait, in arrival order; one sender thread hands them to an idempotent producer
 * ({@code acks=all}, unlimited retries and delivery timeout, at most 5 in flight) so that when Kafka returns they
 * are written in order and without duplicates from producer retries.
 *
 * <p>Delivery guarantee: <b>at most once, with counted loss</b>, not exactly once. When the bound is reached,
 * new records are dropped, counted in {@code fleetwarden_broker_kafka_dropped_total} and logged (rate-limited).
 * A record the producer reports as failed for good (a non-retriable error) is also counted as dropped. Records
 * still buffered when the extension stops are flushed for up to the close timeout and then lost (logged with a
 * count); the buffer is memory only, so a broker crash loses it uncounted. The device has already received its
 * PUBACK by then: the broker trades completeness for never blocking device traffic.
 */
public final class KafkaForwarder implements EventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaForwarder.class);
    private static final long DROP_LOG_EVERY = 1000;

    private final Producer<String, byte[]> producer;
    private final BrokerMetrics metrics;
    private final int maxBuffered;
    private final Semaphore capacity;
    private final BlockingQueue<ProducerRecord<String, byte[]>> queue = new LinkedBlockingQueue<>();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;

    /**
     * @param producer    an idempotent producer (see {@link #producerConfig(String)})
     * @param maxBuffered bound on records accepted but not yet acknowledged
     */
    public KafkaForwarder(Producer<String, byte[]> producer, BrokerMetrics metrics, int maxBuffered) {
        this.producer = producer;
        this.metrics = metrics;
        this.maxBuffered = maxBuffered;
        this.capacity = new Semaphore(maxBuffered);
        metrics.bufferDepth(this::depth);
        this.sender = new Thread(this::run, "fleetwarden-kafka-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * Producer settings: idempotent, acks=all, retry forever, never block longer than 1 s on metadata.
     * Records wait up to {@code linger.ms} = 20 ms to be batched (up to 64 KiB per partition): the broker's
     * cost is mostly per produce request, so fewer, larger batches roughly halve its CPU per record at
     * telemetry rates, for at most 20 ms more latency to Kafka.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        return Map.ofEntries(
                Map.entry("bootstrap.servers", bootstrapServers),
                Map.entry("enable.idempotence", true),
                Map.entry("acks", "all"),
                Map.entry("retries", Integer.MAX_VALUE),
                Map.entry("delivery.timeout.ms", Integer.MAX_VALUE),
                Map.entry("max.in.flight.requests.per.connection", 5),
                Map.entry("max.block.ms", 1000),
                Map.entry("linger.ms", 20),
                Map.entry("batch.size", 65536),
                Map.entry("compression.type", "lz4"),
                Map.entry("reconnect.backoff.max.ms", 1000),
                Map.entry("client.id", "fleetwarden-broker-forwarder"),
                Map.entry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
                Map.entry("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"));
    }

    @Override
    public void telemetry(Telemetry telemetry) {
        offer(new ProducerRecord<>(Topics.TELEMETRY, DeviceKeys.of(telemetry.getTenant(), telemetry.getDeviceId()),
                Codecs.TELEMETRY.encode(telemetry)));
    }

    @Override
    public void securityEvent(SecurityEvent event) {
        offer(new ProducerRecord<>(Topics.SECURITY_EVENTS, Topics.securityEventKey(event),
                Codecs.SECURITY_EVENT.encode(event)));
    }

    @Override
    public void deviceEvent(DeviceLifecycleEvent event) {
        offer(new ProducerRecord<>(Topics.DEVICE_EVENTS, DeviceKeys.of(event.getTenant(), event.getDeviceId()),
                Codecs.DEVICE_EVENT.encode(event)));
    }

    /** Records accepted but not yet acknowledged by Kafka. */
    public long depth() {
        return maxBuffered - capacity.availablePermits();
    }

    /** Whether the sender thread runs (it only ends on {@link #close()}). */
    public boolean isAlive() {
        return sender.isAlive();
    }

    /** Records dropped since start. */
    public long dropped() {
        return droppedTotal.get();
    }

    private void offer(ProducerRecord<String, byte[]> record) {
        if (!running || !capacity.tryAcquire()) {
            drop(record.topic(), "buffer full (" + maxBuffered + " records)");
            return;
        }
        queue.add(record);
    }

    private void drop(String topic, String why) {
        metrics.dropped(topic);
        long n = droppedTotal.incrementAndGet();
        if (n == 1 || n % DROP_LOG_EVERY == 0) {
            LOG.warn("dropped a record for {}: {}; {} dropped since start", topic, why, n);
        }
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            ProducerRecord<String, byte[]> record;
            try {
                record = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (record == null) {
                continue;
            }
            sendInOrder(record);
        }
    }

    /**
     * Hands one record to the producer, retrying in place (so order holds) while the producer cannot
     * accept it, e.g. while metadata is unavailable because Kafka is down. The producer reports such
     * failures through the callback, synchronously on this thread, instead of throwing.
     */
    private void sendInOrder(ProducerRecord<String, byte[]> record) {
        long backoffMs = 100;
        while (true) {
            AtomicReference<Exception> immediate = new AtomicReference<>();
            try {
                producer.send(record, (meta, error) -> {
                    if (error != null && Thread.currentThread() == sender) {
                        immediate.set(error);
                        return;
                    }
                    capacity.release();
                    if (error != null) {
                        metrics.kafkaError();
                        drop(record.topic(), "delivery failed: " + error);
                    }
                });
                if (immediate.get() == null) {
                    return;
                }
                throw new KafkaException(immediate.get());
            } catch (InterruptException e) {
                capacity.release();
                drop(record.topic(), "interrupted while stopping");
                Thread.currentThread().interrupt();
                return;
            } catch (KafkaException e) {
                // Kafka unreachable or metadata unknown: keep the record and try again.
                metrics.kafkaError();
                LOG.debug("Kafka send attempt failed, retrying: {}", e.toString());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    capacity.release();
                    drop(record.topic(), "interrupted while stopping");
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(1000, backoffMs * 2);
            }
        }
    }

    /** Flushes for up to {@code timeout}, then closes the producer; undelivered records are logged as lost. */
    public void close(Duration timeout) {
        running = false;
        try {
            sender.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            sender.interrupt();
        }
        producer.close(timeout);
        long lost = depth();
        if (lost > 0) {
            LOG.warn("stopped with {} record(s) not acknowledged by Kafka", lost);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
