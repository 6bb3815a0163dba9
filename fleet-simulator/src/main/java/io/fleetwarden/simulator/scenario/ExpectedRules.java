package io.fleetwarden.simulator.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The expected rule ids per scenario, read from the one table
 * {@code io/fleetwarden/simulator/expected-rules.properties}: scenario → rule families, and
 * family → the rule id the stream jobs emit. Immutable once loaded.
 */
public final class ExpectedRules {

    public static final String RESOURCE = "/io/fleetwarden/simulator/expected-rules.properties";

    private final Map<ScenarioType, Set<String>> rules;

    private ExpectedRules(Map<ScenarioType, Set<String>> rules) {
        this.rules = rules;
    }

    /** Loads the table from the classpath; fails naming the scenario missing from it. */
    public static ExpectedRules load() {
        Properties p = new Properties();
        try (InputStream in = ExpectedRules.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + RESOURCE + " on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return from(p);
    }

    /** Builds the table from properties in the format of the resource (used by tests). */
    public static ExpectedRules from(Properties p) {
        Map<ScenarioType, Set<String>> map = new EnumMap<>(ScenarioType.class);
        for (ScenarioType t : ScenarioType.values()) {
            String families = p.getProperty("scenario." + t.id());
            if (families == null) {
                throw new IllegalStateException("expected-rules table has no line scenario." + t.id());
            }
            Set<String> ids = new LinkedHashSet<>();
            Arrays.stream(families.split(",")).map(String::trim).filter(f -> !f.isEmpty())
                    .forEach(f -> ids.add(p.getProperty("rule." + f, f).trim()));
            if (t.attack() && ids.isEmpty()) {
                throw new IllegalStateException("attack scenario " + t.id() + " expects no rule");
            }
            if (!t.attack() && !ids.isEmpty()) {
                throw new IllegalStateException("benign scenario " + t.id() + " must expect no rule, has " + ids);
            }
            map.put(t, Set.copyOf(ids));
        }
        return new ExpectedRules(map);
    }

    /** Rule ids the scenario must raise (empty for benign scenarios). */
    public Set<String> of(ScenarioType type) {
        return rules.get(type);
    }
}
