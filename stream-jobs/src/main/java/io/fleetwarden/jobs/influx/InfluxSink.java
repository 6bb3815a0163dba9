package io.fleetwarden.jobs.influx;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;

/**
 * Writes {@link HealthPoint}s to InfluxDB 1.x ({@code /write}, InfluxQL) in batches with
 * influxdb-java. Points are buffered and written synchronously when the batch is full and on every
 * checkpoint ({@link SinkWriter#flush}), so a completed checkpoint means its points are stored:
 * at-least-once, and idempotent because a replayed point has the same measurement, tags and time.
 * A failed write fails the task (and the job restarts from the checkpoint) rather than losing points.
 *
 * <p>Without {@link Credentials} the writer connects anonymously and creates the database (a
 * development server without authentication). With a user it never creates anything: the database
 * and its retention policy are provisioned by the operator, and the user needs only WRITE on it.
 * The password is resolved where the writer runs (the task manager), from a file or the environment
 * variable {@value #PASSWORD_ENV}, so it is never part of the job graph or a command line.
 */
public class InfluxSink implements Sink<HealthPoint> {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String database;
    private final int batchSize;
    private final Credentials credentials;

    /** Environment variable holding the InfluxDB password on the task managers. */
    public static final String PASSWORD_ENV = "FLEETWARDEN_INFLUX_PASSWORD";

    /**
     * Who the writer authenticates as: a user, and where its password is read (a file on the task
     * managers, else {@value #PASSWORD_ENV}). {@link #NONE} connects anonymously.
     *
     * @param user user name, or null for none
     * @param passwordFile file holding the password (trailing newline ignored), or null for the environment
     */
    public record Credentials(String user, String passwordFile) implements Serializable {
        /** Anonymous access (a development server without authentication). */
        public static final Credentials NONE = new Credentials(null, null);

        /**
         * @param env the environment lookup (System::getenv in production)
         * @return the password
         * @throws IOException if a user is configured but no password is found
         */
        String password(UnaryOperator<String> env) throws IOException {
            if (passwordFile != null) {
                String p = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
                if (p.isEmpty()) {
                    throw new IOException("InfluxDB password file " + passwordFile + " is empty");
                }
                return p;
            }
            String p = env.apply(PASSWORD_ENV);
            if (p == null || p.isBlank()) {
                throw new IOException("InfluxDB user " + user + " is configured but no password: set " + PASSWORD_ENV
                        + " on every task manager, or --influx-password-file");
            }
            return p;
        }
    }

    public InfluxSink(String url, String database, int batchSize, Credentials credentials) {
        this.url = url;
        this.database = database;
        this.batchSize = batchSize;
        this.credentials = credentials == null ? Credentials.NONE : credentials;
    }

    @Override
    public SinkWriter<HealthPoint> createWriter(WriterInitContext context) throws IOException {
        return new Writer(url, database, batchSize, credentials, System::getenv,
                context.metricGroup().counter("influxPointsWritten"));
    }

    static final class Writer implements SinkWriter<HealthPoint> {
        private final InfluxDB influx;
        private final String database;
        private final int batchSize;
        private final Counter written;
        private final List<Point> buffer = new ArrayList<>();

        Writer(String url, String database, int batchSize, Credentials credentials, UnaryOperator<String> env,
               Counter written) throws IOException {
            this.database = database;
            this.batchSize = batchSize;
            this.written = written;
            if (credentials.user() == null) {
                this.influx = InfluxDBFactory.connect(url);
                // Idempotent: InfluxDB 1.x answers success when the database exists.
                influx.query(new Query("CREATE DATABASE \"" + database.replace("\"", "") + "\""));
            } else {
                this.influx = InfluxDBFactory.connect(url, credentials.user(), credentials.password(env));
            }
        }

        @Override
        public void write(HealthPoint p, Context context) throws IOException {
            Point.Builder b = Point.measurement(p.measurement).time(p.timeNanos, TimeUnit.NANOSECONDS);
            for (int i = 0; i < p.tagCount(); i++) {
                b.tag(p.tagKey(i), p.tagValue(i));
            }
            for (int i = 0; i < p.numberCount(); i++) {
                b.addField(p.numberKey(i), p.numberValue(i));
            }
            for (int i = 0; i < p.stringCount(); i++) {
                b.addField(p.stringKey(i), p.stringValue(i));
            }
            if (!b.hasFields()) {
                return;
            }
            buffer.add(b.build());
            if (buffer.size() >= batchSize) {
                flush(false);
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (buffer.isEmpty()) {
                return;
            }
            BatchPoints batch = BatchPoints.database(database).precision(TimeUnit.NANOSECONDS).points(buffer).build();
            try {
                influx.write(batch);
            } catch (RuntimeException e) {
                throw new IOException("InfluxDB write of " + buffer.size() + " points to " + database + " failed", e);
            }
            written.inc(buffer.size());
            buffer.clear();
        }

        @Override
        public void close() {
            influx.close();
        }
    }
}
