package io.fleetwarden.jobs.influx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 */
public class InfluxSink implements Sink<HealthPoint> {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String database;
    private final int batchSize;

    public InfluxSink(String url, String database, int batchSize) {
        this.url = url;
        this.database = database;
        this.batchSize = batchSize;
    }

    @Override
    public SinkWriter<HealthPoint> createWriter(WriterInitContext context) throws IOException {
        return new Writer(url, database, batchSize, context.metricGroup().counter("influxPointsWritten"));
    }

    static final class Writer implements SinkWriter<HealthPoint> {
        private final InfluxDB influx;
        private final String database;
        private final int batchSize;
        private final Counter written;
        private final List<Point> buffer = new ArrayList<>();

        Writer(String url, String database, int batchSize, Counter written) {
            this.influx = InfluxDBFactory.connect(url);
            this.database = database;
            this.batchSize = batchSize;
            this.written = written;
            // Idempotent: InfluxDB 1.x answers success when the database exists.
            influx.query(new Query("CREATE DATABASE \"" + database.replace("\"", "") + "\""));
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
