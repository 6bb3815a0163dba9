package io.fleetwarden.dashboard.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.BoundParameterQuery;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;

import io.fleetwarden.model.InfluxSchema;
import io.fleetwarden.model.InfluxSchema.Alerts;
import io.fleetwarden.model.InfluxSchema.DeviceHealth;
import io.fleetwarden.model.InfluxSchema.FleetAlerts;
import io.fleetwarden.model.InfluxSchema.FleetCohort;
import io.fleetwarden.model.InfluxSchema.FleetConnectivity;
import io.fleetwarden.model.InfluxSchema.FleetFirmware;
import io.fleetwarden.model.DeviceKeys;

/**
 * {@link HealthSeries} on InfluxDB 1.x (InfluxQL over the 1.x HTTP API, which 1.6 to 3.x serve),
 * reading exactly the schema stream-jobs writes (names in {@link io.fleetwarden.model.InfluxSchema}; see
 * stream-jobs/README.md "InfluxDB schema").
 *
 * <p>Values go in as bound parameters ({@code $tenant}); tenant lists, which InfluxQL cannot bind,
 * are built only from ids that passed {@link DeviceKeys#isValidId}. Identifiers are double-quoted.
 */
public final class InfluxHealthSeries implements HealthSeries, AutoCloseable {

    /** What a decommission writes over the device id and summary of the device's alert points. */
    static final String REDACTED = "redacted:decommissioned";

    private final InfluxDB influx;
    private final String database;

    public InfluxHealthSeries(String url, String user, String password, String database) {
        this.influx = user == null || user.isBlank() ? InfluxDBFactory.connect(url)
                : InfluxDBFactory.connect(url, user, password);
        this.database = database;
    }

    static String id(String name) {
        return "\"" + name + "\"";
    }

    private static String agg(String fn, String field) {
        return fn + "(" + id(field) + ") AS " + id(field);
    }

    private static String groupByTime(Duration step) {
        return " GROUP BY time(" + step.toSeconds() + "s)";
    }

    @Override
    public List<Series> deviceHealth(String tenant, String deviceId, Instant from, Instant to, Duration step) {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device", deviceId);
        String q = "SELECT " + String.join(", ", agg("mean", DeviceHealth.CPU_PERCENT),
                agg("mean", DeviceHealth.MEMORY_PERCENT), agg("mean", DeviceHealth.BYTES_IN_PER_S),
                agg("mean", DeviceHealth.BYTES_OUT_PER_S), agg("max", DeviceHealth.CONNECTIONS),
                agg("max", DeviceHealth.LISTENING_PORTS), agg("max", DeviceHealth.QUARANTINED))
                + " FROM " + id(DeviceHealth.MEASUREMENT) + " WHERE " + id(InfluxSchema.TAG_TENANT) + " = $tenant AND "
                + id(DeviceHealth.TAG_DEVICE) + " = $device AND time >= $from AND time < $to"
                + groupByTime(step) + " fill(none)";
        Query query = BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("tenant", tenant).bind("device", deviceId)
                .bind("from", from.toString()).bind("to", to.toString()).create();
        return run(query, DeviceHealth.MEASUREMENT);
    }

    @Override
    public List<Series> cohorts(Set<String> tenants, String dimension, Instant from, Instant to, Duration step) {
        String q = "SELECT " + agg("mean", FleetCohort.ONLINE) + " FROM " + id(FleetCohort.MEASUREMENT)
                + " WHERE time >= $from AND time < $to" + tenantClause(tenants)
                + (dimension == null ? "" : " AND " + id(FleetCohort.TAG_DIMENSION) + " = $dim")
                + groupByTime(step) + ", " + id(InfluxSchema.TAG_TENANT) + ", " + id(FleetCohort.TAG_DIMENSION) + ", "
                + id(FleetCohort.TAG_COHORT) + " fill(none)";
        BoundParameterQuery.QueryBuilder b = BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("from", from.toString()).bind("to", to.toString());
        if (dimension != null) {
            b.bind("dim", dimension);
        }
        return run(b.create(), FleetCohort.MEASUREMENT);
    }

    @Override
    public List<Series> connectivity(Set<String> tenants, Instant from, Instant to, Duration step) {
        String q = "SELECT " + agg("sum", FleetConnectivity.CONNECTS) + ", " + agg("sum", FleetConnectivity.DISCONNECTS)
                + " FROM " + id(FleetConnectivity.MEASUREMENT) + " WHERE time >= $from AND time < $to"
                + tenantClause(tenants) + groupByTime(step) + ", " + id(InfluxSchema.TAG_TENANT) + " fill(none)";
        return run(timeQuery(q, from, to), FleetConnectivity.MEASUREMENT);
    }

    @Override
    public List<Series> alertCounts(Set<String> tenants, Instant from, Instant to, Duration step) {
        // open is a gauge (last value of the bucket), opened a per-minute count (summed); grouped by
        // tenant too, because last() over several tenants' points would pick one tenant's gauge.
        String q = "SELECT " + agg("last", FleetAlerts.OPEN) + ", " + agg("sum", FleetAlerts.OPENED)
                + " FROM " + id(FleetAlerts.MEASUREMENT) + " WHERE time >= $from AND time < $to"
                + tenantClause(tenants) + groupByTime(step) + ", " + id(InfluxSchema.TAG_TENANT) + ", "
                + id(FleetAlerts.TAG_SEVERITY) + " fill(none)";
        return run(timeQuery(q, from, to), FleetAlerts.MEASUREMENT);
    }

