package io.fleetwarden.simulator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;

class TelemetryGeneratorTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private final DevicePayloads payloads = new DevicePayloads();

    @Test
    void sameSeedSameFleetAndTelemetry() {
        Fleet a = Fleet.build(7, 300, "acme");
        Fleet b = Fleet.build(7, 300, "acme");
        assertThat(a.devices()).isEqualTo(b.devices());
        TelemetryGenerator ga = new TelemetryGenerator(7);
        TelemetryGenerator gb = new TelemetryGenerator(7);
        for (DeviceSpec d : a.devices()) {
            DeviceCondition c = DeviceCondition.initial(d, T0.minusSeconds(100));
            assertThat(ga.payload(d, c, T0, 5)).isEqualTo(gb.payload(d, c, T0, 5));
            assertThat(ga.intervalMillis(d, 5)).isEqualTo(gb.intervalMillis(d, 5));
        }
    }

    @Test
    void anotherSeedGivesAnotherFleet() {
        assertThat(Fleet.build(7, 300, "acme").devices()).isNotEqualTo(Fleet.build(8, 300, "acme").devices());
    }

    @Test
    void fleetMixesModelsRegionsAndFirmware() {
        Fleet fleet = Fleet.build(1, 2000, "acme");
        for (DeviceModel m : DeviceModels.ALL) {
            long n = fleet.devices().stream().filter(d -> d.model().equals(m)).count();
            assertThat(n).as(m.name()).isBetween(300L, 1000L);
        }
        for (Region r : Region.ALL) {
            assertThat(fleet.devices().stream().filter(d -> d.region().equals(r)).count()).as(r.name()).isGreaterThan(150);
        }
        long onLatest = fleet.devices().stream().filter(d -> d.firmwareVersion().equals(d.model().latest().version())).count();
        // cameras (latest past grace) all on latest; plugs and thermostats 75/25
        assertThat(onLatest).isBetween(1600L, 1850L);
        assertThat(fleet.devices()).filteredOn(d -> d.model().equals(DeviceModels.CAMERA))
                .allMatch(d -> d.firmwareVersion().equals(d.model().latest().version()));
        assertThat(fleet.devices()).allMatch(d -> d.firmwareVersion().equals(d.model().latest().version())
                || d.firmwareVersion().equals(d.model().previous().version()));
        assertThat(fleet.devices().stream().map(DeviceSpec::deviceId).distinct().count()).isEqualTo(2000);
    }

    @Test
    void everyPayloadPassesTheDeviceSchemaIncludingScenarioEffects() throws Exception {
        Fleet fleet = Fleet.build(3, 60, "acme");
        TelemetryGenerator g = new TelemetryGenerator(3);
        for (DeviceSpec d : fleet.devices()) {
            DeviceCondition c = DeviceCondition.initial(d, T0.minusSeconds(500));
            for (Effect e : Effect.values()) {
                DeviceCondition withEffect = c.with(e).updating(d.model().latest().version(), 3);
                DeviceTelemetryPayload p = g.payload(d, withEffect, T0, 1);
                payloads.parseTelemetry(payloads.write(p));
            }
            payloads.parseTelemetry(payloads.write(g.payload(d, c, T0, 0)));
        }
    }

    @Test
    void readingsStayInTheModelsNormalRangeAndVaryPerDevice() {
        Fleet fleet = Fleet.build(11, 400, "acme");
        TelemetryGenerator g = new TelemetryGenerator(11);
        List<Double> cameraCpu = new ArrayList<>();
        for (DeviceSpec d : fleet.devices()) {
            DeviceTelemetryPayload p = g.payload(d, DeviceCondition.initial(d, T0.minusSeconds(10)), T0, 1);
            DeviceModel m = d.model();
            assertThat(p.cpuPercent()).isBetween(0.0, m.cpuMean() * 1.3 * 1.2 * 1.2 + 0.1);
            assertThat(p.network().listeningPorts()).containsExactlyElementsOf(m.listeningPorts());
            assertThat(p.network().connections()).hasSize(m.cloudEndpoints().size());
            assertThat(p.network().bytesOut()).isLessThan((long) (m.bytesOutPerSecond() * m.intervalSeconds() * 1.5 * 1.15 * (1 + m.diurnalAmplitude())) + 1);
            assertThat(p.firmware().imageSha256()).isEqualTo(FirmwareImages.genuineHash(m.name(), d.firmwareVersion()));
            assertThat(p.uptimeSeconds()).isEqualTo(10);
            if (m.equals(DeviceModels.CAMERA)) {
                cameraCpu.add(p.cpuPercent());
            }
        }
        assertThat(cameraCpu.stream().distinct().count()).as("per-device variation").isGreaterThan(cameraCpu.size() / 2);
    }

    @Test
    void trafficFollowsTheDayPeakingAtTheModelsLocalPeakHour() {
        DeviceSpec cam = Fleet.build(5, 50, "acme").devices().stream()
                .filter(d -> d.model().equals(DeviceModels.CAMERA) && d.region().equals(Region.EU_WEST)).findFirst().orElseThrow();
        Instant peak = Instant.parse("2026-03-02T19:00:00Z");
        Instant trough = peak.plus(Duration.ofHours(12));
        assertThat(TelemetryGenerator.diurnalFactor(cam, peak)).isCloseTo(1 + DeviceModels.CAMERA.diurnalAmplitude(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(TelemetryGenerator.diurnalFactor(cam, trough)).isCloseTo(1 - DeviceModels.CAMERA.diurnalAmplitude(), org.assertj.core.data.Offset.offset(1e-9));
        TelemetryGenerator g = new TelemetryGenerator(5);
        DeviceCondition c = DeviceCondition.initial(cam, peak.minusSeconds(60));
        long atPeak = 0;
        long atTrough = 0;
        for (int seq = 0; seq < 50; seq++) {
            atPeak += g.payload(cam, c, peak, seq).network().bytesOut();
            atTrough += g.payload(cam, c, trough, seq).network().bytesOut();
        }
        assertThat((double) atPeak / atTrough).isGreaterThan(2.0);
    }

    @Test
    void botnetOpensTelnetScansManyDestinationsAndMultipliesTraffic() {
        DeviceSpec d = Fleet.build(9, 10, "acme").devices().get(0);
        TelemetryGenerator g = new TelemetryGenerator(9);
        DeviceCondition clean = DeviceCondition.initial(d, T0.minusSeconds(60));
        DeviceTelemetryPayload normal = g.payload(d, clean, T0, 4);
        DeviceTelemetryPayload infected = g.payload(d, clean.with(Effect.BOTNET), T0, 4);
        assertThat(infected.network().listeningPorts()).contains(23, 2323);
        assertThat(infected.network().connections().stream().map(DeviceTelemetryPayload.Connection::remoteAddress).distinct().count())
                .isGreaterThan(30);
        assertThat(infected.network().connections()).anyMatch(c -> c.remoteAddress().equals(TelemetryGenerator.C2_ADDRESS));
        assertThat(infected.network().bytesOut()).isGreaterThan(normal.network().bytesOut() * 20);
        assertThat(normal.network().listeningPorts()).doesNotContain(23, 2323);
    }

    @Test
    void backdoorMinerAndOtherModelChangeOnlyWhatTheyAreAbout() {
        for (DeviceSpec d : Fleet.build(9, 12, "acme").devices()) {
            TelemetryGenerator g = new TelemetryGenerator(9);
            DeviceCondition clean = DeviceCondition.initial(d, T0.minusSeconds(60));
            DeviceTelemetryPayload normal = g.payload(d, clean, T0, 4);

            DeviceTelemetryPayload backdoor = g.payload(d, clean.with(Effect.BACKDOOR_SERVICE), T0, 4);
            assertThat(backdoor.network().listeningPorts()).containsAll(normal.network().listeningPorts())
                    .contains(TelemetryGenerator.BACKDOOR_PORT);
            assertThat(DeviceModels.ALL).allMatch(m -> !m.listeningPorts().contains(TelemetryGenerator.BACKDOOR_PORT));

            DeviceTelemetryPayload miner = g.payload(d, clean.with(Effect.RESOURCE_ABUSE), T0, 4);
            assertThat(miner.cpuPercent()).isBetween(96.0, 100.0);
            assertThat(miner.memoryPercent()).isGreaterThan(normal.memoryPercent() + 25);
            assertThat(miner.network()).isEqualTo(normal.network());

            DeviceTelemetryPayload other = g.payload(d, clean.with(Effect.OTHER_MODEL), T0, 4);
            DeviceModel claimed = TelemetryGenerator.otherModel(d.model());
            assertThat(claimed).isNotEqualTo(d.model());
            assertThat(other.model()).isEqualTo(claimed.name());
            // consistent with the claim: that model's latest genuine image; the readings stay the device's own
            assertThat(other.firmware().version()).isEqualTo(claimed.latest().version());
            assertThat(other.firmware().imageSha256()).isEqualTo(FirmwareImages.genuineHash(claimed.name(), claimed.latest().version()));
            assertThat(other.cpuPercent()).isEqualTo(normal.cpuPercent());
            assertThat(other.network()).isEqualTo(normal.network());
        }
    }

    @Test
    void intervalsAreJitteredWithinTheModelsBounds() {
        DeviceSpec d = Fleet.build(2, 5, "acme").devices().get(0);
        TelemetryGenerator g = new TelemetryGenerator(2);
        long nominal = d.model().intervalSeconds() * 1000L;
        List<Long> intervals = new ArrayList<>();
        for (int seq = 0; seq < 200; seq++) {
            long i = g.intervalMillis(d, seq);
            assertThat(i).isBetween((long) (nominal * (1 - d.model().jitterFraction())) - 1,
                    (long) (nominal * (1 + d.model().jitterFraction())) + 1);
            intervals.add(i);
        }
        assertThat(intervals.stream().distinct().count()).isGreaterThan(100);
    }

    @Test
    void catalogListsEveryReleaseWithTheHashDevicesReport() {
        Instant start = T0;
        var entries = FirmwareCatalog.entries(start);
        assertThat(entries).hasSize(DeviceModels.ALL.size());
        for (var e : entries) {
            DeviceModel m = DeviceModels.require(e.getModel());
            assertThat(e.getLatestVersion()).isEqualTo(m.latest().version());
            assertThat(e.getReleases()).hasSize(m.releases().size());
            e.getReleases().forEach(r -> assertThat(r.getImageSha256()).isEqualTo(FirmwareImages.genuineHash(m.name(), r.getVersion())));
            assertThat(e.getReleases().get(e.getReleases().size() - 1).getReleasedAt()).isEqualTo(start.minus(Duration.ofDays(m.latest().ageDays())));
        }
        assertThat(FirmwareImages.tamperedHash("m", "1.0", 1)).isNotEqualTo(FirmwareImages.genuineHash("m", "1.0"));
    }
}
