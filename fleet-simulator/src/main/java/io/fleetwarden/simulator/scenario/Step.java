package io.fleetwarden.simulator.scenario;

import java.time.Duration;

/**
 * One timed action of a scenario.
 *
 * @param at         offset from the run start
 * @param scenarioId the scenario instance it belongs to
 * @param action     what happens
 * @param deviceId   device acted on, or null for fleet-level actions
 * @param arg        action argument (effect name, version, credentials, connect mode), or null
 * @param count      repetitions for bursts; 1 = tampered for {@link Action#SET_FIRMWARE}
 */
public record Step(Duration at, String scenarioId, Action action, String deviceId, String arg, int count) {

    public static Step of(Duration at, String scenarioId, Action action, String deviceId) {
        return new Step(at, scenarioId, action, deviceId, null, 0);
    }
}
