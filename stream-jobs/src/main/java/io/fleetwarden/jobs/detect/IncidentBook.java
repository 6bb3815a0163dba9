package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The open cohort incidents of one tenant (Flink POJO, state of {@link IncidentCorrelation}): per incident alert key,
 * its alert id, member devices (bounded), what the last opening finding said, and whether it was folded into another
 * incident of the same rule that describes the same devices.
 */
public class IncidentBook {

    /** One open incident (Flink POJO). */
    public static class Incident {
        public String ruleId;
        public String alertId;
        public String dimension;
        public String value;
        public long openedAt;
        /** Member device ids, at most {@link CohortRules#MEMBERS_KEPT}. */
        public List<String> members = new ArrayList<>();
        /** Alert key of the incident this one was folded into; null when it is an incident of its own. */
        public String mergedInto;
        /** Alert id of that incident. */
        public String mergedIntoId;
        /** Cohorts folded into this incident ({@code dimension=value}), at most {@link IncidentCorrelation#CORRELATED_LISTED}. */
        public List<String> correlated = new ArrayList<>();
        /** Summary and evidence of the latest opening finding (to re-issue it with the folded cohorts named). */
        public String summary;
        public Map<String, String> evidence = new TreeMap<>();
        public long updatedAt;
        /**
         * For an incident folded into another: when its own resolution came (Long.MIN_VALUE while open). It is kept
         * {@link IncidentCorrelation#FOLDED_KEPT_MS} longer, so that late folds naming it still reach the incident it
         * joined.
         */
        public long closedAt = Long.MIN_VALUE;

        public Incident() {
        }
    }

    /** Open incidents by alert key ({@code tenant|dimension=value#rule}). */
    public Map<String, Incident> incidents = new HashMap<>();

    public IncidentBook() {
    }
}
