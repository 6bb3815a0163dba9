package io.fleetwarden.jobs.influx;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.LinkedHashMap;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.flink.HandSerializedTypeInfo;
import io.fleetwarden.jobs.flink.HealthPointSerializer;

/**
 * One InfluxDB point as it travels through the job (hand-serialised, see {@link HealthPointSerializer}). Its identity in InfluxDB is
 * measurement + tags + {@link #timeNanos}; every producer derives all three from the input alone,
 * so a replay after failover overwrites the same points instead of adding new ones.
 */
@TypeInfo(HealthPoint.TypeInfoFactory.class)
public class HealthPoint {

    /** Attaches {@link HealthPointSerializer} (one point per telemetry report crosses to the sink). */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<HealthPoint> {
        @Override
        public TypeInformation<HealthPoint> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(HealthPoint.class, HealthPointSerializer::new);
        }
    }

    public String measurement;
    // Insertion-ordered (deterministic for a given producer); the InfluxDB client sorts tags and fields itself.
    // Not TreeMaps: building one point per telemetry report, their string comparisons showed up in the profile.
    public Map<String, String> tags = new LinkedHashMap<>(8);
    public Map<String, Double> numbers = new LinkedHashMap<>(16);
    public Map<String, String> strings = new LinkedHashMap<>(8);
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