    @Override
    public Map<String, Map<String, Integer>> firmwareDistribution(Set<String> tenants, Instant from, Instant to) {
        String q = "SELECT " + agg("last", FleetFirmware.DEVICES) + " FROM " + id(FleetFirmware.MEASUREMENT)
                + " WHERE time >= $from AND time < $to" + tenantClause(tenants) + " GROUP BY "
                + id(InfluxSchema.TAG_TENANT) + ", " + id(FleetFirmware.TAG_MODEL) + ", " + id(FleetFirmware.TAG_VERSION);
        // stream-jobs writes only versions with devices > 0: a version that dropped to zero simply
        // stops getting points. So only a tenant's newest minute counts; last() keeps each point's time.
        List<Series> series = run(timeQuery(q, from, to), FleetFirmware.MEASUREMENT);
        Map<String, Instant> newest = new HashMap<>();
        for (Series s : series) {
            if (!s.points().isEmpty()) {
                newest.merge(s.tags().getOrDefault(InfluxSchema.TAG_TENANT, ""), s.points().get(0).time(),
                        (x, y) -> x.isAfter(y) ? x : y);
            }
        }
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            Point p = s.points().get(0);
            Double n = p.values().get(FleetFirmware.DEVICES);
            if (n == null || !p.time().equals(newest.get(s.tags().getOrDefault(InfluxSchema.TAG_TENANT, "")))) {
                continue;
            }
            out.computeIfAbsent(s.tags().getOrDefault(FleetFirmware.TAG_MODEL, "unknown"), k -> new TreeMap<>())
                    .merge(s.tags().getOrDefault(FleetFirmware.TAG_VERSION, "unknown"), (int) Math.round(n), Integer::sum);
        }
        return out;
    }

    private Query timeQuery(String q, Instant from, Instant to) {
        return BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("from", from.toString()).bind("to", to.toString()).create();
    }

    /** Tenant ids are validated ids ({@code [A-Za-z0-9._-]}), so quoting them is safe. */
    static String tenantClause(Set<String> tenants) {
        if (tenants.isEmpty()) {
            return "";
        }
        return " AND (" + tenants.stream().sorted().map(t -> id(InfluxSchema.TAG_TENANT) + " = '" + DeviceKeys.requireValidId("tenant", t) + "'")
                .collect(Collectors.joining(" OR ")) + ")";
    }

    /**
     * Drops the device's {@code device_health} series (device is a tag there). {@code alerts} points
     * carry the device only as a FIELD, and InfluxDB 1.x DROP SERIES / DELETE select by tags and time
     * only; their series (tenant, rule, severity, status, subject) are shared with the tenant's other
     * devices, so they cannot be erased per device: their {@code device} and {@code summary} fields are
     * overwritten (same series and nanosecond time, so the same point) and they are reported as
     * retained with their count. The fleet_* measurements are per-tenant aggregates
     * without a device.
     */
    @Override
    public Erasure eraseDevice(String tenant, String deviceId) {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device", deviceId);
        // InfluxDB 1.x cannot bind parameters in SHOW/DROP SERIES; the ids were validated above.
        String where = " WHERE " + id(InfluxSchema.TAG_TENANT) + " = '" + tenant + "' AND "
                + id(DeviceHealth.TAG_DEVICE) + " = '" + deviceId + "'";
        List<String> erased = new ArrayList<>();
        QueryResult shown = influx.query(new Query("SHOW SERIES FROM " + id(DeviceHealth.MEASUREMENT) + where, database));
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
        check(influx.query(new Query("DROP SERIES FROM " + id(DeviceHealth.MEASUREMENT) + where, database)));
        String alertWhere = " WHERE " + id(InfluxSchema.TAG_TENANT) + " = '" + tenant + "' AND "
                + id(Alerts.DEVICE) + " = '" + deviceId + "'";
        // Without an epoch the times come back as RFC 3339 strings with full nanosecond precision
        // (epoch=ns would arrive as a double and miss the point), so the rewrite lands on the same point.
        QueryResult rows = influx.query(new Query("SELECT " + id(Alerts.ALERT_ID) + " FROM " + id(Alerts.MEASUREMENT)
                + alertWhere + " GROUP BY *", database));
        check(rows);
        BatchPoints.Builder batch = BatchPoints.database(database);
        long alertPoints = 0;
        for (QueryResult.Result r : rows.getResults()) {
            if (r.getSeries() == null) {
                continue;
            }
            for (QueryResult.Series s : r.getSeries()) {
                for (List<Object> v : s.getValues()) {
                    Instant t = Instant.parse(String.valueOf(v.get(0)));
                    long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                    batch.point(org.influxdb.dto.Point.measurement(Alerts.MEASUREMENT)
                            .time(nanos, TimeUnit.NANOSECONDS).tag(s.getTags())
                            .addField(Alerts.DEVICE, REDACTED).addField(Alerts.SUMMARY, REDACTED).build());
                    alertPoints++;
                }
            }
        }
        List<Retained> retained = new ArrayList<>();
        if (alertPoints > 0) {
            influx.write(batch.build());
            retained.add(new Retained(Alerts.MEASUREMENT, alertPoints, "InfluxDB deletes only by tag and time and the"
                    + " device id is a field of '" + Alerts.MEASUREMENT + "' whose series are shared with other devices:"
                    + " the points stay (rule, severity, status counts) with their '" + Alerts.DEVICE + "' and '"
                    + Alerts.SUMMARY + "' fields overwritten with '" + REDACTED + "'"));
        }
        return new Erasure(List.copyOf(erased), List.copyOf(retained));
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
