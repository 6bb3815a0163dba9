package io.fleetwarden.model.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of topics that are replayed into memory: it reads each topic from the beginning and keeps
 * following it, handing every record to the topic's handler. The brokers read {@code fleet.device-controls}
 * with it, the dashboard its views of alerts, triage and device status.
 *
 * <p><b>State over time.</b> No consumer group, no committed offsets: every start replays the topics (the log
 * is the source of truth), {@code read_committed}, so records of aborted or open transactions are never seen.
 * {@link #awaitCaughtUp(Duration)} returns once every partition has been read up to the end offset it had when
 * reading began, so a restarted component can wait for its full state before it serves.
 *
 * <p><b>One retry policy.</b> Nothing Kafka does stops the reader: a topic that does not exist yet, an
 * unreachable or restarting broker, timeouts and any other client error are logged, counted in {@link #retries()}
 * and retried after an exponential back-off ({@code initialBackoff} doubling up to {@code maxBackoff}, back to
 * the start after a successful poll). The consumer keeps its position across retries, so a record is handed
 * over once per replay.
 *
 * <p><b>Bad records.</b> A record whose handler throws (the handler decodes and refuses what it cannot read)
 * or that the client cannot deserialise is counted in {@link #skipped()}, logged (the first and every
 * 1000th, with topic, partition and offset) and skipped; the next record is read as if nothing happened.
 * Records come from anyone who can write the topic and are treated as hostile.
 */
public final class CompactedTopicReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);
    private static final long LOG_SKIPPED_EVERY = 1000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, Consumer<ConsumerRecord<String, byte[]>>> handlers;
    private final Map<String, Object> properties;
    private final Duration pollTimeout;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final String threadName;

    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running;
    private boolean started;
    private boolean closed;

    /**
     * Creates the Kafka consumer and the reading thread here, on the caller's thread, so both see the caller's
     * context class loader (a HiveMQ extension builds its reader under its own class loader).
     */
    private CompactedTopicReader(Builder b) {
        this.handlers = Map.copyOf(b.handlers);
        // TLS and authentication as configured for this process (KafkaClientSecurity)
        this.properties = Map.copyOf(KafkaClientSecurity.configured().applyTo(new HashMap<>(b.properties)));
        this.pollTimeout = b.pollTimeout;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.threadName = b.threadName;
        this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** A reader of the given Kafka cluster; add topics with {@link Builder#on}. */
    public static Builder builder(String bootstrapServers, String clientId) {
        return new Builder(bootstrapServers, clientId);
    }

    /** Starts reading in the background (daemon) thread. Calling it again, or after {@link #close()}, does nothing. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        running = true;
        thread.start();
    }

    /** Waits until every partition was read up to its end offset at start. @return false on timeout */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    /**
     * Whether the reading thread runs: true from {@link #start()} until {@link #close()} (or an interrupt of the
     * thread); Kafka errors never end it. A liveness check of the component that owns the reader.
     */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Records handed to a handler (the skipped ones included). */
    public long records() {
        return records.get();
    }

    /** Records skipped because their handler refused them or they could not be deserialised. */
    public long skipped() {
        return skipped.get();
    }

    /** Kafka errors retried so far (broker away, timeouts, topic missing). */
    public long retries() {
        return retries.get();
    }

    /** The last error retried or the last record skipped, for health pages; null when there was none. */
    public String lastError() {
        return lastError.get();
    }

    private void run() {
        List<TopicPartition> partitions = null;
        Map<TopicPartition, Long> end = null;
        long backoff = initialBackoff.toMillis();
        try {
            while (running) {
                try {
                    if (partitions == null) {
                        partitions = partitions();
                        if (partitions == null) {
                            pause(backoff);
                            backoff = Math.min(backoff * 2, maxBackoff.toMillis());
                            continue;
                        }
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                    }
                    if (end == null && !isCaughtUp()) {
                        end = new HashMap<>(consumer.endOffsets(partitions, REQUEST_TIMEOUT));
                    }
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(pollTimeout)) {
                        handle(r);
                    }
                    if (end != null) {
                        end.entrySet().removeIf(e -> consumer.position(e.getKey(), REQUEST_TIMEOUT) >= e.getValue());
                        if (end.isEmpty()) {
                            end = null;
                            caughtUp.countDown();
                            LOG.info("{}: caught up with {} after {} record(s), {} skipped", threadName,
                                    handlers.keySet(), records.get(), skipped.get());
                        }
                    }
                    backoff = initialBackoff.toMillis();
                } catch (RecordDeserializationException e) {
                    skip(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), e.toString());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    if (running) {
                        continue; // a stray wakeup; close() clears running first
                    }
                    return;
                } catch (InterruptException e) {
                    return; // the reading thread was interrupted: stop, as close() would
                } catch (RuntimeException e) {
                    retries.incrementAndGet();
                    lastError.set(e.toString());
                    LOG.warn("{}: reading {} failed ({}); retrying in {} ms", threadName, handlers.keySet(), e, backoff);
                    pause(backoff);
                    backoff = Math.min(backoff * 2, maxBackoff.toMillis());
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** The partitions of every topic, or null while one of them does not exist yet (or Kafka cannot say). */
    private List<TopicPartition> partitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : handlers.keySet()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, REQUEST_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                retries.incrementAndGet();
                lastError.set("topic " + topic + " does not exist");
                LOG.warn("{}: topic {} does not exist yet; waiting", threadName, topic);
                return null;
            }
            infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
        }
        return all;
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        records.incrementAndGet();
        try {
            handlers.get(r.topic()).accept(r);
        } catch (RuntimeException e) {
            skip(r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private void skip(String topic, int partition, long offset, String why) {
        long n = skipped.incrementAndGet();
        String message = "skipped record " + topic + "-" + partition + "@" + offset + ": " + why;
        lastError.set(message);
        if (n == 1 || n % LOG_SKIPPED_EVERY == 0) {
            LOG.warn("{}: {} ({} skipped so far)", threadName, message, n);
        }
    }

    private void pause(long millis) {
        try {
            stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops reading and closes the consumer; waits up to 5 s for the reading thread. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            if (!started) {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
                return;
            }
        }
        stopping.countDown();
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Settings of a {@link CompactedTopicReader}. */
    public static final class Builder {
        private final Map<String, Consumer<ConsumerRecord<String, byte[]>>> handlers = new LinkedHashMap<>();
        private final Map<String, Object> properties = new HashMap<>();
        private Duration pollTimeout = Duration.ofMillis(200);
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private String threadName;

        private Builder(String bootstrapServers, String clientId) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(clientId, "clientId");
            properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
            threadName = clientId;
        }

        /** Reads {@code topic} into {@code handler} (one thread; a handler that throws skips the record). */
        public Builder on(String topic, Consumer<ConsumerRecord<String, byte[]>> handler) {
            handlers.put(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** A further Kafka consumer setting, e.g. {@code max.poll.records}; group and offsets settings are fixed. */
        public Builder property(String key, Object value) {
            if (key.equals(ConsumerConfig.GROUP_ID_CONFIG) || key.equals(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)
                    || key.equals(ConsumerConfig.ISOLATION_LEVEL_CONFIG)) {
                throw new IllegalArgumentException(key + " is fixed by the reader (no group, no commits, read_committed)");
            }
            properties.put(key, value);
            return this;
        }

        /** Back-off after a Kafka error: {@code initial}, doubling up to {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** Longest wait of one poll. */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder threadName(String name) {
            this.threadName = Objects.requireNonNull(name);
            return this;
        }

        public CompactedTopicReader build() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("no topic to read: add one with on(topic, handler)");
            }
            return new CompactedTopicReader(this);
        }
    }
}
