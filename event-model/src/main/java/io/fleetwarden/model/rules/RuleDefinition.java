package io.fleetwarden.model.rules;

import java.util.List;
import java.util.Objects;

import io.fleetwarden.model.Severity;

/**
 * One entry of the detection catalogue ({@link RuleCatalog}). Ids are stable: alerts, dashboards and
 * suppressions key on them, so an id never changes meaning; retired rules keep their id unused.
 *
 * @param id             stable id, e.g. {@code CMP-AUTH-001}
 * @param category       compromise, resilience, firmware or compliance
 * @param name           short name an analyst reads in a list
 * @param severity       default severity of alerts raised by the rule
 * @param guidelines     UK Code of Practice guideline numbers (1-13) the rule serves
 * @param mitreTechnique MITRE ATT&amp;CK technique id, or {@code null} when none fits
 * @param description    what the rule detects and why it matters
 * @param thresholds     the rule's own configurable thresholds, with defaults
 * @param condition      when the rule opens, in words; {@code {key}} stands for a threshold (the rule's own or a
 *                       shared setting) and renders as {@code key=default} ({@link RuleCatalog#condition})
 */
public record RuleDefinition(String id, Category category, String name, Severity severity, List<Integer> guidelines,
                             String mitreTechnique, String description, List<Threshold> thresholds, String condition) {

    /**
     * Rule families. {@code COMPLIANCE} rules (regulatory deadlines of the platform operator) are raised
     * by the dashboard API from its own records, not by the stream jobs: see {@link #raisedByStreamJobs()}.
     */
    public enum Category { COMPROMISE, RESILIENCE, FIRMWARE, COMPLIANCE }

    public RuleDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category of " + id);
        Objects.requireNonNull(name, "name of " + id);
        Objects.requireNonNull(severity, "severity of " + id);
        Objects.requireNonNull(description, "description of " + id);
        Objects.requireNonNull(condition, "condition of " + id);
        guidelines = List.copyOf(guidelines);
        thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
        if (guidelines.isEmpty() || guidelines.stream().anyMatch(g -> g < 1 || g > 13)) {
            throw new IllegalArgumentException(id + ": guideline numbers must be 1-13: " + guidelines);
        }
    }

    /** Whether the stream jobs raise this rule (every category but {@code COMPLIANCE}). */
    public boolean raisedByStreamJobs() {
        return category != Category.COMPLIANCE;
    }
}
