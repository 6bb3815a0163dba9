package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Telemetry;

/**
 * A device chooses its version text, and the telemetry schema admits pre-release identifiers of up to 32
 * characters: numeric ones beyond a {@code long} and empty ones ({@code 1.0-rc..1}). Comparing them used to
 * throw out of the firmware rules (and so fail the job for every tenant); now they are ordered, and a
 * downgrade between two such versions is still a downgrade.
 */
class HostileFirmwareVersionTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    @Test
    void hugeAndEmptyNumericPreReleaseIdentifiersAreJudgedNotThrown() {
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState s = new FirmwareState();
        FirmwareCatalogEntry catalog = Events.catalog("1.0-99999999999999999998", T0, null);
        List<Finding> out = new ArrayList<>();
        String[] versions = {"1.0-99999999999999999999", "1.0-rc..1", "1.0-100000000000000000000", "1.0-99999999999999999999"};
        for (int i = 0; i < versions.length; i++) {
            out.addAll(rules.onTelemetry(s, DeviceReport.of(tel(T0 + i * 30_000L, versions[i])), Events.context(catalog, List.of(), 1)));
        }
        assertThat(out).as("going back from 1.0-100000000000000000000 to 1.0-99999999999999999999 is a downgrade")
                .anySatisfy(f -> {
                    assertThat(f.ruleId).isEqualTo("FW-DOWN-001");
                    assertThat(f.action).isEqualTo(Finding.Action.OPEN);
                });
    }

    private static Telemetry tel(long ts, String version) {
        return Events.telemetry("cam-1", ts).setFirmwareVersion(version).setFirmwareImageHash(null).build();
    }
}
