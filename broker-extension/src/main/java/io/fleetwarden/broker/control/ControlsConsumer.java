package io.fleetwarden.broker.control;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.codec.Decoded;

/**
 * Reads the compacted {@code fleet.device-controls} topic from the beginning, on every broker
 * instance (no consumer group: each broker needs every record), and applies each record to the
 * {@link ControlState}. Changes are passed to a listener (which disconnects revoked devices).
 *
 * <p>State over time: {@link #awaitInitialLoad(Duration)} returns once the consumer has read up to
 * the end offsets it saw at start, so a restarted broker enforces existing quarantines and revocations
 * before it admits devices. Unreadable records are logged and skipped; they never stop the consumer.
 */
public final class ControlsConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlsConsumer.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final ControlState state;
    private final Consumer<ControlState.Change> listener;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    public ControlsConsumer(String bootstrapServers, String brokerId, ControlState state,
                            Consumer<ControlState.Change> listener) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", "fleetwarden-broker-controls-" + brokerId);
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("reconnect.backoff.max.ms", 1000);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.state = state;
        this.listener = listener;
        this.thread = new Thread(this::run, "fleetwarden-controls-consumer");
        this.thread.setDaemon(true);
    }

    /** Starts reading in the background. */
    public void start() {
        thread.start();
    }

    /** Waits until the records present at start have been applied. @return false on timeout */
    public boolean awaitInitialLoad(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the records present at start have been applied. */
    public boolean isLoaded() {
        return loaded.getCount() == 0;
    }

    /** Whether the reading thread runs (it only ends on {@link #close()}). */
    public boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = null;
            while (running) {
                try {
                    if (end == null) {
                        end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        apply(r);
                    }
                    if (loaded.getCount() > 0 && caughtUp(end)) {
                        LOG.info("device controls loaded: {} device(s) with a control record", state.size());
                        loaded.countDown();
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Kafka away or slow: keep the last known controls and keep trying; never stop enforcing.
                    LOG.warn("device-controls consumer: {}; retrying", e.toString());
                    sleepQuietly(1000);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<TopicPartition> waitForPartitions() {
        while (running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(Topics.DEVICE_CONTROLS, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
                LOG.warn("topic {} not found yet; waiting", Topics.DEVICE_CONTROLS);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warn("Kafka unreachable while looking up {}; retrying", Topics.DEVICE_CONTROLS);
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("cannot look up {}: {}; retrying", Topics.DEVICE_CONTROLS, e.toString());
                sleepQuietly(1000);
            }
        }
        return null;
    }

    /** Whether the consumer has read every partition up to the end offsets seen at start. */
    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        try {
            DeviceControl control = null;
            if (r.value() != null) {
                Decoded<DeviceControl> d = Codecs.DEVICE_CONTROL.tryDecode(r.value());
                if (!d.isOk()) {
                    LOG.warn("skipping unreadable control record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), d.error().map(Throwable::getMessage).orElse("unknown"));
                    return;
                }
                control = d.value();
            }
            ControlState.Change change = state.apply(r.key(), control);
            listener.accept(change);
        } catch (RuntimeException e) {
            LOG.warn("skipping control record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
