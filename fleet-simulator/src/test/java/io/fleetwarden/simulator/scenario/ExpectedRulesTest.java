package io.fleetwarden.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.fleetwarden.simulator.model.DeviceModel;
import io.fleetwarden.simulator.model.DeviceModels;
import io.fleetwarden.simulator.model.TelemetryGenerator;

class ExpectedRulesTest {

    @Test
    void tableCoversEveryScenarioAttacksExpectRulesBenignExpectNone() {
        ExpectedRules rules = ExpectedRules.load();
        for (ScenarioType t : ScenarioType.values()) {
            assertThat(rules.of(t).isEmpty()).as(t.id()).isEqualTo(!t.attack());
        }
        assertThat(rules.of(ScenarioType.BOTNET_INFECTION))
                .containsExactlyInAnyOrder("CMP-NET-001", "CMP-NET-003", "CMP-NET-004", "CMP-NET-005", "CMP-RATE-002", "CMP-RES-001");
        // CMP-RATE-002 scores reported bytes/s against the model, which a flood of ordinary reports leaves unchanged
        assertThat(rules.of(ScenarioType.PUBLISH_FLOOD)).containsExactlyInAnyOrder("CMP-RATE-001", "CMP-VAL-001");
    }

    @Test
    void theLiveBotnetExpectsResourceAbuseBecauseItsCpuIsOutsideEveryModelsBand() {
        // The table's line is static, the class rule is not: resource abuse is expected when the CPU a scenario adds is
        // more than the whole band its model reports in when nothing is wrong. The live botnet may land on any model.
        for (DeviceModel m : DeviceModels.ALL) {
            assertThat(TelemetryGenerator.BOTNET_CPU).as(m.name()).isGreaterThan(TelemetryGenerator.cpuBandWidth(m));
        }
        assertThat(ExpectedRules.load().of(ScenarioType.BOTNET_INFECTION)).contains("CMP-RES-001");
    }

    @Test
    void familiesResolveToTheRuleIdsOfSectionTwo() {
        Properties p = full();
        p.setProperty("rule.flapping", "RES-002");
        assertThat(ExpectedRules.from(p).of(ScenarioType.FLAPPING)).containsExactly("RES-002");
    }

    @Test
    void aMissingScenarioOrABenignScenarioWithRulesIsRefused() {
        Properties missing = full();
        missing.remove("scenario.flapping");
        assertThatThrownBy(() -> ExpectedRules.from(missing)).hasMessageContaining("scenario.flapping");
        Properties noisy = full();
        noisy.setProperty("scenario.short-blip", "flapping");
        assertThatThrownBy(() -> ExpectedRules.from(noisy)).hasMessageContaining("benign scenario short-blip");
    }

    private static Properties full() {
        Properties p = new Properties();
        for (ScenarioType t : ScenarioType.values()) {
            p.setProperty("scenario." + t.id(), t.attack() ? t.id() : "");
        }
        return p;
    }
}
