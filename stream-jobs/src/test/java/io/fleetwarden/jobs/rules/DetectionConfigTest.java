package io.fleetwarden.jobs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DetectionConfigTest {

    @Test
    void overridesAreParsedWithUnits() {
        DetectionConfig c = DetectionConfig.fromMap(Map.of("auth.identity.count", "7", "offline.min", "2m",
                "firmware.grace", "PT48H", "ports.risky", "23, 2323, 5555", "cohort.fraction", "0.5"));
        assertThat(c.authIdentityCount).isEqualTo(7);
        assertThat(c.offlineMinMs).isEqualTo(120_000);
        assertThat(c.firmwareGraceMs).isEqualTo(48 * 3_600_000L);
        assertThat(c.riskyPorts).isEqualTo(Set.of(23, 2323, 5555));
        assertThat(c.cohortFraction).isEqualTo(0.5);
        assertThat(DetectionConfig.defaults().authIdentityCount).isEqualTo(5);
    }

    @Test
    void statusRefreshDefaultsToFiveMinutesAndIsConfigurable() {
        assertThat(DetectionConfig.defaults().statusRefreshMs).isEqualTo(300_000);
        assertThat(DetectionConfig.fromMap(Map.of("status.refresh", "60s")).statusRefreshMs).isEqualTo(60_000);
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("status.refresh", "soon")))
                .hasMessageContaining("'status.refresh'");
    }

    @Test
    void durationsTakeTheOneSyntaxOfEveryConfigurationAndTheOldFormsStillRead() {
        for (Map.Entry<String, Long> e : Map.of("500ms", 500L, "90s", 90_000L, "10m", 600_000L, "6h", 21_600_000L,
                "30d", 2_592_000_000L, "PT90S", 90_000L, "P30D", 2_592_000_000L).entrySet()) {
            assertThat(DetectionConfig.fromMap(Map.of("burst.quiet", e.getKey())).burstQuietMs).as(e.getKey()).isEqualTo(e.getValue());
        }
        for (String bad : new String[] {"0s", "-5m", "PT0S", "99999999999999999999d", "5 parsecs"}) {
            assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("burst.quiet", bad))).as(bad)
                    .hasMessageContaining("burst.quiet").hasMessageContaining(bad);
        }
    }

    @Test
    void unknownKeyIsRefusedByName() {
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("auth.identity.cuont", "7")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'auth.identity.cuont'");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("flapping.count", "0")))
                .hasMessageContaining("'flapping.count'").hasMessageContaining("positive integer");
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("cohort.fraction", "1.5")))
                .hasMessageContaining("'cohort.fraction'");
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("burst.quiet", "10 fortnights")))
                .hasMessageContaining("'burst.quiet'");
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("ports.risky", "23,70000")))
                .hasMessageContaining("'ports.risky'");
    }

    @Test
    void settingsThatWouldDefeatTheirRuleAreRefusedNamingTheKey() {
        // a hand-over longer than the window would let every overlap pass as one
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("identity.handover", "11m")))
                .hasMessageContaining("'identity.handover'");
        assertThat(DetectionConfig.fromMap(Map.of("identity.handover", "10m")).identityHandoverMs).isEqualTo(600_000L);
        // a silent device's state (its planned absence with it) is dropped after state.ttl: the maximum must come first
        assertThatThrownBy(() -> DetectionConfig.fromMap(Map.of("offline.plannedMax", "7d")))
                .hasMessageContaining("'offline.plannedMax'");
        assertThat(DetectionConfig.fromMap(Map.of("offline.plannedMax", "6d")).offlinePlannedMaxMs).isEqualTo(6 * 86_400_000L);
    }

    @Test
    void catalogueIdsAreUniqueAndWellFormed() {
        assertThat(RuleCatalogue.all()).hasSize(31).allSatisfy(r -> {
            assertThat(r.id()).matches("(CMP|RES|FW)-[A-Z]+-\\d{3}");
            assertThat(r.description()).isNotBlank();
        });
        assertThat(RuleCatalogue.byId("CMP-NET-001")).get().extracting(Rule::mitreTechnique).isEqualTo("T1021");
    }
}
