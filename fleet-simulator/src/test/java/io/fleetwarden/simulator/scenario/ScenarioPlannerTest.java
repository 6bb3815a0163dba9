package io.fleetwarden.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fleetwarden.simulator.model.DeviceModels;
import io.fleetwarden.simulator.model.DeviceSpec;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.model.Region;

class ScenarioPlannerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private final ExpectedRules rules = ExpectedRules.load();
    private final ScenarioPlanner planner = new ScenarioPlanner(rules);
    private final ScenarioPlanner.Config config =
            new ScenarioPlanner.Config(T0, Duration.ofMinutes(10), Duration.ofSeconds(20), Duration.ofSeconds(7));

    private ScenarioPlan planAll(long seed, int size) {
        return planner.plan(Fleet.build(seed, size, "acme"), ScenarioType.parseSelection("all"), config);
    }

    @Test
    void planIsAPureFunctionOfSeedAndConfig() {
        ScenarioPlan a = planAll(42, 200);
        ScenarioPlan b = planAll(42, 200);
        assertThat(a.fleet().devices()).isEqualTo(b.fleet().devices());
        assertThat(a.instances()).isEqualTo(b.instances());
        assertThat(a.steps().equals(b.steps())).isTrue();
        assertThat(a.expiringCerts()).isEqualTo(b.expiringCerts());
        assertThat(planAll(42, 200).instances()).isNotEqualTo(planAll(43, 200).instances());
    }

    @Test
    void everyScenarioIsPlacedOnADefaultFleetAndStartsWithinThreeMinutes() {
        ScenarioPlan plan = planAll(42, 200);
        assertThat(plan.skipped()).isEmpty();
        assertThat(plan.instances()).extracting(ScenarioInstance::type).containsExactlyInAnyOrder(ScenarioType.values());
        assertThat(plan.instances()).allMatch(s -> s.start().compareTo(Duration.ofMinutes(3)) < 0);
        for (ScenarioInstance s : plan.instances()) {
            assertThat(s.expectedRules()).isEqualTo(rules.of(s.type()));
            assertThat(s.devices()).isNotEmpty();
            assertThat(s.end()).isLessThanOrEqualTo(config.runDuration());
        }
    }

    @Test
    void baselineScenariosWaitForTheWarmUpAndTheOthersKeepTheirSlots() {
        ScenarioPlanner.Config warm = new ScenarioPlanner.Config(T0, Duration.ofMinutes(10), Duration.ofSeconds(20),
                Duration.ofSeconds(7), Duration.ofMinutes(4));
        ScenarioPlan plain = planAll(42, 200);
        ScenarioPlan plan = planner.plan(Fleet.build(42, 200, "acme"), ScenarioType.parseSelection("all"), warm);
        assertThat(plan.skipped()).isEmpty();
        for (ScenarioInstance s : plan.instances()) {
            ScenarioInstance before = plain.instances().stream().filter(p -> p.type() == s.type()).findFirst().orElseThrow();
            if (ScenarioPlanner.NEEDS_WARM_BASELINE.contains(s.type())) {
                assertThat(s.start()).as(s.id()).isEqualTo(Duration.ofMinutes(4));
                assertThat(before.start()).as(s.id()).isLessThan(Duration.ofMinutes(4));
            } else {
                assertThat(s.start()).as(s.id()).isEqualTo(before.start());
            }
            assertThat(s.devices()).isEqualTo(before.devices());
        }
        // a warm-up past the end of the run skips those scenarios with a reason instead of squeezing them in
        ScenarioPlanner.Config tooShort = new ScenarioPlanner.Config(T0, Duration.ofMinutes(3), Duration.ofSeconds(20),
                Duration.ofSeconds(7), Duration.ofMinutes(4));
        ScenarioPlan shortPlan = planner.plan(Fleet.build(42, 200, "acme"), ScenarioType.parseSelection("all"), tooShort);
        assertThat(shortPlan.skipped()).containsOnlyKeys(ScenarioPlanner.NEEDS_WARM_BASELINE);
    }

    @Test
    void deviceLevelScenariosNeverShareADevice() {
        ScenarioPlan plan = planAll(42, 200);
        Set<ScenarioType> cohortWide = Set.of(ScenarioType.REGIONAL_OUTAGE_STORM, ScenarioType.REGIONAL_OUTAGE_ORDERLY,
                ScenarioType.NEW_ADVISORY, ScenarioType.DAILY_PEAK);
        Set<String> seen = new HashSet<>();
        for (ScenarioInstance s : plan.instances()) {
            if (!cohortWide.contains(s.type())) {
                for (String d : s.devices()) {
                    assertThat(seen.add(d)).as(d + " in two scenarios").isTrue();
                }
            }
        }
        Set<String> outageDevices = plan.instances().stream()
                .filter(s -> s.type() == ScenarioType.REGIONAL_OUTAGE_STORM || s.type() == ScenarioType.REGIONAL_OUTAGE_ORDERLY)
                .flatMap(s -> s.devices().stream()).collect(Collectors.toSet());
        assertThat(seen).doesNotContainAnyElementsOf(outageDevices);
    }

    @Test
    void stepsAreSortedAndEveryInstanceIsMarkedStartAndEnd() {
        ScenarioPlan plan = planAll(42, 200);
        List<Step> steps = plan.steps();
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i).at()).isGreaterThanOrEqualTo(steps.get(i - 1).at());
        }
        for (ScenarioInstance s : plan.instances()) {
            assertThat(steps).filteredOn(x -> x.scenarioId().equals(s.id()) && x.action() == Action.MARK_START)
                    .singleElement().extracting(Step::at).isEqualTo(s.start());
            assertThat(steps).filteredOn(x -> x.scenarioId().equals(s.id()) && x.action() == Action.MARK_END)
                    .singleElement().extracting(Step::at).isEqualTo(s.end());
        }
    }

    @Test
    void stormReturnsAllAtOnceWhileOrderlyReturnIsSpreadOverAMinute() {
        ScenarioPlan plan = planAll(42, 400);
        ScenarioInstance storm = instance(plan, ScenarioType.REGIONAL_OUTAGE_STORM);
        ScenarioInstance orderly = instance(plan, ScenarioType.REGIONAL_OUTAGE_ORDERLY);
        assertThat(storm.cohort()).isEqualTo(Map.of("region", Region.OUTAGE_STORM.name()));
        Set<Duration> stormReturns = connects(plan, storm).stream().map(Step::at).collect(Collectors.toSet());
        assertThat(stormReturns).containsExactly(storm.start().plusSeconds(60));
        List<Duration> orderlyReturns = connects(plan, orderly).stream().map(Step::at).toList();
        assertThat(orderlyReturns).hasSize(orderly.devices().size());
        assertThat(orderlyReturns).allMatch(t -> t.compareTo(orderly.start().plusSeconds(60)) >= 0
                && t.compareTo(orderly.start().plusSeconds(120)) < 0);
        assertThat(orderlyReturns.stream().distinct().count()).isGreaterThan(orderly.devices().size() / 2);
    }

    @Test
    void staleFirmwareAndExpiringCertificatesAreSetUpBeforeTheRun() {
        ScenarioPlan plan = planAll(42, 200);
        ScenarioInstance stale = instance(plan, ScenarioType.STALE_FIRMWARE);
        DeviceSpec d = plan.fleet().device(stale.devices().get(0)).orElseThrow();
        assertThat(d.firmwareVersion()).isEqualTo(d.model().oldest().version());
        assertThat(stale.start()).isEqualTo(Duration.ZERO);
        ScenarioInstance expiry = instance(plan, ScenarioType.CERTIFICATE_EXPIRY);
        assertThat(plan.expiringCerts()).containsEntry(expiry.devices().get(0), T0.plus(Duration.ofDays(10)));
    }

    @Test
    void newAdvisoryTargetsEveryThermostatOnThePreviousReleaseAndNoOtherScenarioUsesThem() {
        ScenarioPlan plan = planAll(42, 300);
        ScenarioInstance adv = instance(plan, ScenarioType.NEW_ADVISORY);
        Set<String> expected = plan.fleet().devices().stream()
                .filter(x -> x.model().equals(DeviceModels.THERMOSTAT) && x.firmwareVersion().equals(x.model().previous().version()))
                .map(DeviceSpec::deviceId).collect(Collectors.toSet());
        assertThat(Set.copyOf(adv.devices())).isEqualTo(expected);
        assertThat(plan.steps()).filteredOn(s -> s.action() == Action.PUBLISH_ADVISORY).hasSize(1);
    }

    @Test
    void scenariosThatDoNotFitTheRunOrTheFleetAreSkippedWithAReason() {
        ScenarioPlanner.Config shortRun = new ScenarioPlanner.Config(T0, Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(8));
        ScenarioPlan plan = planner.plan(Fleet.build(1, 200, "acme"), ScenarioType.parseSelection("all"), shortRun);
        assertThat(plan.skipped()).containsKey(ScenarioType.DAILY_PEAK);
        assertThat(plan.skipped().get(ScenarioType.DAILY_PEAK)).contains("after the end of the run");
        assertThat(plan.steps()).allMatch(s -> s.at().compareTo(Duration.ofSeconds(30)) <= 0);

        ScenarioPlan tiny = planner.plan(Fleet.build(1, 2, "acme"), ScenarioType.parseSelection("attacks"), config);
        assertThat(tiny.skipped()).isNotEmpty();
        assertThat(tiny.skipped().values()).allMatch(r -> !r.isBlank());
    }

    @Test
    void selectionParsesAllNoneAttacksAndListsAndRejectsUnknownIds() {
        assertThat(ScenarioType.parseSelection("none")).allMatch(t -> !t.attack()).isNotEmpty();
        assertThat(ScenarioType.parseSelection("attacks")).allMatch(ScenarioType::attack);
        assertThat(ScenarioType.parseSelection("flapping, botnet-infection"))
                .containsExactly(ScenarioType.FLAPPING, ScenarioType.BOTNET_INFECTION);
        assertThatThrownBy(() -> ScenarioType.parseSelection("botnet"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown scenario 'botnet'");
    }

    @Test
    void firstMinuteAttacksSwitchTheirEffectOnAndReportAtOnce() {
        ScenarioPlan plan = planAll(42, 200);
        for (ScenarioType type : List.of(ScenarioType.BACKDOOR_SERVICE, ScenarioType.RESOURCE_ABUSE, ScenarioType.MODEL_MISMATCH)) {
            ScenarioInstance s = instance(plan, type);
            List<Step> own = plan.steps().stream().filter(st -> st.scenarioId().equals(s.id())).toList();
            // start mark, effect on, one report, in that order at the start; the effect lasts to the end of the run
            assertThat(own).extracting(Step::action).containsExactly(Action.MARK_START, Action.EFFECT_ON, Action.PUBLISH_BURST, Action.MARK_END);
            assertThat(own.subList(0, 3)).allMatch(st -> st.at().equals(s.start()));
            assertThat(own.get(2).count()).isEqualTo(1);
            assertThat(s.end()).isEqualTo(config.runDuration());
        }
        String mismatch = instance(plan, ScenarioType.MODEL_MISMATCH).devices().get(0);
        assertThat(plan.fleet().device(mismatch).orElseThrow().model()).isEqualTo(DeviceModels.PLUG);
        ScenarioInstance flood = instance(plan, ScenarioType.EARLY_PUBLISH_FLOOD);
        assertThat(plan.fleet().device(flood.devices().get(0)).orElseThrow().model()).isEqualTo(DeviceModels.CAMERA);
        assertThat(flood.end().minus(flood.start())).isEqualTo(Duration.ofSeconds(90));
        assertThat(flood.expectedRules()).containsExactlyInAnyOrder("CMP-RATE-003", "CMP-VAL-001");
        // the stuffing's attempts are numbered, so the runner spreads them over its addresses
        ScenarioInstance stuffing = instance(plan, ScenarioType.CREDENTIAL_STUFFING);
        assertThat(plan.steps()).filteredOn(st -> st.scenarioId().equals(stuffing.id()) && st.action() == Action.DEFAULT_CREDENTIALS)
                .extracting(Step::count).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
    }

    private static ScenarioInstance instance(ScenarioPlan plan, ScenarioType type) {
        return plan.instances().stream().filter(s -> s.type() == type).findFirst().orElseThrow();
    }

    private static List<Step> connects(ScenarioPlan plan, ScenarioInstance s) {
        return plan.steps().stream().filter(x -> x.scenarioId().equals(s.id()) && x.action() == Action.CONNECT).toList();
    }
}
