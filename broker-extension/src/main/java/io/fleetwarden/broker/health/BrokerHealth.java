package io.fleetwarden.broker.health;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Liveness and readiness of one broker's extension, for orchestrators and load balancers.
 *
 * <p><b>Live</b>: the extension started and its worker threads (Kafka sender, controls reader) run.
 * A broker that is not live cannot recover by waiting; restart it. Kafka being away does not make a
 * broker unlive: it buffers and recovers by itself.
 *
 * <p><b>Ready</b> (should receive new devices): live, HiveMQ finished starting (its MQTT listeners
 * accept connections: the extension starts about a second before them), the device controls were read to their end
 * (quarantines and revocations are enforced), Kafka answers, and the forward buffer holds fewer
 * records than the threshold (a deep buffer means records are waiting for Kafka and drops come
 * next). Thread-safe; each call evaluates the checks afresh.
 */
public final class BrokerHealth {

    /** One named check. */
    public record Check(String name, boolean ok, String detail) {
    }

    /** The verdict and every check that went into it. */
    public record Report(boolean ok, List<Check> checks) {
    }

    private final BooleanSupplier started;
    private final BooleanSupplier workersAlive;
    private final BooleanSupplier controlsLoaded;
    private final BooleanSupplier listening;
    private final KafkaProbe kafka;
    private final LongSupplier bufferDepth;
    private final long maxBufferDepth;

    /**
     * @param started        whether the extension finished its start (and has not stopped)
     * @param workersAlive   whether its background threads run
     * @param controlsLoaded whether the device controls were read up to their end
     * @param listening      whether the broker finished starting, its MQTT listeners bound
     * @param maxBufferDepth readiness fails at this many records waiting for Kafka
     */
    public BrokerHealth(BooleanSupplier started, BooleanSupplier workersAlive, BooleanSupplier controlsLoaded,
                        BooleanSupplier listening, KafkaProbe kafka, LongSupplier bufferDepth, long maxBufferDepth) {
        this.started = started;
        this.listening = listening;
        this.workersAlive = workersAlive;
        this.controlsLoaded = controlsLoaded;
        this.kafka = kafka;
        this.bufferDepth = bufferDepth;
        this.maxBufferDepth = maxBufferDepth;
    }

    public Report liveness() {
        List<Check> checks = new ArrayList<>();
        checks.add(new Check("extension", started.getAsBoolean(), started.getAsBoolean() ? "started" : "not started or stopped"));
        checks.add(new Check("workers", workersAlive.getAsBoolean(),
                workersAlive.getAsBoolean() ? "Kafka sender and controls reader running" : "a worker thread stopped"));
        return report(checks);
    }

    public Report readiness() {
        List<Check> checks = new ArrayList<>(liveness().checks());
        boolean bound = listening.getAsBoolean();
        checks.add(new Check("listeners", bound, bound ? "MQTT listeners accepting" : "broker still starting its listeners"));
        boolean loaded = controlsLoaded.getAsBoolean();
        checks.add(new Check("controls", loaded, loaded ? "device controls loaded" : "device controls not loaded yet"));
        checks.add(new Check("kafka", kafka.reachable(), kafka.detail()));
        long depth = bufferDepth.getAsLong();
        checks.add(new Check("buffer", depth < maxBufferDepth,
                depth + " record(s) waiting for Kafka (not ready from " + maxBufferDepth + ")"));
        return report(checks);
    }

    private static Report report(List<Check> checks) {
        return new Report(checks.stream().allMatch(Check::ok), List.copyOf(checks));
    }
}
