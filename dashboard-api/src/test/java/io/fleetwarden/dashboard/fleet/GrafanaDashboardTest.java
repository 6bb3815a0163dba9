package io.fleetwarden.dashboard.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.model.InfluxSchema;

/**
 * The Grafana dashboards shipped in {@code deploy/grafana/} query only what stream-jobs writes: every
 * query's measurement, aggregated fields and tags (GROUP BY, WHERE, WITH KEY) exist in event-model's
 * {@link InfluxSchema}.
 */
class GrafanaDashboardTest {

    static final Path DIR = Path.of("..", "deploy", "grafana");
    static final Map<String, InfluxSchema.Measurement> SCHEMA = InfluxSchema.MEASUREMENTS.stream()
            .collect(Collectors.toMap(InfluxSchema.Measurement::name, m -> m));

    static final Pattern FROM = Pattern.compile("FROM\\s+\"([^\"]+)\"");
    static final Pattern FIELD = Pattern.compile("\\b(?:mean|sum|last|max|min|count|first|median)\\(\\s*\"([^\"]+)\"\\s*\\)");
    static final Pattern GROUP_BY = Pattern.compile("GROUP BY (.*?)(?: fill\\(|$)");
    static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
    static final Pattern WHERE_TAG = Pattern.compile("\"([^\"]+)\"\\s*(?:=~|!~|!=|=)\\s*(?:/|')");
    static final Pattern WITH_KEY = Pattern.compile("WITH KEY = \"([^\"]+)\"");

    /** What is wrong with one InfluxQL query against the schema; empty when nothing is. */
    static List<String> problems(String query) {
        List<String> out = new ArrayList<>();
        Matcher from = FROM.matcher(query);
        if (!from.find()) {
            out.add("no FROM \"measurement\" in: " + query);
            return out;
        }
        InfluxSchema.Measurement m = SCHEMA.get(from.group(1));
        if (m == null) {
            out.add("unknown measurement " + from.group(1));
            return out;
        }
        Matcher f = FIELD.matcher(query);
        while (f.find()) {
            if (!m.numberFields().contains(f.group(1)) && !m.stringFields().contains(f.group(1))) {
                out.add(m.name() + " has no field " + f.group(1));
            }
        }
        List<String> tags = new ArrayList<>();
        Matcher g = GROUP_BY.matcher(query);
        if (g.find()) {
            Matcher q = QUOTED.matcher(g.group(1));
            while (q.find()) {
                tags.add(q.group(1));
            }
        }
        Matcher w = WHERE_TAG.matcher(query);
        while (w.find()) {
            tags.add(w.group(1));
        }
        Matcher k = WITH_KEY.matcher(query);
        while (k.find()) {
            tags.add(k.group(1));
        }
        for (String t : tags) {
            if (!m.tags().contains(t)) {
                out.add(m.name() + " has no tag " + t);
            }
        }
        return out;
    }

    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("query").asText());
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            out.add(v.path("query").asText());
        }
        return out;
    }

    @Test
    void everyQueryReadsMeasurementsFieldsAndTagsOfTheSchema() throws IOException {
        assertThat(DIR).isDirectory();
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        ObjectMapper mapper = new ObjectMapper();
        java.util.Set<String> measurements = new java.util.HashSet<>();
        for (Path file : files) {
            JsonNode d = mapper.readTree(file.toFile());
            List<String> qs = queries(d);
            assertThat(qs).as(file.toString()).isNotEmpty().allSatisfy(q -> assertThat(q).isNotBlank());
            for (String q : qs) {
                assertThat(problems(q)).as(file + ": " + q).isEmpty();
                Optional.of(FROM.matcher(q)).filter(Matcher::find).ifPresent(x -> measurements.add(x.group(1)));
            }
            for (JsonNode p : d.path("panels")) {
                assertThat(p.path("datasource").path("type").asText()).as(p.path("title").asText()).isEqualTo("influxdb");
            }
        }
        // the dashboard covers every series the jobs write
        assertThat(measurements).containsExactlyInAnyOrderElementsOf(SCHEMA.keySet());
    }

    @Test
    void theCheckCatchesWrongNames() {
        assertThat(problems("SELECT mean(\"cpu\") FROM \"device_health\" WHERE $timeFilter GROUP BY time(1m)"))
                .containsExactly("device_health has no field cpu");
        assertThat(problems("SELECT last(\"open\") FROM \"fleet_alert\" WHERE $timeFilter")).containsExactly("unknown measurement fleet_alert");
        assertThat(problems("SELECT sum(\"connects\") FROM \"fleet_connectivity\" WHERE \"region\" =~ /^x$/ GROUP BY time(1m), \"model\" fill(0)"))
                .containsExactlyInAnyOrder("fleet_connectivity has no tag model", "fleet_connectivity has no tag region");
        assertThat(problems("SHOW TAG VALUES FROM \"fleet_cohort\" WITH KEY = \"device\"")).containsExactly("fleet_cohort has no tag device");
    }
}
