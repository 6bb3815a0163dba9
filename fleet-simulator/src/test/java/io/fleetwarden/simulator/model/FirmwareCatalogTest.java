package io.fleetwarden.simulator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.firmware.FirmwareVersion;
import io.fleetwarden.model.firmware.VersionRange;

class FirmwareCatalogTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void startupAdvisoriesAffectNoVersionTheFleetRuns() {
        for (Advisory a : FirmwareCatalog.initialAdvisories(T0)) {
            VersionRange range = VersionRange.parse(a.getAffectedVersions());
            DeviceModel m = DeviceModels.require(a.getModel());
            for (DeviceModel.Release r : m.releases()) {
                assertThat(range.contains(FirmwareVersion.parse(r.version()))).as(a.getAdvisoryId() + " vs " + r.version()).isFalse();
            }
        }
    }

    @Test
    void scenarioAdvisoryAffectsExactlyTheThermostatsPreviousRelease() throws Exception {
        Advisory a = FirmwareCatalog.scenarioAdvisory(T0);
        VersionRange range = VersionRange.parse(a.getAffectedVersions());
        DeviceModel m = DeviceModels.THERMOSTAT;
        assertThat(range.contains(FirmwareVersion.parse(m.previous().version()))).isTrue();
        assertThat(range.contains(FirmwareVersion.parse(m.latest().version()))).isFalse();
        assertThat(Codecs.ADVISORY.decode(Codecs.ADVISORY.encode(a))).isEqualTo(a);
    }

    @Test
    void aGenuineFleetIsNeverBehindALatestReleasePastTheGracePeriod() {
        for (DeviceSpec d : Fleet.build(4, 1000, "acme").devices()) {
            boolean behind = !d.firmwareVersion().equals(d.model().latest().version());
            if (behind) {
                assertThat(d.model().latest().ageDays()).as(d.deviceId()).isLessThanOrEqualTo(DeviceModels.UPDATE_GRACE_DAYS);
            }
        }
    }
}
