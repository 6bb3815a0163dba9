package io.fleetwarden.dashboard.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole topics from the beginning into in-memory stores and keeps following them.
 *
 * <p>State and time: there is no consumer group and no committed offset; every start replays the
 * topics (compacted ones are small; {@code fleet.alerts} is bounded by its retention), so the
 * stores are always rebuilt from the log, which is the source of truth. {@link #isCaughtUp()} turns
 * true once every partition reached the end offset it had when the materialiser started: the
 * readiness probe waits for it so that a restarted API never serves a half-loaded view.
 *
 * <p>A listener that throws is counted and skipped; one bad record never stops the view.
 */
public final class TopicMaterializer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicMaterializer.class);

    private final Map<String, Consumer<ConsumerRecord<String, byte[]>>> listeners = new HashMap<>();
    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public TopicMaterializer(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
    }

    /** Registers the listener of one topic; call before {@link #start()}. */
    public TopicMaterializer on(String topic, Consumer<ConsumerRecord<String, byte[]>> listener) {
        listeners.put(topic, listener);
        return this;
    }

    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dashboard-api-materializer");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "dashboard-materializer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : listeners.keySet()) {
                List<PartitionInfo> infos = waitForTopic(topic);
                for (PartitionInfo i : infos) {
                    partitions.add(new TopicPartition(i.topic(), i.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.incrementAndGet();
                    try {
                        listeners.get(r.topic()).accept(r);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        LOG.warn("skipped record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                }
                if (caughtUp.getCount() > 0) {
                    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (end.isEmpty()) {
                        caughtUp.countDown();
                        LOG.info("materialised {} records from {}", records.get(), listeners.keySet());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("materialiser stopped: {}", e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private List<PartitionInfo> waitForTopic(String topic) {
        while (running.get()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos;
            }
            LOG.warn("topic {} does not exist yet; waiting", topic);
        }
        throw new WakeupException();
    }

    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Waits until the initial replay is done; true if it finished within {@code timeout}. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long failures() {
        return failures.get();
    }

    public long records() {
        return records.get();
    }

    @Override
    public void close() {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
