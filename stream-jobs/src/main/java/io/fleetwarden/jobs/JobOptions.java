package io.fleetwarden.jobs;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * Command-line options of the job's main classes, parsed once and validated with errors that name
 * the option. {@code --rule key=value} (repeatable) overrides a detection threshold, see the README.
 */
public final class JobOptions {

    public String bootstrapServers;
    public String influxUrl;
    public String influxDatabase = "fleetwarden";
    public int influxBatchSize = 5000;
    public String checkpointDir;
    public Duration checkpointInterval = Duration.ofSeconds(5);
    public String groupId = "fleetwarden-stream-jobs";
    public String transactionalIdPrefix = "fleetwarden-stream-jobs";
    public int parallelism = 2;
    public Duration idleness = Duration.ofSeconds(30);
    public Duration outOfOrderness = Duration.ofSeconds(5);
    /**
     * Delivery of the alert and device-status sinks. EXACTLY_ONCE (default): transactional, alerts are
     * visible to {@code read_committed} consumers only when the next checkpoint commits, so
     * event-to-alert latency is about one checkpoint interval. AT_LEAST_ONCE: alerts are visible within
     * milliseconds, but a failover may publish the same (alertId, revision) twice (consumers must
     * de-duplicate on it).
     */
    public org.apache.flink.connector.base.DeliveryGuarantee delivery = org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE;
    /** Longest time a network buffer waits to fill before it is sent downstream (Flink's default is 100 ms). */
    public Duration bufferTimeout = Duration.ofMillis(100);
    public final Map<String, String> rules = new LinkedHashMap<>();
    /** Local run only: port of Flink's Prometheus reporter (-1 = no reporter). On a cluster, its configuration decides. */
    public int metricsPort = -1;
    /** Local run only: port of {@code /health/live} and {@code /health/ready} (-1 = not served). */
    public int healthPort = -1;
    /** Local run only: address the health endpoint binds to. */
    public String healthBindAddress = "127.0.0.1";

    public static final String USAGE = String.join("\n",
            "options:",
            "  --bootstrap-servers HOST:PORT[,..]  Kafka (required)",
            "  --influx-url URL                    InfluxDB 1.x HTTP API, e.g. http://127.0.0.1:8086 (omit to skip InfluxDB)",
            "  --influx-db NAME                    database, created if missing (default fleetwarden)",
            "  --influx-batch N                    points per write (default 5000)",
            "  --checkpoint-dir DIR|URI            checkpoint storage (required for the local run)",
            "  --checkpoint-interval DURATION      default 5s (ISO-8601 or 500ms/5s/1m)",
            "  --group-id ID                       Kafka consumer group (default fleetwarden-stream-jobs)",
            "  --transactional-id-prefix P         Kafka sink transactional id prefix (default fleetwarden-stream-jobs)",
            "  --parallelism N                     default 2",
            "  --idleness DURATION                 partition idleness for watermarks (default 30s)",
            "  --out-of-orderness DURATION         watermark delay (default 5s)",
            "  --delivery exactly-once|at-least-once  alert/status sinks (default exactly-once; see README: latency trade-off)",
            "  --buffer-timeout DURATION           network buffer flush timeout (default 100ms)",
            "  --rule KEY=VALUE                    detection threshold override, repeatable (see README)",
            "  --metrics-port N                    local run: Flink Prometheus reporter port (default off; all interfaces)",
            "  --health-port N                     local run: /health/live and /health/ready port (default off)",
            "  --health-bind ADDRESS               local run: health endpoint address (default 127.0.0.1)");

    public static JobOptions parse(String[] args) {
        JobOptions o = new JobOptions();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            try {
                switch (name) {
                    case "--bootstrap-servers" -> o.bootstrapServers = v;
                    case "--influx-url" -> o.influxUrl = v;
                    case "--influx-db" -> o.influxDatabase = v;
                    case "--influx-batch" -> o.influxBatchSize = positive(Integer.parseInt(v));
                    case "--checkpoint-dir" -> o.checkpointDir = v;
                    case "--checkpoint-interval" -> o.checkpointInterval = duration(v);
                    case "--group-id" -> o.groupId = v;
                    case "--transactional-id-prefix" -> o.transactionalIdPrefix = v;
                    case "--parallelism" -> o.parallelism = positive(Integer.parseInt(v));
                    case "--idleness" -> o.idleness = duration(v);
                    case "--out-of-orderness" -> o.outOfOrderness = duration(v);
                    case "--delivery" -> o.delivery = switch (v) {
                        case "exactly-once" -> org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE;
                        case "at-least-once" -> org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE;
                        default -> throw new IllegalArgumentException("expected exactly-once or at-least-once");
                    };
                    case "--buffer-timeout" -> o.bufferTimeout = duration(v);
                    case "--metrics-port" -> o.metricsPort = port(Integer.parseInt(v));
                    case "--health-port" -> o.healthPort = port(Integer.parseInt(v));
                    case "--health-bind" -> o.healthBindAddress = v;
                    case "--rule" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("expected KEY=VALUE");
                        }
                        o.rules.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown option\n" + USAGE);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("option " + name + " '" + v + "': " + e.getMessage(), e);
            }
        }
        if (o.bootstrapServers == null || o.bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is required\n" + USAGE);
        }
        o.detectionConfig(); // validate now, not when the job starts
        return o;
    }

    public DetectionConfig detectionConfig() {
        return DetectionConfig.fromMap(rules);
    }

    private static int port(int n) {
        if (n < 0 || n > 65535) {
            throw new IllegalArgumentException("must be a port between 0 and 65535");
        }
        return n;
    }

    private static int positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be positive");
        }
        return n;
    }

    static Duration duration(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            return Duration.parse(s);
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("unknown unit (use ms, s, m, h or ISO-8601)");
        };
    }
}
