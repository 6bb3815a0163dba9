package io.fleetwarden.jobs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.DeviceRules;
import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.model.rules.RuleDefinition;

/**
 * The rule catalogue (event-model {@code rules.json}) is the one source: this test fails when
 * {@link DetectionConfig}, {@link RuleCatalogue}, the per-device rules, the simulator's expected rules
 * ({@code fleet-simulator/.../expected-rules.properties}) or the README rule table disagree with it.
 * The README table is generated: run this test with {@code -Dreadme.update=true} to rewrite it.
 */
class CatalogueConsistencyTest {

    static final Path README = Path.of("README.md");
    static final Path EXPECTED_RULES = Path.of("..", "fleet-simulator", "src", "main", "resources", "io", "fleetwarden", "simulator",
            "expected-rules.properties");
    static final String BEGIN = "<!-- rule-table: generated from event-model rules.json by CatalogueConsistencyTest -->";
    static final String END = "<!-- rule-table: end -->";

    private final RuleCatalog catalog = RuleCatalog.standard();

    @Test
    void detectionConfigReadsExactlyTheCataloguesThresholds() {
        assertThat(new TreeSet<>(DetectionConfig.keys())).isEqualTo(new TreeSet<>(catalog.thresholds().keySet()));
    }

    @Test
    void theStreamJobsCatalogueIsTheEventModelOne() {
        List<RuleDefinition> ours = catalog.rules().stream().filter(RuleDefinition::raisedByStreamJobs).toList();
        assertThat(RuleCatalogue.all()).extracting(Rule::id).containsExactlyElementsOf(ours.stream().map(RuleDefinition::id).toList());
        // the dashboard API raises CRA-DEADLINE-001 on fleet.alerts; no detector here may emit it
        assertThat(RuleCatalogue.byId("CRA-DEADLINE-001")).isEmpty();
        assertThat(catalog.byId("CRA-DEADLINE-001")).isPresent();
        for (RuleDefinition d : ours) {
            Rule r = RuleCatalogue.require(d.id());
            assertThat(r.severity()).isEqualTo(d.severity());
            assertThat(r.guidelines()).isEqualTo(d.guidelines());
            assertThat(r.thresholds()).isEqualTo(catalog.condition(d));
        }
        assertThat(RuleCatalogue.IDENTITY_TWO_ADDRESSES.thresholds())
                .isEqualTo("identity.count=2 overlapping connections from another address or broker within identity.window=10m, "
                        + "hand-overs (old session ended within identity.handover=3m, no return, no reports from it) not counted");
    }

    @Test
    void everyPerDeviceRuleEmitsCatalogueIds() {
        Set<String> ids = catalog.rules().stream().map(RuleDefinition::id).collect(Collectors.toSet());
        assertThat(ids).containsAll(DeviceRules.standard(DetectionConfig.defaults()).ids());
    }

    @Test
    void theSimulatorsExpectedRulesNameCatalogueRules() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(EXPECTED_RULES, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Set<String> ids = catalog.rules().stream().map(RuleDefinition::id).collect(Collectors.toSet());
        Set<String> families = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("rule.")) {
                assertThat(ids).as(key).contains(p.getProperty(key).trim());
            } else if (key.startsWith("scenario.")) {
                for (String f : p.getProperty(key).split(",")) {
                    if (!f.isBlank()) {
                        families.add(f.trim());
                    }
                }
            }
        }
        assertThat(families).isNotEmpty();
        for (String family : families) {
            // a family without a rule.* line stands for itself (a rule id)
            String id = p.getProperty("rule." + family, family).trim();
            assertThat(ids).as("family %s", family).contains(id);
        }
    }

    @Test
    void theReadmeRuleTableIsGeneratedFromTheCatalogue() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README markers").isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        String current = readme.substring(begin + BEGIN.length(), end);
        String wanted = "\n" + table(catalog);
        if (Boolean.getBoolean("readme.update") && !current.equals(wanted)) {
            Files.writeString(README, readme.substring(0, begin + BEGIN.length()) + wanted + readme.substring(end), StandardCharsets.UTF_8);
            return;
        }
        assertThat(current).as("README rule table (regenerate with -Dreadme.update=true)").isEqualTo(wanted);
    }

    /** The README table of the catalogue's rules. */
    static String table(RuleCatalog catalog) {
        StringBuilder b = new StringBuilder();
        b.append("| id | name | severity | guidelines | MITRE ATT&CK | thresholds (defaults) |\n");
        b.append("| --- | --- | --- | --- | --- | --- |\n");
        for (RuleDefinition d : catalog.rules()) {
            b.append("| `").append(d.id()).append("` | ").append(d.name()).append(" | ").append(d.severity()).append(" | ")
                    .append(d.guidelines().stream().map(String::valueOf).collect(Collectors.joining(","))).append(" | ")
                    .append(d.mitreTechnique() == null ? "—" : d.mitreTechnique()).append(" | ")
                    .append(catalog.condition(d)).append(" |\n");
        }
        b.append("\nShared settings: ");
        List<String> settings = catalog.settings().stream().map(t -> "`" + t.key() + "`=" + t.defaultValue() + " (" + t.description() + ")")
                .toList();
        b.append(String.join("; ", settings)).append(".\n");
        return b.toString();
    }
}
