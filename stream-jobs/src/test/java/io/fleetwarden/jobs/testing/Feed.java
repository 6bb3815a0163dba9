package io.fleetwarden.jobs.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;

import io.fleetwarden.testsupport.KafkaEndpoint;

/**
 * A live fleet for a running job: a background thread that sends one round of records every {@code period} (what the
 * round holds is the test's: it may read flags the test flips) and flushes it, until {@link #close()}. A failure of
 * the thread is kept for the test to assert on ({@link #failure()}), never swallowed.
 */
public final class Feed implements AutoCloseable {

    /** One round of records, sent at {@code now} (wall clock, ms). */
    @FunctionalInterface
    public interface Round {
        void send(KafkaProducer<byte[], byte[]> producer, long now) throws Exception;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    private Feed(KafkaEndpoint kafka, Duration period, Round round) {
        thread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = DetectionJobRun.producer(kafka)) {
                while (running.get()) {
                    round.send(p, System.currentTimeMillis());
                    p.flush();
                    Thread.sleep(period.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "fleet");
    }

    /** Starts sending a round every {@code period}. */
    public static Feed start(KafkaEndpoint kafka, Duration period, Round round) {
        Feed f = new Feed(kafka, period, round);
        f.thread.start();
        return f;
    }

    /** What stopped the thread, or null while it runs (or after it stopped as asked). */
    public Throwable failure() {
        return failure.get();
    }

    /** Stops after the current round and waits up to 10 s for the thread. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
