package io.fleetwarden.jobs.influx;

import java.util.Map;
import java.util.TreeMap;

/**
 * One InfluxDB point as it travels through the job (Flink POJO). Its identity in InfluxDB is
 * measurement + tags + {@link #timeNanos}; every producer derives all three from the input alone,
 * so a replay after failover overwrites the same points instead of adding new ones.
 */
public class HealthPoint {

    public String measurement;
    public Map<String, String> tags = new TreeMap<>();
    public Map<String, Double> numbers = new TreeMap<>();
    public Map<String, String> strings = new TreeMap<>();
    public long timeNanos;

    public HealthPoint() {
    }

    public HealthPoint(String measurement, long timeNanos) {
        this.measurement = measurement;
        this.timeNanos = timeNanos;
    }

    /** Adds a tag unless the value is null (InfluxDB has no null tags). */
    public HealthPoint tag(String key, String value) {
        if (value != null && !value.isEmpty()) {
            tags.put(key, value);
        }
        return this;
    }

    public HealthPoint field(String key, double value) {
        numbers.put(key, value);
        return this;
    }

    public HealthPoint field(String key, String value) {
        if (value != null) {
            strings.put(key, value);
        }
        return this;
    }

    @Override
    public String toString() {
        return measurement + tags + numbers + strings + "@" + timeNanos;
    }
}
