package io.fleetwarden.dashboard.posture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.BoundParameterQuery;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;

import io.fleetwarden.dashboard.posture.PostureService.FleetGuideline;
import io.fleetwarden.dashboard.posture.PostureService.GuidelineStanding;
import io.fleetwarden.model.DeviceKeys;

/**
 * Posture over time in InfluxDB, so an operator sees when a fleet fell out of line and why.
 *
 * <ul>
 *   <li>{@code posture_fleet} (tags {@code tenant}, {@code guideline}; integer fields {@code met},
 *       {@code not_met}, {@code not_assessed}): one point per tenant and guideline per snapshot.</li>
 *   <li>{@code posture_device} (tags {@code tenant}, {@code device}, {@code guideline}; fields
 *       {@code standing} (string), {@code level} (1 met, 0 not assessed, -1 not met), {@code fact} (the
 *       first piece of evidence or the reason, at most 200 characters)): written only when a device's
 *       standing or its first fact changed since the last snapshot, so a steady fleet writes little.</li>
 * </ul>
 * Snapshots are taken by a timer on the app's clock ({@link #snapshot}). The memory of what was last
 * written is one short string per device and guideline. Decommission drops the device's
 * {@code posture_device} series ({@link #eraseDevice}).
 */
public final class PostureHistory implements AutoCloseable {

    public static final String FLEET = "posture_fleet";
    public static final String DEVICE = "posture_device";
    static final int MAX_POINTS = 5_000;

    /** One point read back: time and values. */
    public record Sample(Instant time, Map<String, Object> values) {
    }

    /** One series read back. */
    public record History(Map<String, String> tags, List<Sample> samples) {
    }

    private final InfluxDB influx;
    private final String database;
    private final PostureService posture;
    private final Map<String, String> lastWritten = new HashMap<>();

    public PostureHistory(String url, String user, String password, String database, PostureService posture) {
        this.influx = user == null || user.isBlank() ? InfluxDBFactory.connect(url) : InfluxDBFactory.connect(url, user, password);
        this.database = database;
        this.posture = posture;
    }

    private static String id(String name) {
        return "\"" + name + "\"";
    }

    /** Writes one snapshot at {@code now}: fleet counts per tenant, and the devices whose standing changed. */
    public synchronized int snapshot(Instant now) {
        long t = now.toEpochMilli();
        BatchPoints batch = BatchPoints.database(database).build();
        Set<String> tenants = new TreeSet<>();
        Set<String> keys = posture.deviceKeys(Set.of());
        for (String key : keys) {
            tenants.add(DeviceKeys.parse(key)[0]);
        }
        for (String tenant : tenants) {
            for (FleetGuideline g : posture.fleetStanding(Set.of(tenant))) {
                batch.point(Point.measurement(FLEET).time(t, TimeUnit.MILLISECONDS).tag("tenant", tenant)
                        .tag("guideline", Integer.toString(g.number())).addField("met", (long) g.met())
                        .addField("not_met", (long) g.notMet()).addField("not_assessed", (long) g.notAssessed()).build());
            }
        }
        for (String key : keys) {
            String[] tk = DeviceKeys.parse(key);
            for (GuidelineStanding g : posture.deviceStanding(tk[0], tk[1])) {
                String fact = g.evidence().isEmpty() ? g.reason() : g.evidence().get(0).fact();
                fact = fact == null ? "" : fact.length() > 200 ? fact.substring(0, 200) : fact;
                String mark = g.standing() + "|" + fact;
                String k = key + "#" + g.number();
                if (mark.equals(lastWritten.get(k))) {
                    continue;
                }
                lastWritten.put(k, mark);
                batch.point(Point.measurement(DEVICE).time(t, TimeUnit.MILLISECONDS).tag("tenant", tk[0])
                        .tag("device", tk[1]).tag("guideline", Integer.toString(g.number()))
                        .addField("standing", g.standing())
                        .addField("level", (long) (g.standing().equals(PostureService.MET) ? 1
                                : g.standing().equals(PostureService.NOT_MET) ? -1 : 0))
                        .addField("fact", fact).build());
            }
        }
        lastWritten.keySet().removeIf(k -> !keys.contains(k.substring(0, k.lastIndexOf('#'))));
        influx.write(batch);
        return batch.getPoints().size();
    }

