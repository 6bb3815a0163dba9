package io.fleetwarden.simulator.score;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One scenario instance as recorded in the ground truth.
 *
 * @param id            scenario instance id
 * @param type          scenario type id
 * @param attack        whether it must alert
 * @param devices       devices involved
 * @param cohort        cohort hit as a whole (dimension → value), may be empty
 * @param start         when it started
 * @param end           when it ended (scenario-end line, else planned end, else run end)
 * @param expectedRules rule ids that must fire
 */
public record TruthScenario(String id, String type, boolean attack, Set<String> devices, Map<String, String> cohort,
                            Instant start, Instant end, Set<String> expectedRules) {

    public TruthScenario {
        devices = Set.copyOf(devices);
        cohort = Map.copyOf(cohort);
        expectedRules = Set.copyOf(expectedRules);
    }

    /** Whether the alert is about this scenario's subject (one of its devices, or its cohort). */
    public boolean concerns(AlertView a) {
        if (a.deviceId() != null) {
            return devices.contains(a.deviceId());
        }
        return a.cohortDimension() != null && a.cohortValue() != null
                && a.cohortValue().equals(cohort.get(a.cohortDimension()));
    }
}
