package io.fleetwarden.model.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.Severity;

class RuleCatalogTest {

    private final RuleCatalog catalog = RuleCatalog.standard();

    @Test
    void theStandardCatalogueLoadsWithEveryRuleAndThreshold() {
        assertThat(catalog.rules()).hasSize(32);
        assertThat(catalog.rules()).filteredOn(d -> !d.raisedByStreamJobs()).extracting(RuleDefinition::id)
                .containsExactly("CRA-DEADLINE-001");
        assertThat(catalog.rules()).extracting(RuleDefinition::id).doesNotHaveDuplicates().contains("CMP-NET-005", "FW-CERT-001",
                "CMP-CLOCK-001", "CMP-RATE-003", "CMP-RES-001", "RES-BOOT-001", "CMP-IDENT-003");
        RuleDefinition r = catalog.byId("CMP-AUTH-001").orElseThrow();
        assertThat(r.severity()).isEqualTo(Severity.HIGH);
        assertThat(r.guidelines()).containsExactly(4, 5);
        assertThat(r.mitreTechnique()).isEqualTo("T1110");
        assertThat(catalog.condition(r)).isEqualTo("auth.identity.count=5 within auth.identity.window=60s, "
                + "or auth.identity.slowCount=10 within auth.identity.slowWindow=1h");
        assertThat(catalog.byId("RES-OFF-001").orElseThrow().mitreTechnique()).isNull();
        assertThat(catalog.threshold("burst.quiet").type()).isEqualTo(Threshold.Type.DURATION);
        assertThat(catalog.threshold("ports.risky").defaultValue()).isEqualTo("23,2323");
    }

    @Test
    void aRuleCanBeAddedButNotTwiceNorWithAnUnknownThreshold() {
        RuleDefinition extra = new RuleDefinition("TST-001", RuleDefinition.Category.COMPROMISE, "test", Severity.LOW, List.of(6), null,
                "a test rule", List.of(new Threshold("test.count", Threshold.Type.COUNT, "3", "events")), "{test.count} within {burst.quiet}");
        RuleCatalog more = catalog.with(extra);
        assertThat(more.condition(extra)).isEqualTo("test.count=3 within burst.quiet=15m");
        assertThat(catalog.byId("TST-001")).as("the standard catalogue is unchanged").isEmpty();
        assertThatThrownBy(() -> more.with(extra)).hasMessageContaining("duplicate rule id TST-001");
        RuleDefinition unknown = new RuleDefinition("TST-002", RuleDefinition.Category.COMPROMISE, "test", Severity.LOW, List.of(6), null,
                "x", List.of(), "{no.such.key}");
        assertThatThrownBy(() -> catalog.with(unknown)).hasMessageContaining("no.such.key");
    }
}
