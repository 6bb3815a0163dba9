package io.fleetwarden.dashboard.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.fleetwarden.model.kafka.CompactedTopicReader;

/**
 * Reads whole topics from the beginning into in-memory stores and keeps following them, with event-model's
 * {@link CompactedTopicReader} (the same reader and retry policy as the brokers' controls).
 *
 * <p>State and time: there is no consumer group and no committed offset; every start replays the
 * topics (compacted ones are small; {@code fleet.alerts} is bounded by its retention), so the
 * stores are always rebuilt from the log, which is the source of truth. {@link #isCaughtUp()} turns
 * true once every partition reached the end offset it had when the materialiser started: the
 * readiness probe waits for it so that a restarted API never serves a half-loaded view.
 *
 * <p>A Kafka outage or a topic that does not exist yet is retried with back-off and never stops the view;
 * a listener that throws (a record it cannot read) is counted in {@link #failures()} and skipped.
 */
public final class TopicMaterializer implements AutoCloseable {

    private final Map<String, Consumer<ConsumerRecord<String, byte[]>>> listeners = new LinkedHashMap<>();
    private final String bootstrap;
    private volatile CompactedTopicReader reader;

    public TopicMaterializer(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
    }

    /** Registers the listener of one topic; call before {@link #start()}. */
    public synchronized TopicMaterializer on(String topic, Consumer<ConsumerRecord<String, byte[]>> listener) {
        if (reader != null) {
            throw new IllegalStateException("listeners must be registered before start()");
        }
        listeners.put(topic, listener);
        return this;
    }

    public synchronized void start() {
        if (reader != null) {
            return;
        }
        CompactedTopicReader.Builder b = CompactedTopicReader.builder(bootstrap, "dashboard-api-materializer")
                .threadName("dashboard-materializer")
                .property("max.poll.records", 5000);
        listeners.forEach(b::on);
        reader = b.build();
        reader.start();
    }

    public boolean isCaughtUp() {
        CompactedTopicReader r = reader;
        return r != null && r.isCaughtUp();
    }

    /** Waits until the initial replay is done; true if it finished within {@code timeout}. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        CompactedTopicReader r = reader;
        if (r == null) {
            throw new IllegalStateException("not started");
        }
        return r.awaitCaughtUp(timeout);
    }

    /** Records skipped because their listener could not apply them. */
    public long failures() {
        CompactedTopicReader r = reader;
        return r == null ? 0 : r.skipped();
    }

    public long records() {
        CompactedTopicReader r = reader;
        return r == null ? 0 : r.records();
    }

    /** Kafka errors retried so far. */
    public long retries() {
        CompactedTopicReader r = reader;
        return r == null ? 0 : r.retries();
    }

    @Override
    public void close() {
        CompactedTopicReader r = reader;
        if (r != null) {
            r.close();
        }
    }
}
