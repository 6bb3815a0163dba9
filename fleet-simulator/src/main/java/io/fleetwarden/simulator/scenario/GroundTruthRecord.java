package io.fleetwarden.simulator.scenario;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of the ground-truth file (JSON Lines). {@code type} is {@code run-start},
 * {@code scenario-start}, {@code scenario-end} or {@code run-end}; {@code at} is an ISO-8601 instant
 * taken from the simulator's clock when the line was written, i.e. when the thing happened.
 *
 * @param type          record type
 * @param at            when it happened (ISO-8601, UTC)
 * @param runId         run the line belongs to
 * @param seed          run seed (run-start)
 * @param fleetSize     number of devices (run-start)
 * @param tenant        tenant of the fleet (run-start, scenario-start)
 * @param scenarioId    scenario instance id (scenario lines)
 * @param scenario      scenario type id (scenario lines)
 * @param attack        true when the scenario must alert (scenario lines)
 * @param devices       devices involved (scenario-start)
 * @param cohort        cohort hit as a whole, e.g. {"region":"ap-south"} (scenario-start)
 * @param expectedRules rule ids that must fire (scenario-start)
 * @param plannedEnd    planned end (scenario-start, ISO-8601)
 * @param note          free text, e.g. why a step could not be carried out
 * @param timeBase      (run-start) the clock of every {@code at}: {@code wall-time} (a live run, absent in older
 *                      files) or {@code event-time} (a replay: simulated broker time, compared with alerts' event-time
 *                      {@code openedAt})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroundTruthRecord(String type, String at, String runId, Long seed, Integer fleetSize, String tenant,
                                String scenarioId, String scenario, Boolean attack, List<String> devices,
                                Map<String, String> cohort, List<String> expectedRules, String plannedEnd, String note,
                                String timeBase) {

    public static final String WALL_TIME = "wall-time";
    public static final String EVENT_TIME = "event-time";

    /** A record without a time base (every line but a replay's run-start). */
    public GroundTruthRecord(String type, String at, String runId, Long seed, Integer fleetSize, String tenant,
                             String scenarioId, String scenario, Boolean attack, List<String> devices,
                             Map<String, String> cohort, List<String> expectedRules, String plannedEnd, String note) {
        this(type, at, runId, seed, fleetSize, tenant, scenarioId, scenario, attack, devices, cohort, expectedRules,
                plannedEnd, note, null);
    }

    public static final String RUN_START = "run-start";
    public static final String RUN_END = "run-end";
    public static final String SCENARIO_START = "scenario-start";
    public static final String SCENARIO_END = "scenario-end";
}
