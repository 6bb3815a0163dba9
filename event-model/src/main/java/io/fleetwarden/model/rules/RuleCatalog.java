package io.fleetwarden.model.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The detection catalogue as data: every rule's id, name, severity, guidelines, MITRE technique, description
 * and thresholds with defaults, plus the shared settings (thresholds no single rule owns). One source,
 * {@code rules.json} beside this class; the stream jobs' threshold defaults, the dashboard's rule list and
 * the README table derive from it. Immutable; {@link #with} gives a catalogue with one more rule.
 */
public final class RuleCatalog {

    /** The resource the standard catalogue is read from. */
    public static final String RESOURCE = "/io/fleetwarden/model/rules/rules.json";

    private static final Pattern KEY = Pattern.compile("\\{([A-Za-z0-9.]+)}");
    private static final RuleCatalog STANDARD = load();

    private final Map<String, RuleDefinition> rules;
    private final List<Threshold> settings;
    private final Map<String, Threshold> thresholds;

    private RuleCatalog(List<RuleDefinition> rules, List<Threshold> settings) {
        Map<String, RuleDefinition> byId = new LinkedHashMap<>();
        Map<String, Threshold> byKey = new LinkedHashMap<>();
        for (RuleDefinition r : rules) {
            if (byId.put(r.id(), r) != null) {
                throw new IllegalArgumentException("duplicate rule id " + r.id());
            }
            r.thresholds().forEach(t -> addThreshold(byKey, t));
        }
        settings.forEach(t -> addThreshold(byKey, t));
        for (RuleDefinition r : rules) {
            condition(r, byKey); // every {key} is a known threshold
        }
        this.rules = Collections.unmodifiableMap(byId);
        this.settings = List.copyOf(settings);
        this.thresholds = Collections.unmodifiableMap(byKey);
    }

    private static void addThreshold(Map<String, Threshold> byKey, Threshold t) {
        if (byKey.put(t.key(), t) != null) {
            throw new IllegalArgumentException("threshold " + t.key() + " defined twice");
        }
    }

    /** The standard catalogue ({@link #RESOURCE}). */
    public static RuleCatalog standard() {
        return STANDARD;
    }

    private record Document(String comment, List<RuleDefinition> rules, List<Threshold> settings) {
    }

    private static RuleCatalog load() {
        try (InputStream in = RuleCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("rule catalogue resource missing: " + RESOURCE);
            }
            Document d = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                    .readValue(in, Document.class);
            return new RuleCatalog(d.rules(), d.settings() == null ? List.of() : d.settings());
        } catch (IOException e) {
            throw new UncheckedIOException("rule catalogue " + RESOURCE + " unreadable", e);
        }
    }

    /** This catalogue and {@code rule} (for a rule added outside the standard catalogue, e.g. in a test). */
    public RuleCatalog with(RuleDefinition rule) {
        List<RuleDefinition> list = new ArrayList<>(rules.values());
        list.add(rule);
        return new RuleCatalog(list, settings);
    }

    /** Every rule, in catalogue order. */
    public List<RuleDefinition> rules() {
        return List.copyOf(rules.values());
    }

    public Optional<RuleDefinition> byId(String id) {
        return Optional.ofNullable(rules.get(id));
    }

    /** The shared settings: thresholds no single rule owns. */
    public List<Threshold> settings() {
        return settings;
    }

    /** Every threshold (the rules' and the settings), by key, in catalogue order. */
    public Map<String, Threshold> thresholds() {
        return thresholds;
    }

    /** The threshold with this key. */
    public Threshold threshold(String key) {
        Threshold t = thresholds.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no threshold " + key + " in the rule catalogue");
        }
        return t;
    }

    /** The rule's condition with every {@code {key}} rendered as {@code key=default}. */
    public String condition(RuleDefinition rule) {
        return condition(rule, thresholds);
    }

    private static String condition(RuleDefinition rule, Map<String, Threshold> thresholds) {
        Matcher m = KEY.matcher(rule.condition());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Threshold t = thresholds.get(m.group(1));
            if (t == null) {
                throw new IllegalArgumentException(rule.id() + ": condition names unknown threshold " + m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(t.key() + "=" + t.defaultValue()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
