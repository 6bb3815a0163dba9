package io.fleetwarden.dashboard.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BoundParameterQuery;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;

import io.fleetwarden.model.DeviceKeys;

/**
 * {@link HealthSeries} on InfluxDB 1.x (InfluxQL over the 1.x HTTP API, which 1.6 to 3.x serve).
 *
 * <p>Measurements (an assumption until the stream jobs fix their names; change them here):
 * <ul>
 *   <li>{@code device_health}: tags tenant, device, model, region; fields cpu, memory, bytes_in, bytes_out</li>
 *   <li>{@code fleet_health}: tags tenant, cohort_dimension, cohort_value; fields online (a gauge: devices online at
 *   the sample time, averaged per bucket), connects, disconnects (counts in the sample interval, summed per bucket)</li>
 *   <li>{@code alert_counts}: tags tenant, severity; field count</li>
 * </ul>
 * Values go in as bound parameters ({@code $tenant}); tenant lists, which InfluxQL cannot bind,
 * are built only from ids that passed {@link DeviceKeys#isValidId}.
 */
public final class InfluxHealthSeries implements HealthSeries, AutoCloseable {

    public static final String DEVICE_HEALTH = "device_health";
    public static final String FLEET_HEALTH = "fleet_health";
    public static final String ALERT_COUNTS = "alert_counts";

    private final InfluxDB influx;
    private final String database;

    public InfluxHealthSeries(String url, String user, String password, String database) {
        this.influx = user == null || user.isBlank() ? InfluxDBFactory.connect(url)
                : InfluxDBFactory.connect(url, user, password);
        this.database = database;
    }

    @Override
    public List<Series> deviceHealth(String tenant, String deviceId, Instant from, Instant to, Duration step) {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device", deviceId);
        String q = "SELECT mean(cpu) AS cpu, mean(memory) AS memory, sum(bytes_in) AS bytes_in, sum(bytes_out) AS bytes_out"
                + " FROM " + DEVICE_HEALTH + " WHERE tenant = $tenant AND device = $device AND time >= $from AND time < $to"
                + " GROUP BY time(" + step.toSeconds() + "s) fill(none)";
        Query query = BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("tenant", tenant).bind("device", deviceId)
                .bind("from", from.toString()).bind("to", to.toString()).create();
        return run(query, "device_health");
    }

    @Override
    public List<Series> fleetHealth(Set<String> tenants, String cohortDimension, Instant from, Instant to, Duration step) {
        String q = "SELECT mean(online) AS online, sum(connects) AS connects, sum(disconnects) AS disconnects"
                + " FROM " + FLEET_HEALTH + " WHERE time >= $from AND time < $to" + tenantClause(tenants)
                + (cohortDimension == null ? "" : " AND cohort_dimension = $dim")
                + " GROUP BY time(" + step.toSeconds() + "s), tenant, cohort_dimension, cohort_value fill(none)";
        BoundParameterQuery.QueryBuilder b = BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("from", from.toString()).bind("to", to.toString());
        if (cohortDimension != null) {
            b.bind("dim", cohortDimension);
        }
        return run(b.create(), "fleet_health");
    }

    @Override
    public List<Series> alertCounts(Set<String> tenants, Instant from, Instant to, Duration step) {
        String q = "SELECT sum(count) AS count FROM " + ALERT_COUNTS + " WHERE time >= $from AND time < $to"
                + tenantClause(tenants) + " GROUP BY time(" + step.toSeconds() + "s), severity fill(none)";
        Query query = BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("from", from.toString()).bind("to", to.toString()).create();
        return run(query, "alert_counts");
    }

    /** Tenant ids are validated ids ({@code [A-Za-z0-9._-]}), so quoting them is safe. */
    static String tenantClause(Set<String> tenants) {
        if (tenants.isEmpty()) {
            return "";
        }
        return " AND (" + tenants.stream().sorted().map(t -> "tenant = '" + DeviceKeys.requireValidId("tenant", t) + "'")
                .collect(Collectors.joining(" OR ")) + ")";
    }

    @Override
    public List<String> eraseDevice(String tenant, String deviceId) {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device", deviceId);
        // InfluxDB 1.x cannot bind parameters in SHOW/DROP SERIES; the ids were validated above.
        String where = " WHERE tenant = '" + tenant + "' AND device = '" + deviceId + "'";
        List<String> erased = new ArrayList<>();
        QueryResult shown = influx.query(new Query("SHOW SERIES" + where, database));
        check(shown);
        for (QueryResult.Result r : shown.getResults()) {
            if (r.getSeries() == null) {
                continue;
            }
            for (QueryResult.Series s : r.getSeries()) {
                for (List<Object> v : s.getValues()) {
                    erased.add(String.valueOf(v.get(0)));
                }
            }
        }
        check(influx.query(new Query("DROP SERIES" + where, database)));
        return erased;
    }

    @Override
    public boolean ping() {
        try {
            return influx.ping().isGood();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private List<Series> run(Query query, String name) {
        QueryResult result = influx.query(query, TimeUnit.MILLISECONDS);
        check(result);
        List<Series> out = new ArrayList<>();
        for (QueryResult.Result r : result.getResults()) {
            if (r.getSeries() == null) {
                continue;
            }
            for (QueryResult.Series s : r.getSeries()) {
                List<Point> points = new ArrayList<>();
                List<String> cols = s.getColumns();
                for (List<Object> row : s.getValues()) {
                    Map<String, Double> values = new LinkedHashMap<>();
                    for (int i = 1; i < cols.size(); i++) {
                        Object v = row.get(i);
                        values.put(cols.get(i), v instanceof Number n ? n.doubleValue() : null);
                    }
                    points.add(new Point(Instant.ofEpochMilli(((Number) row.get(0)).longValue()), values));
                }
                out.add(new Series(name, s.getTags() == null ? Map.of() : s.getTags(), points));
            }
        }
        return out;
    }

    private static void check(QueryResult r) {
        if (r.hasError()) {
            throw new IllegalStateException("influx query failed: " + r.getError());
        }
        for (QueryResult.Result x : r.getResults()) {
            if (x.hasError() && !x.getError().contains("database not found")) {
                throw new IllegalStateException("influx query failed: " + x.getError());
            }
        }
    }

    @Override
    public void close() {
        influx.close();
    }
}
