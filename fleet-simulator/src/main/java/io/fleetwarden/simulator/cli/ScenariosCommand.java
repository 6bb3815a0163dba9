package io.fleetwarden.simulator.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

import io.fleetwarden.simulator.scenario.ExpectedRules;
import io.fleetwarden.simulator.scenario.ScenarioType;

/** Lists the scenarios with their expected rules. */
@Command(name = "scenarios", mixinStandardHelpOptions = true, description = "List scenarios and the rules each must raise.")
final class ScenariosCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        ExpectedRules rules = ExpectedRules.load();
        for (ScenarioType t : ScenarioType.values()) {
            System.out.printf("%-26s %-7s %-60s %s%n", t.id(), t.attack() ? "attack" : "benign",
                    rules.of(t).isEmpty() ? "(must not alert)" : String.join(",", new java.util.TreeSet<>(rules.of(t))),
                    t.description());
        }
        return 0;
    }
}
