package io.fleetwarden.simulator.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import io.fleetwarden.simulator.scenario.ExpectedRules;

/**
 * Rule family → rule id, from section 2 of the one expected-rules table the live run uses as well
 * ({@link ExpectedRules#RESOURCE}), so a renamed rule changes in one place.
 */
final class RuleFamilies {

    private final Properties table;

    private RuleFamilies(Properties table) {
        this.table = table;
    }

    static RuleFamilies load() {
        Properties p = new Properties();
        try (InputStream in = RuleFamilies.class.getResourceAsStream(ExpectedRules.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + ExpectedRules.RESOURCE + " on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RuleFamilies(p);
    }

    /** The rule id of a family; fails naming the family when the table has no line for it. */
    String rule(String family) {
        String id = table.getProperty("rule." + family);
        if (id == null || id.isBlank()) {
            throw new IllegalStateException("expected-rules table has no line rule." + family);
        }
        return id.trim();
    }
}
