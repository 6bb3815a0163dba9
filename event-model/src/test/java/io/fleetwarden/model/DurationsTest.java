package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "PT90S, PT1M30S", "pt90s, PT1M30S", "PT1.5S, PT1.5S", "P30D, PT720H", "P1DT12H, PT36H", "PT0S, PT0S",
            "500ms, PT0.5S", "90s, PT1M30S", "10m, PT10M", "6h, PT6H", "30d, PT720H", "0s, PT0S",
            "90S, PT1M30S", "10M, PT10M", "1500MS, PT1.5S", "' 5s ', PT5S", "007s, PT7S"})
    void readsIsoAndShortForms(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void theLongestAcceptedDurationIsOneHundredYears() {
        assertThat(Durations.parse("36500d")).isEqualTo(Durations.MAX);
        assertThat(Durations.parse("P36500D")).isEqualTo(Durations.MAX);
        assertThatThrownBy(() -> Durations.parse("36501d")).hasMessageContaining("'36501d'").hasMessageContaining("maximum");
        assertThatThrownBy(() -> Durations.parse("PT876601H")).hasMessageContaining("maximum");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999999d", "9223372036854775807d", "9223372036854775808ms",
            "PT9999999999999999999S", "P9999999999999999D", "106751991167301d"})
    void overflowIsRefusedAndNamed(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("maximum");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5s", "-PT5S", "PT-5S", "P-1D", "+-5s"})
    void negativeIsRefused(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("signed");
        assertThatThrownBy(() -> Durations.parse("-PT5S")).hasMessageContaining("negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "s", "5 s", "5sec", "1.5s", "5w", "P1M", "P1Y", "PT", "P", "1e3s", "0x10s", "5s5",
            "5 minutes", "five seconds", "\u0665s", "+5s", "5s;rm -rf /", "NaN", "ms"})
    void malformedIsRefusedWithTheValueAndTheSyntax(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a duration")
                .hasMessageContaining(Durations.SYNTAX);
    }

    @Test
    void missingEmptyAndBlankAreRefused() {
        assertThatThrownBy(() -> Durations.parse(null)).hasMessageContaining("missing").hasMessageContaining(Durations.SYNTAX);
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Durations.parse(" \t")).hasMessageContaining("empty");
    }

    @Test
    void hostileLongOrControlCharacterValuesAreQuotedShortAndEscaped() {
        String flood = "9".repeat(10_000) + "s";
        assertThatThrownBy(() -> Durations.parse(flood))
                .hasMessageContaining("longer than 64 characters")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(250));
        assertThatThrownBy(() -> Durations.parse("5s\nFAKE LOG LINE"))
                .hasMessageContaining("\\u000a")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void positiveRefusesZero() {
        assertThat(Durations.parsePositive("1ms")).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> Durations.parsePositive("0s")).hasMessageContaining("'0s'").hasMessageContaining("zero");
        assertThatThrownBy(() -> Durations.parsePositive("PT0S")).hasMessageContaining("zero");
        assertThatThrownBy(() -> Durations.parsePositive("-1s")).hasMessageContaining("signed");
    }

    @ParameterizedTest
    @CsvSource({"PT0S, 0s", "PT0.5S, 500ms", "PT1.5S, 1500ms", "PT90S, 90s", "PT10M, 10m", "PT6H, 6h", "PT720H, 30d",
            "PT0.0000001S, PT0.0000001S"})
    void formatsTheShortestFormThatReadsBack(String iso, String expected) {
        Duration d = Duration.parse(iso);
        assertThat(Durations.format(d)).isEqualTo(expected);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
