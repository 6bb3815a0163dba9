package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.influxdb.BatchOptions;
import org.influxdb.InfluxDB;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InfluxDbExtensionIT {

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("telemetry");

    private static final Instant BASE = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void startsOnLoopbackWithTheDatabase() {
        assertThat(INFLUX.isRunning()).isTrue();
        assertThat(INFLUX.url()).startsWith("http://127.0.0.1:");
        assertThat(INFLUX.database()).isEqualTo("telemetry");
        assertThat(INFLUX.newClient().ping().isGood()).isTrue();
        assertThat(databases()).contains("telemetry").doesNotContain("_internal");
        System.out.printf("influxd started in %d ms%n", INFLUX.startupTime().toMillis());
    }

    @Test
    void batchedPointsCanBeQueriedAndGroupedByTime() {
        List<Throwable> writeErrors = new CopyOnWriteArrayList<>();
        InfluxDB influx = INFLUX.newClient();
        influx.enableBatch(BatchOptions.DEFAULTS.actions(500).flushDuration(100)
                .exceptionHandler((points, error) -> writeErrors.add(error)));
        // 1,000 points over 10 minutes for two devices: 50 per device per minute.
        for (int i = 0; i < 1_000; i++) {
            influx.write(Point.measurement("telemetry")
                    .time(BASE.plusMillis(i * 600L).toEpochMilli(), TimeUnit.MILLISECONDS)
                    .tag("device", "dev-" + (i % 2))
                    .addField("temperature", 20.0 + i % 10)
                    .build());
        }
        influx.flush();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(count("SELECT count(temperature) FROM telemetry")).isEqualTo(1_000));
        assertThat(writeErrors).isEmpty();

        QueryResult perMinute = influx.query(new Query(
                "SELECT count(temperature), mean(temperature) FROM telemetry WHERE device = 'dev-0' AND time >= '"
                        + BASE + "' AND time < '" + BASE.plus(Duration.ofMinutes(10)) + "' GROUP BY time(1m)",
                INFLUX.database()));
        List<List<Object>> buckets = perMinute.getResults().get(0).getSeries().get(0).getValues();
        assertThat(buckets).hasSize(10);
        assertThat(buckets).allSatisfy(bucket -> assertThat(((Number) bucket.get(1)).intValue()).isEqualTo(50));
        assertThat(((Number) buckets.get(0).get(2)).doubleValue()).isEqualTo(24.0);
    }

    @Test
    void moreDatabasesOnRequest() {
        INFLUX.createDatabase("alerts");
        INFLUX.createDatabase("alerts"); // idempotent

        InfluxDB influx = INFLUX.newClient();
        influx.setDatabase("alerts");
        influx.write(Point.measurement("alert").time(BASE.toEpochMilli(), TimeUnit.MILLISECONDS)
                .tag("rule", "R1").addField("severity", 3L).build());

        assertThat(databases()).contains("telemetry", "alerts");
        QueryResult result = influx.query(new Query("SELECT severity FROM alert", "alerts"));
        assertThat(result.getResults().get(0).getSeries().get(0).getValues()).hasSize(1);
    }

    private static long count(String influxQl) {
        QueryResult result = INFLUX.newClient().query(new Query(influxQl, INFLUX.database()));
        if (result.getResults().get(0).getSeries() == null) {
            return 0;
        }
        return ((Number) result.getResults().get(0).getSeries().get(0).getValues().get(0).get(1)).longValue();
    }

    private static List<Object> databases() {
        QueryResult result = INFLUX.newClient().query(new Query("SHOW DATABASES"));
        return result.getResults().get(0).getSeries().get(0).getValues().stream().map(v -> v.get(0)).toList();
    }
}
