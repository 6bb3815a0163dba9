package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The schema tables of the writer's README (stream-jobs) and the reader's README (dashboard-api) say exactly
 * what {@link InfluxSchema} defines: same measurements, same tags, same fields.
 */
class InfluxSchemaTest {

    private static final Path REPO = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    private static final Pattern PARENTHESES = Pattern.compile("\\([^)]*\\)");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    @Test
    void namesAreTheOnesBothSidesHaveAlwaysUsed() {
        assertThat(InfluxSchema.MEASUREMENTS).extracting(InfluxSchema.Measurement::name).containsExactly(
                "device_health", "alerts", "fleet_cohort", "fleet_connectivity", "fleet_alerts", "fleet_firmware");
        assertThat(InfluxSchema.MEASUREMENTS).allSatisfy(m -> assertThat(m.tags()).startsWith("tenant"));
        InfluxSchema.Measurement health = InfluxSchema.MEASUREMENTS.get(0);
        assertThat(health.tags()).containsExactly("tenant", "device", "model", "region");
        assertThat(health.numberFields()).containsExactly("cpu_percent", "memory_percent", "bytes_in_per_s",
                "bytes_out_per_s", "connections", "listening_ports", "uptime_s", "quarantined");
        assertThat(health.stringFields()).containsExactly("firmware");
        InfluxSchema.Measurement alerts = InfluxSchema.MEASUREMENTS.get(1);
        assertThat(alerts.tags()).containsExactly("tenant", "rule", "severity", "status", "subject");
        assertThat(alerts.stringFields()).containsExactly("alert_id", "summary", "device", "cohort", "parent_alert_id");
        assertThat(alerts.numberFields()).containsExactly("revision");
    }

    @Test
    void noNameIsUsedTwiceInOneMeasurement() {
        for (InfluxSchema.Measurement m : InfluxSchema.MEASUREMENTS) {
            List<String> all = new ArrayList<>(m.tags());
            all.addAll(m.numberFields());
            all.addAll(m.stringFields());
            assertThat(all).as(m.name()).doesNotHaveDuplicates();
        }
    }

    @Test
    void theStreamJobsReadmeTableIsTheSchema() throws IOException {
        Map<String, List<List<String>>> rows = table(REPO.resolve("stream-jobs/README.md"), true);
        assertTableMatches(rows, "stream-jobs/README.md");
    }

    @Test
    void theDashboardReadmeTableIsTheSchema() throws IOException {
        Map<String, List<List<String>>> rows = table(REPO.resolve("dashboard-api/README.md"), false);
        assertTableMatches(rows, "dashboard-api/README.md");
    }

    private static void assertTableMatches(Map<String, List<List<String>>> rows, String readme) {
        assertThat(rows.keySet()).as("measurements in the table of " + readme)
                .containsExactlyElementsOf(InfluxSchema.MEASUREMENTS.stream().map(InfluxSchema.Measurement::name).toList());
        for (InfluxSchema.Measurement m : InfluxSchema.MEASUREMENTS) {
            List<List<String>> cells = rows.get(m.name());
            List<String> fields = new ArrayList<>(m.numberFields());
            fields.addAll(m.stringFields());
            assertThat(cells.get(0)).as("tags of " + m.name() + " in " + readme).containsExactlyInAnyOrderElementsOf(m.tags());
            assertThat(cells.get(1)).as("fields of " + m.name() + " in " + readme).containsExactlyInAnyOrderElementsOf(fields);
        }
    }

    /**
     * The rows of the first table whose header starts with {@code | measurement | tags | fields |}: measurement to
     * [tags, fields]. Text in parentheses is commentary (value lists, types); names are backticked in stream-jobs'
     * table and plain, comma-separated in the dashboard's.
     */
    private static Map<String, List<List<String>>> table(Path readme, boolean backticked) throws IOException {
        Map<String, List<List<String>>> rows = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(readme)) {
            if (line.startsWith("| measurement | tags | fields |")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("| ---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                if (!rows.isEmpty()) {
                    break;
                }
                continue;
            }
            String[] cells = line.split("\\|");
            String name = cells[1].strip().replace("`", "");
            rows.put(name, List.of(names(cells[2], backticked), names(cells[3], backticked)));
        }
        assertThat(rows).as("schema table in " + readme).isNotEmpty();
        return rows;
    }

    private static List<String> names(String cell, boolean backticked) {
        String text = PARENTHESES.matcher(cell).replaceAll("");
        List<String> names = new ArrayList<>();
        if (backticked) {
            Matcher m = BACKTICKED.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        } else {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        }
        return names;
    }
}
