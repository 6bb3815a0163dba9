package io.fleetwarden.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.connector.base.DeliveryGuarantee;

import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Command-line options of the job's main classes (picocli), parsed once and validated with errors that
 * name the option. Durations take the project's one syntax ({@link Durations}: {@code 5s}, {@code PT5S},
 * {@code 500ms}). {@code --rule key=value} (repeatable) overrides a detection threshold, see the README.
 */
@Command(name = "fleetwarden-stream-jobs", sortOptions = false, usageHelpWidth = 110,
        description = "The Fleetwarden detection jobs: read fleet.telemetry and fleet.security-events, write "
                + "fleet.alerts, fleet.device-status and InfluxDB series.")
public final class JobOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,..]", description = "Kafka (required)")
    public String bootstrapServers;

    @Option(names = "--influx-url", paramLabel = "URL",
            description = "InfluxDB 1.x HTTP API, e.g. http://127.0.0.1:8086 (omit to skip InfluxDB)")
    public String influxUrl;

    @Option(names = "--influx-db", paramLabel = "NAME",
            description = "database (default ${DEFAULT-VALUE}); created if missing only without --influx-user")
    public String influxDatabase = "fleetwarden";

    @Option(names = "--influx-user", paramLabel = "NAME",
            description = "InfluxDB user with WRITE on the database; its password is read on the task managers from "
                    + "FLEETWARDEN_INFLUX_PASSWORD or --influx-password-file (never from the command line)")
    public String influxUser;

    @Option(names = "--influx-password-file", paramLabel = "FILE",
            description = "file holding the InfluxDB password, readable on every task manager")
    public String influxPasswordFile;

    @Option(names = "--influx-batch", paramLabel = "N", description = "points per write (default ${DEFAULT-VALUE})")
    public int influxBatchSize = 5000;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|URI", description = "checkpoint storage (required for the local run)")
    public String checkpointDir;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "default 5s (ISO-8601 or 500ms/5s/1m/6h/30d)")
    public Duration checkpointInterval = Duration.ofSeconds(5);

    @Option(names = "--group-id", paramLabel = "ID", description = "Kafka consumer group (default ${DEFAULT-VALUE})")
    public String groupId = "fleetwarden-stream-jobs";

    @Option(names = "--transactional-id-prefix", paramLabel = "P",
            description = "Kafka sink transactional id prefix (default ${DEFAULT-VALUE})")
    public String transactionalIdPrefix = "fleetwarden-stream-jobs";

    @Option(names = "--parallelism", paramLabel = "N", description = "default ${DEFAULT-VALUE}")
    public int parallelism = 2;

    @Option(names = "--idleness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "partition idleness for watermarks (default 30s)")
    public Duration idleness = Duration.ofSeconds(30);

    @Option(names = "--out-of-orderness", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "watermark delay (default 5s)")
    public Duration outOfOrderness = Duration.ofSeconds(5);

    /**
     * Watermark alignment of the event topics' sources (see {@code KafkaWiring}): how far in event time one of them may
     * read ahead of the slowest. Keep it above {@code --idleness}: a quiet partition holds the others back until it is
     * declared idle. Zero switches alignment off. It is also the per-device operator's read-ahead bound: a security event
     * further ahead of that operator's watermark waits until the watermark is this close (10 min when alignment is off).
     */
    @Option(names = "--watermark-drift", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "how far an event topic's source may read ahead of the slowest one in event time, and a security event"
                    + " ahead of both its device's reports and the per-device operator's watermark before it waits (default 10m;"
                    + " 0s: no alignment, 10m bound)")
    public Duration watermarkDrift = io.fleetwarden.jobs.kafka.KafkaWiring.DEFAULT_MAX_DRIFT;

    /**
     * How far a reading's event time may follow the device's own clock: its device time bounded to
     * {@code [receivedAt - clockSkew, receivedAt]} (see {@code EventTime}). Default 0: event time is the
     * broker's receive time, the device clock is evidence only. A window lets a device's finer ordering
     * count, but then a device whose clock lags inside the window looks late to the liveness rules
     * (the replay found RES-OFF-001 on every report of devices 30 s - 2 min behind). At most the
     * allowed lateness (10 min). The broker's {@code validation.clock-skew} (findings) is separate.
     */
    @Option(names = "--clock-skew", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "device clock window: event time = device time bounded to [broker receive time - window, "
                    + "broker receive time] (default 0s: broker receive time; at most 10m)")
    public Duration clockSkew = Duration.ZERO;

    /**
     * Delivery of the alert and device-status sinks. EXACTLY_ONCE (default): transactional, alerts are
     * visible to {@code read_committed} consumers only when the next checkpoint commits, so
     * event-to-alert latency is about one checkpoint interval. AT_LEAST_ONCE: alerts are visible within
     * milliseconds, but a failover may publish the same (alertId, revision) twice (consumers must
     * de-duplicate on it).
     */
    @Option(names = "--delivery", paramLabel = "exactly-once|at-least-once", converter = DeliveryConverter.class,
            description = "alert/status sinks (default exactly-once; see README: latency trade-off)")
    public DeliveryGuarantee delivery = DeliveryGuarantee.EXACTLY_ONCE;

    /** Longest time a network buffer waits to fill before it is sent downstream (Flink's default is 100 ms). */
    @Option(names = "--buffer-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "network buffer flush timeout (default 100ms; 0 flushes every record)")
    public Duration bufferTimeout = Duration.ofMillis(100);

    @Option(names = "--rule", paramLabel = "KEY=VALUE",
            description = "detection threshold override, repeatable (see README)")
    public Map<String, String> rules = new LinkedHashMap<>();

    /** Local run only: port of Flink's Prometheus reporter (-1 = no reporter). On a cluster, its configuration decides. */
    @Option(names = "--metrics-port", paramLabel = "N", converter = PortConverter.class,
            description = "local run: Flink Prometheus reporter port, 0-65535 (default off; all interfaces)")
    public int metricsPort = -1;

    /** Local run only: port of {@code /health/live} and {@code /health/ready} (-1 = not served). */
    @Option(names = "--health-port", paramLabel = "N", converter = PortConverter.class,
            description = "local run: /health/live and /health/ready port, 0-65535 (default off)")
    public int healthPort = -1;

    /** Local run only: address the health endpoint binds to. */
    @Option(names = "--health-bind", paramLabel = "ADDRESS",
            description = "local run: health endpoint address (default ${DEFAULT-VALUE})")
    public String healthBindAddress = "127.0.0.1";

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    public boolean helpRequested;

    /**
     * Parses and validates the arguments.
     *
     * @throws IllegalArgumentException naming the option and the bad value, followed by the usage text
     */
    public static JobOptions parse(String[] args) {
        JobOptions o = new JobOptions();
        CommandLine cl = commandLine(o);
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + usage(), e);
        }
        if (o.helpRequested) {
            return o;
        }
        if (o.bootstrapServers == null || o.bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers is required\n" + usage());
        }
        positive("--influx-batch", o.influxBatchSize);
        if (o.influxPasswordFile != null && o.influxUser == null) {
            throw new IllegalArgumentException("option --influx-password-file needs --influx-user\n" + usage());
        }
        if (o.influxUser != null && !o.influxUser.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("option --influx-user '" + o.influxUser
                    + "': a user name is 1-64 characters of [A-Za-z0-9._-]\n" + usage());
        }
        positive("--parallelism", o.parallelism);
        positive("--checkpoint-interval", o.checkpointInterval);
        positive("--idleness", o.idleness);
        if (o.watermarkDrift.isNegative()) { // zero: alignment off
            throw new IllegalArgumentException("option --watermark-drift '" + Durations.format(o.watermarkDrift)
                    + "': must not be negative\n" + usage());
        }
        if (o.clockSkew.isNegative() || o.clockSkew.compareTo(io.fleetwarden.jobs.flink.FleetDetectionJob.ALLOWED_LATENESS) > 0) {
            throw new IllegalArgumentException("option --clock-skew '" + o.clockSkew + "': must be at most the allowed lateness "
                    + io.fleetwarden.jobs.flink.FleetDetectionJob.ALLOWED_LATENESS + "\n" + usage());
        }
        try {
            o.detectionConfig(); // validate now, not when the job starts
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option --rule: " + e.getMessage(), e);
        }
        return o;
    }

    /** The help text: every option with its default. */
    public static String usage() {
        StringWriter out = new StringWriter();
        commandLine(new JobOptions()).usage(new PrintWriter(out));
        return out.toString();
    }

    public DetectionConfig detectionConfig() {
        return DetectionConfig.fromMap(rules);
    }

    private static CommandLine commandLine(JobOptions o) {
        return new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(false).setOverwrittenOptionsAllowed(true);
    }

    private static void positive(String option, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("option " + option + " '" + n + "': must be positive\n" + usage());
        }
    }

    private static void positive(String option, Duration d) {
        if (d.isZero()) {
            throw new IllegalArgumentException("option " + option + " '" + Durations.format(d) + "': must be positive\n" + usage());
        }
    }

    /** Durations in the project's one syntax. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A TCP port, 0 (any free port) to 65535. */
    public static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a port between 0 and 65535, got '" + value + "'");
            }
            if (n < 0 || n > 65535) {
                throw new TypeConversionException("must be a port between 0 and 65535, got " + n);
            }
            return n;
        }
    }

    /** {@code exactly-once} or {@code at-least-once}. */
    public static final class DeliveryConverter implements ITypeConverter<DeliveryGuarantee> {
        @Override
        public DeliveryGuarantee convert(String value) {
            return switch (value) {
                case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
                case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
                default -> throw new TypeConversionException("expected exactly-once or at-least-once, got '" + value + "'");
            };
        }
    }
}
