package io.fleetwarden.simulator.scenario;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fleetwarden.simulator.model.Fleet;

/**
 * Everything a run will do, computed before it starts.
 *
 * @param fleet          the fleet, with scenario set-up applied (e.g. stale firmware installed)
 * @param instances      scenario instances in start order
 * @param steps          all steps sorted by time (stable for equal times)
 * @param expiringCerts  devices that must connect with a certificate expiring at the given instant
 * @param skipped        scenarios that could not be placed, with the reason
 */
public record ScenarioPlan(Fleet fleet, List<ScenarioInstance> instances, List<Step> steps,
                           Map<String, Instant> expiringCerts, Map<ScenarioType, String> skipped) {

    public ScenarioPlan {
        instances = List.copyOf(instances);
        steps = List.copyOf(steps);
        expiringCerts = Map.copyOf(expiringCerts);
        skipped = Map.copyOf(skipped);
    }
}