    /** Fleet counts per tenant and guideline: the last snapshot in each step of {@code [from, to)}. */
    public List<History> fleet(Set<String> tenants, Instant from, Instant to, Duration step) {
        String tenantClause = tenants.isEmpty() ? "" : " AND (" + tenants.stream().sorted()
                .map(x -> id("tenant") + " = '" + DeviceKeys.requireValidId("tenant", x) + "'")
                .collect(Collectors.joining(" OR ")) + ")";
        String q = "SELECT last(\"met\") AS \"met\", last(\"not_met\") AS \"not_met\", last(\"not_assessed\") AS \"not_assessed\""
                + " FROM " + id(FLEET) + " WHERE time >= $from AND time < $to" + tenantClause
                + " GROUP BY time(" + step.toSeconds() + "s), " + id("tenant") + ", " + id("guideline") + " fill(none)";
        return run(BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("from", from.toString()).bind("to", to.toString()).create());
    }

    /** A device's standing changes per guideline in {@code [from, to)} (at most 5,000 points). */
    public List<History> device(String tenant, String deviceId, Instant from, Instant to) {
        String q = "SELECT \"standing\", \"level\", \"fact\" FROM " + id(DEVICE) + " WHERE " + id("tenant") + " = $tenant AND "
                + id("device") + " = $device AND time >= $from AND time < $to GROUP BY " + id("guideline") + " LIMIT "
                + MAX_POINTS;
        return run(BoundParameterQuery.QueryBuilder.newQuery(q).forDatabase(database)
                .bind("tenant", DeviceKeys.requireValidId("tenant", tenant))
                .bind("device", DeviceKeys.requireValidId("device", deviceId))
                .bind("from", from.toString()).bind("to", to.toString()).create());
    }

    /** Drops the device's {@code posture_device} series (decommission); returns the series keys erased. */
    public synchronized List<String> eraseDevice(String tenant, String deviceId) {
        // InfluxQL cannot bind parameters in SHOW / DROP SERIES; the ids are validated.
        String where = " WHERE " + id("tenant") + " = '" + DeviceKeys.requireValidId("tenant", tenant) + "' AND " + id("device")
                + " = '" + DeviceKeys.requireValidId("device", deviceId) + "'";
        List<String> erased = new ArrayList<>();
        QueryResult shown = influx.query(new Query("SHOW SERIES FROM " + id(DEVICE) + where, database));
        check(shown);
        for (QueryResult.Result r : shown.getResults()) {
            if (r.getSeries() != null) {
                for (QueryResult.Series s : r.getSeries()) {
                    for (List<Object> v : s.getValues()) {
                        erased.add(String.valueOf(v.get(0)));
                    }
                }
            }
        }
        check(influx.query(new Query("DROP SERIES FROM " + id(DEVICE) + where, database)));
        String key = DeviceKeys.of(tenant, deviceId);
        lastWritten.keySet().removeIf(k -> k.startsWith(key + "#"));
        return erased;
    }

    private List<History> run(Query query) {
        QueryResult result = influx.query(query, TimeUnit.MILLISECONDS);
        check(result);
        List<History> out = new ArrayList<>();
        for (QueryResult.Result r : result.getResults()) {
            if (r.getSeries() == null) {
                continue;
            }
            for (QueryResult.Series s : r.getSeries()) {
                List<Sample> samples = new ArrayList<>();
                List<String> cols = s.getColumns();
                for (List<Object> row : s.getValues()) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (int i = 1; i < cols.size(); i++) {
                        Object v = row.get(i);
                        values.put(cols.get(i), v instanceof Double d && d == Math.rint(d) ? (Object) d.longValue() : v);
                    }
                    samples.add(new Sample(Instant.ofEpochMilli(((Number) row.get(0)).longValue()), values));
                }
                out.add(new History(s.getTags() == null ? Map.of() : s.getTags(), samples));
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
