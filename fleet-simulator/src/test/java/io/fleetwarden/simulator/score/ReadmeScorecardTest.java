package io.fleetwarden.simulator.score;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The README's detection-quality tables are generated from the committed scorecard JSON they name
 * ({@code <!-- scorecard-tables: scorecards/FILE.json -->} ... {@code <!-- /scorecard-tables -->});
 * this fails when the README and the JSON disagree. Regenerate with {@link ScorecardPrinter#markdown}.
 */
class ReadmeScorecardTest {

    private static final Pattern BLOCK = Pattern.compile(
            "<!-- scorecard-tables: (\\S+) -->\\n(.*?)<!-- /scorecard-tables -->", Pattern.DOTALL);

    @Test
    void readmeTablesAreTheCommittedScorecard() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = BLOCK.matcher(readme);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            Path json = Path.of(m.group(1));
            assertThat(json).as("scorecard named in the README").isRegularFile();
            ScorecardReport report = JsonMapper.builder().build().readValue(json.toFile(), ScorecardReport.class);
            assertThat(m.group(2).strip()).as("README tables generated from " + json)
                    .isEqualTo(ScorecardPrinter.markdown(report).strip());
        }
        assertThat(blocks).as("the README carries at least one generated scorecard block").isPositive();
    }

    @Test
    void theMarkdownCarriesTheFiguresOfTheReport() {
        ScorecardReport r = new ScorecardReport("run-x", "event-time", java.util.List.of(),
                java.util.List.of(new ScorecardReport.KindScore("botnet", true, 2, 1, 0.5, 0.75, 1.5, 0)),
                java.util.List.of(new ScorecardReport.RuleScore("CMP-NET-001", 2, 1, 0.5, 1.5, 1.5, 3)),
                new ScorecardReport.Overall(10, 7, 3, 0.7, 2, 1, 0.5, 0.75, 1.5, 1.5, 20_000, 1.5));
        String md = ScorecardPrinter.markdown(r);
        assertThat(md).contains("run-x", "event-time", "| 0.70 (7 / 10) |", "| botnet | attack | 2 | 1 | 0.50 | 0.75 | 1.5 s | 0 |",
                "| CMP-NET-001 | 2 | 1 | 0.50 | 1.5 s / 1.5 s | 3 |", "| 1.50 (3 in 20,000 device-hours) |");
    }
}
