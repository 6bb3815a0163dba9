package io.fleetwarden.jobs.rules;

import java.util.List;
import java.util.Objects;

import io.fleetwarden.model.Severity;
import io.fleetwarden.model.rules.RuleCatalog;
import io.fleetwarden.model.rules.RuleDefinition;

/**
 * One entry of the detection catalogue. Ids are stable: alerts, dashboards and suppressions key on
 * them, so an id never changes meaning; retired rules keep their id unused.
 *
 * @param id             stable id, e.g. {@code CMP-AUTH-001}
 * @param category       compromise, resilience or firmware
 * @param name           short name an analyst reads in a list
 * @param severity       default severity of alerts raised by the rule
 * @param description    what the rule detects and why it matters
 * @param guidelines     UK Code of Practice guideline numbers (1-13) the rule serves
 * @param mitreTechnique MITRE ATT&CK technique id, or {@code null} when none fits
 * @param thresholds     human-readable summary of the configurable thresholds with their defaults (documentation),
 *                       rendered from the catalogue ({@link RuleCatalog#condition})
 */
public record Rule(String id, Category category, String name, Severity severity, String description,
                   List<Integer> guidelines, String mitreTechnique, String thresholds) {

    /** Rule families, matching the three halves of the issue. */
    public enum Category { COMPROMISE, RESILIENCE, FIRMWARE }

    /** The stream jobs' view of a catalogue entry. */
    public static Rule of(RuleDefinition d, RuleCatalog catalog) {
        return new Rule(d.id(), Category.valueOf(d.category().name()), d.name(), d.severity(), d.description(), d.guidelines(),
                d.mitreTechnique(), catalog.condition(d));
    }

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(description, "description");
        guidelines = List.copyOf(guidelines);
        if (guidelines.isEmpty() || guidelines.stream().anyMatch(g -> g < 1 || g > 13)) {
            throw new IllegalArgumentException(id + ": guideline numbers must be 1-13: " + guidelines);
        }
    }
}
