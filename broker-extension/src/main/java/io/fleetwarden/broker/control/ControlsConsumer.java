package io.fleetwarden.broker.control;

import java.time.Duration;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.fleetwarden.broker.registry.DeviceRegistry;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.codec.Decoded;
import io.fleetwarden.model.kafka.CompactedTopicReader;

/**
 * Reads the compacted {@code fleet.device-controls} topic from the beginning, on every broker
 * instance (no consumer group: each broker needs every record), and applies each record to the
 * {@link ControlState}. Changes are passed to a listener (which disconnects revoked devices).
 *
 * <p>Reading, retrying and skipping are event-model's {@link CompactedTopicReader}: Kafka away or slow keeps
 * the last known controls and is retried with back-off, never stopping enforcement; an unreadable record is
 * counted ({@link #skipped()}), logged and skipped.
 *
 * <p>State over time: {@link #awaitInitialLoad(Duration)} returns once the consumer has read up to
 * the end offsets it saw at start, so a restarted broker enforces existing quarantines and revocations
 * before it admits devices.
 */
public final class ControlsConsumer implements AutoCloseable {

    /** How long Kafka may hold a fetch of the controls consumer while no control arrives (well under request.timeout.ms). */
    static final Duration IDLE_FETCH_WAIT = Duration.ofSeconds(10);

    private final ControlState state;
    private final Consumer<ControlState.Change> listener;
    private final CompactedTopicReader reader;

    public ControlsConsumer(String bootstrapServers, String brokerId, ControlState state,
                            Consumer<ControlState.Change> listener) {
        this(bootstrapServers, brokerId, state, listener, null, null);
    }

    /**
     * Also reads {@code fleet.device-registry} into {@code registry} when it is not null (registry enforcement on),
     * with the same reader: start then waits for both topics, so a restarted broker never admits a device the
     * registry refuses. {@code onRegistryChange} is told the key of every applied registration.
     */
    public ControlsConsumer(String bootstrapServers, String brokerId, ControlState state,
                            Consumer<ControlState.Change> listener, DeviceRegistry registry,
                            Consumer<String> onRegistryChange) {
        this.state = state;
        this.listener = listener;
        CompactedTopicReader.Builder b = CompactedTopicReader.builder(bootstrapServers, "fleetwarden-broker-controls-" + brokerId)
                .threadName("fleetwarden-controls-consumer")
                .pollTimeout(Duration.ofMillis(500))
                // Idle cost: the topics change rarely, and Kafka answers a waiting fetch as soon as a record arrives
                // (fetch.min.bytes 1), so a long wait delays no control; it only turns the 2 empty fetch round
                // trips per second of the default 500 ms into one per IDLE_FETCH_WAIT.
                .property(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) IDLE_FETCH_WAIT.toMillis())
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .on(Topics.DEVICE_CONTROLS, this::apply);
        if (registry != null) {
            b.on(Topics.DEVICE_REGISTRY, r -> {
                registry.apply(r.key(), r.value());
                if (onRegistryChange != null) {
                    onRegistryChange.accept(r.key());
                }
            });
        }
        this.reader = b.build();
    }

    /** Starts reading in the background. */
    public void start() {
        reader.start();
    }

    /** Waits until the records present at start have been applied. @return false on timeout */
    public boolean awaitInitialLoad(Duration timeout) throws InterruptedException {
        return reader.awaitCaughtUp(timeout);
    }

    /** Whether the records present at start have been applied. */
    public boolean isLoaded() {
        return reader.isCaughtUp();
    }

    /** Whether the reading thread runs (it only ends on {@link #close()}). */
    public boolean isAlive() {
        return reader.isAlive();
    }

    /** Control records skipped because they could not be read. */
    public long skipped() {
        return reader.skipped();
    }

    /** A tombstone releases the device; anything that is not a device control is refused (and skipped). */
    private void apply(ConsumerRecord<String, byte[]> r) {
        DeviceControl control = null;
        if (r.value() != null) {
            Decoded<DeviceControl> d = Codecs.DEVICE_CONTROL.tryDecode(r.value());
            if (!d.isOk()) {
                throw new IllegalArgumentException("unreadable control record: "
                        + d.error().map(Throwable::getMessage).orElse("unknown"));
            }
            control = d.value();
        }
        listener.accept(state.apply(r.key(), control));
    }

    @Override
    public void close() {
        reader.close();
    }
}
