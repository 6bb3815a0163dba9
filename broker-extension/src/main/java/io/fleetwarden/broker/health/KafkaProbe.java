package io.fleetwarden.broker.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether Kafka answers this broker: asks the cluster for its id ({@code describeCluster}) each time
 * {@link #check()} runs (the extension schedules it every few seconds), so health requests never wait
 * on Kafka. Kafka counts as reachable while the latest check succeeded and is not older than the
 * staleness bound (a check that hangs must not keep an old success alive). Thread-safe.
 */
public final class KafkaProbe implements AutoCloseable {

    private final Admin admin;
    private final Duration timeout;
    private final Duration staleAfter;
    private final LongSupplier nanoClock;
    private volatile long lastSuccessNanos;
    private volatile boolean everSucceeded;
    private volatile String lastError = "not checked yet";

    /**
     * @param admin      an admin client for the broker's Kafka
     * @param timeout    how long one check may take
     * @param staleAfter how old the latest success may be and still count
     */
    public KafkaProbe(Admin admin, Duration timeout, Duration staleAfter, LongSupplier nanoClock) {
        this.admin = admin;
        this.timeout = timeout;
        this.staleAfter = staleAfter;
        this.nanoClock = nanoClock;
    }

    /** Admin client settings: short timeouts, a quick reconnect, nothing else. */
    public static Map<String, Object> adminConfig(String bootstrapServers, String brokerId) {
        return Map.of("bootstrap.servers", bootstrapServers, "client.id", "fleetwarden-broker-health-" + brokerId,
                "request.timeout.ms", 3000, "default.api.timeout.ms", 3000, "reconnect.backoff.max.ms", 1000,
                "socket.connection.setup.timeout.max.ms", 3000);
    }

    /** Runs one check now (blocks up to the timeout). */
    public void check() {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).clusterId()
                    .get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            lastSuccessNanos = nanoClock.getAsLong();
            everSucceeded = true;
            lastError = "";
        } catch (ExecutionException e) {
            lastError = String.valueOf(e.getCause());
            everSucceeded = false;
        } catch (TimeoutException e) {
            lastError = "no answer within " + timeout;
            everSucceeded = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError = e.toString();
            everSucceeded = false;
        }
    }

    /** Whether the latest check succeeded and is recent enough. */
    public boolean reachable() {
        return everSucceeded && nanoClock.getAsLong() - lastSuccessNanos <= staleAfter.toNanos();
    }

    /** A readable state for the health report. */
    public String detail() {
        if (reachable()) {
            return "cluster answered " + Duration.ofNanos(nanoClock.getAsLong() - lastSuccessNanos).toMillis() + " ms ago";
        }
        return everSucceeded ? "last answer older than " + staleAfter : "unreachable: " + lastError;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
