package io.fleetwarden.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example Prometheus alert rules ({@code deploy/prometheus/fleetwarden-alerts.yaml}) as the
 * components' tests see them: which metric names the expressions use, so that each component's test
 * can check that it really exports every one it owns.
 */
public final class AlertRules {

    /** The rules file, relative to the repository root. */
    public static final String FILE = "deploy/prometheus/fleetwarden-alerts.yaml";

    private static final Pattern EXPR = Pattern.compile("^\\s*expr:\\s*(.+)$");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    private AlertRules() {
    }

    /** The rules file, found from the module's folder upwards. */
    public static Path file() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FILE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(FILE + " not found above " + System.getProperty("user.dir"));
    }

    /** Every identifier starting with {@code prefix} in the rules' expressions (one expression per line). */
    public static Set<String> metricNames(String prefix) {
        Set<String> out = new TreeSet<>();
        for (String expression : expressions()) {
            // what remains after strings, label matchers, ranges and label lists are gone: metric names,
            // functions and operators
            String bare = expression.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "")
                    .replaceAll("\\[[^\\]]*]", "")
                    .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
            Matcher m = IDENTIFIER.matcher(bare);
            while (m.find()) {
                if (m.group().startsWith(prefix)) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    /** The expressions of every rule. */
    public static List<String> expressions() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file())) {
                Matcher m = EXPR.matcher(line);
                if (m.matches()) {
                    out.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Fails unless {@code exposition} (Prometheus text) has a sample of every metric starting with
     * {@code prefix} that the rules use. @return the names checked (never empty)
     */
    public static Set<String> assertExported(String exposition, String prefix) {
        Set<String> names = metricNames(prefix);
        if (names.isEmpty()) {
            throw new AssertionError("the alert rules use no metric starting with " + prefix);
        }
        Set<String> missing = new TreeSet<>();
        for (String name : names) {
            Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "[{ ]", Pattern.MULTILINE);
            if (!sample.matcher(exposition).find()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("the alert rules in " + FILE + " use metrics this component does not export: " + missing);
        }
        return names;
    }
}
