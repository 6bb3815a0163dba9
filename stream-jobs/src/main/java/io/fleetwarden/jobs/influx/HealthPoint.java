package io.fleetwarden.jobs.influx;

import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
    public long timeNanos;
    // Tags and fields in insertion order (deterministic for a given producer; the InfluxDB client sorts them itself),
    // in parallel arrays: one point is built per telemetry report, and maps cost an entry object per value plus a
    // boxed Double per number.
    private String[] tagKeys = new String[4];
    private String[] tagValues = new String[4];
    private int tagCount;
    private String[] numberKeys = new String[10];
    private double[] numberValues = new double[10];
    private int numberCount;
    private String[] stringKeys = new String[2];
    private String[] stringValues = new String[2];
    private int stringCount;

    public HealthPoint() {
    }

    public HealthPoint(String measurement, long timeNanos) {
        this.measurement = measurement;
        this.timeNanos = timeNanos;
    }

    /** Adds (or replaces) a tag unless the value is null or empty (InfluxDB has no null tags). */
    public HealthPoint tag(String key, String value) {
        if (value != null && !value.isEmpty()) {
            int i = indexOf(tagKeys, tagCount, key);
            i = i < 0 ? appendTag(key) : i; // before the array is read: appending may grow it
            tagValues[i] = value;
        }
        return this;
    }

    /** Adds (or replaces) a numeric field. */
    public HealthPoint field(String key, double value) {
        int i = indexOf(numberKeys, numberCount, key);
        i = i < 0 ? appendNumber(key) : i;
        numberValues[i] = value;
        return this;
    }

    /** Adds (or replaces) a string field unless the value is null. */
    public HealthPoint field(String key, String value) {
        if (value != null) {
            int i = indexOf(stringKeys, stringCount, key);
            i = i < 0 ? appendString(key) : i;
            stringValues[i] = value;
        }
        return this;
    }

    // Builders whose keys are fixed and distinct (one point per telemetry report) skip the lookup: the methods
    // below add a key the point does not have yet; with assertions on, they check that.

    /** {@link #tag} for a key this point does not have yet. */
    HealthPoint newTag(String key, String value) {
        assert indexOf(tagKeys, tagCount, key) < 0 : key;
        if (value != null && !value.isEmpty()) {
            int i = appendTag(key); // before the array is read: appending may grow it
            tagValues[i] = value;
        }
        return this;
    }

    /** {@link #field(String, double)} for a key this point does not have yet. */
    HealthPoint newField(String key, double value) {
        assert indexOf(numberKeys, numberCount, key) < 0 : key;
        int i = appendNumber(key);
        numberValues[i] = value;
        return this;
    }

    /** {@link #field(String, String)} for a key this point does not have yet. */
    HealthPoint newField(String key, String value) {
        assert indexOf(stringKeys, stringCount, key) < 0 : key;
        if (value != null) {
            int i = appendString(key);
            stringValues[i] = value;
        }
        return this;
    }

    private int appendTag(String key) {
        if (tagCount == tagKeys.length) {
            tagKeys = Arrays.copyOf(tagKeys, tagCount * 2);
            tagValues = Arrays.copyOf(tagValues, tagCount * 2);
        }
        tagKeys[tagCount] = key;
        return tagCount++;
    }

    private int appendNumber(String key) {
        if (numberCount == numberKeys.length) {
            numberKeys = Arrays.copyOf(numberKeys, numberCount * 2);
            numberValues = Arrays.copyOf(numberValues, numberCount * 2);
        }
        numberKeys[numberCount] = key;
        return numberCount++;
    }

    private int appendString(String key) {
        if (stringCount == stringKeys.length) {
            stringKeys = Arrays.copyOf(stringKeys, stringCount * 2);
            stringValues = Arrays.copyOf(stringValues, stringCount * 2);
        }
        stringKeys[stringCount] = key;
        return stringCount++;
    }

    public int tagCount() {
        return tagCount;
    }

    public String tagKey(int i) {
        return tagKeys[Objects.checkIndex(i, tagCount)];
    }

    public String tagValue(int i) {
        return tagValues[Objects.checkIndex(i, tagCount)];
    }

    public int numberCount() {
        return numberCount;
    }

    public String numberKey(int i) {
        return numberKeys[Objects.checkIndex(i, numberCount)];
    }

    public double numberValue(int i) {
        return numberValues[Objects.checkIndex(i, numberCount)];
    }

    public int stringCount() {
        return stringCount;
    }

    public String stringKey(int i) {
        return stringKeys[Objects.checkIndex(i, stringCount)];
    }

    public String stringValue(int i) {
        return stringValues[Objects.checkIndex(i, stringCount)];
    }

    /** The tags, in insertion order (a copy). */
    public Map<String, String> tags() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < tagCount; i++) {
            m.put(tagKeys[i], tagValues[i]);
        }
        return m;
    }

    /** The numeric fields, in insertion order (a copy). */
    public Map<String, Double> numbers() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < numberCount; i++) {
            m.put(numberKeys[i], numberValues[i]);
        }
        return m;
    }

    /** The string fields, in insertion order (a copy). */
    public Map<String, String> strings() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < stringCount; i++) {
            m.put(stringKeys[i], stringValues[i]);
        }
        return m;
    }

    private static int indexOf(String[] keys, int count, String key) {
        int h = key.hashCode(); // cached in the (literal) key: a mismatch costs an int comparison, not a string one
        for (int i = 0; i < count; i++) {
            String k = keys[i];
            if (k == key || (k.hashCode() == h && k.equals(key))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return measurement + tags() + numbers() + strings() + "@" + timeNanos;
    }
}
