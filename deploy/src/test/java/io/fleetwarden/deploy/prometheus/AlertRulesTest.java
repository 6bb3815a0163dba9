package io.fleetwarden.deploy.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.fleetwarden.testsupport.AlertRules;

/**
 * The example alert rules are valid ({@code promtool check rules}), behave as their unit tests say
 * ({@code promtool test rules}: each alert fires on a series that should fire it and on nothing else),
 * every alert has such a test, and every metric they use belongs to a component whose test checks
 * that it exports it (broker {@code BrokerHealthIT}, stream-jobs {@code LocalRunIT}, dashboard-api
 * {@code DashboardApiIT}, simulator {@code SimulatorMetricsTest}). The file is the one source of alert rules:
 * the Kubernetes {@code PrometheusRule} carries the same groups (the simulator's excepted).
 * promtool is the Debian package {@code prometheus} (.ci/run installs it).
 */
class AlertRulesTest {

    static final Path RULES = AlertRules.file();
    static final Path TESTS = RULES.resolveSibling("fleetwarden-alerts.test.yaml");
    /** Metric prefixes whose owners check them, and the metrics Prometheus itself makes. */
    static final List<String> CHECKED_PREFIXES = List.of("fleetwarden_broker_", "flink_", "fleetwarden_dashboard_",
            "fleetwarden_simulator_");
    /** PromQL functions and operators, and {@code up}, the series Prometheus itself writes for every scrape. */
    static final Set<String> PROMQL_WORDS = Set.of("sum", "rate", "increase", "delta", "absent", "time", "and", "or",
            "unless", "up");
    static final Path K8S_MONITORING = RULES.getParent().resolveSibling("k8s/base/monitoring.yaml");
    /** The group of lab-only alerts, not part of a Kubernetes deployment. */
    static final String LAB_ONLY_GROUP = "fleetwarden-simulator";

    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is not installed (Debian package prometheus; .ci/run installs it)", e);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
        return out;
    }

    @Test
    void rulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", RULES.getFileName().toString())).contains("SUCCESS");
    }

    @Test
    void rulesPassTheirUnitTests() throws Exception {
        assertThat(promtool("test", "rules", TESTS.getFileName().toString())).contains("SUCCESS");
    }

    @SuppressWarnings("unchecked")
    private static Object yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasAUnitTestAndASeverity() throws Exception {
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) ((Map<String, Object>) yaml(RULES)).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.add((String) rule.get("alert"));
                assertThat((Map<String, Object>) rule.get("labels")).as(rule.get("alert") + " labels").containsKey("severity");
                assertThat((Map<String, Object>) rule.get("annotations")).as(rule.get("alert") + " annotations").containsKey("summary");
            }
        }
        Set<String> tested = new TreeSet<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) ((Map<String, Object>) yaml(TESTS)).get("tests")) {
            for (Map<String, Object> t : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                if (!((List<?>) t.getOrDefault("exp_alerts", List.of())).isEmpty()) {
                    tested.add((String) t.get("alertname"));
                }
            }
        }
        assertThat(alerts).isNotEmpty();
        assertThat(tested).as("alerts with a firing unit test").containsAll(alerts);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesPrometheusRuleCarriesExactlyTheseRules() throws Exception {
        List<Object> groups = new ArrayList<>((List<Object>) ((Map<String, Object>) yaml(RULES)).get("groups"));
        assertThat(groups.removeIf(g -> LAB_ONLY_GROUP.equals(((Map<String, Object>) g).get("name"))))
                .as("the lab-only group is in the file").isTrue();
        List<Map<String, Object>> prometheusRules = new ArrayList<>();
        try (InputStream in = Files.newInputStream(K8S_MONITORING)) {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (doc instanceof Map<?, ?> m && "PrometheusRule".equals(m.get("kind"))) {
                    prometheusRules.add((Map<String, Object>) m);
                }
            }
        }
        assertThat(prometheusRules).as("PrometheusRules in " + K8S_MONITORING).hasSize(1);
        Object k8sGroups = ((Map<String, Object>) prometheusRules.get(0).get("spec")).get("groups");
        assertThat(k8sGroups).as(K8S_MONITORING + " spec.groups must equal the groups of " + RULES
                + " without " + LAB_ONLY_GROUP + ": change the rules there and copy them").isEqualTo(groups);
    }

    @Test
    void everyMetricIsOneThatItsComponentsTestChecks() {
        Set<String> unchecked = new TreeSet<>();
        for (String name : AlertRules.metricNames("")) {
            if (PROMQL_WORDS.contains(name) || CHECKED_PREFIXES.stream().anyMatch(name::startsWith)) {
                continue;
            }
            unchecked.add(name);
        }
        assertThat(unchecked).as("metric names (or unknown PromQL words) no component test checks").isEmpty();
        for (String prefix : CHECKED_PREFIXES) {
            assertThat(AlertRules.metricNames(prefix)).as(prefix).isNotEmpty();
        }
    }
}
