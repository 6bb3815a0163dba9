package io.fleetwarden.simulator.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One planned occurrence of a scenario: the ground truth before it happens.
 *
 * @param id            unique in the run, e.g. {@code s01-botnet-infection}
 * @param type          the scenario
 * @param devices       device ids involved (the subject of the expected alerts)
 * @param cohort        cohort the scenario hits as a whole (e.g. {@code region=ap-south}), empty if none
 * @param start         offset from run start when the scenario begins
 * @param end           offset from run start when the scenario's condition is over
 * @param expectedRules rule ids that must fire (empty for benign)
 */
public record ScenarioInstance(String id, ScenarioType type, List<String> devices, Map<String, String> cohort,
                               Duration start, Duration end, Set<String> expectedRules) {

    public ScenarioInstance {
        devices = List.copyOf(devices);
        cohort = Map.copyOf(cohort);
        expectedRules = Set.copyOf(expectedRules);
        if (end.compareTo(start) < 0) {
            throw new IllegalArgumentException("scenario " + id + " ends before it starts");
        }
    }
}
