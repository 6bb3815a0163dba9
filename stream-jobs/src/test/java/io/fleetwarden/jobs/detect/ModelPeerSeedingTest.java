package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * A model's baselines describe its devices, whichever of them reports first. Households differ: genuine devices of one
 * model send between half and one and a half times the model's mean traffic and run at different CPU levels. When a
 * fleet starts slowly (a loaded broker, a staged roll-out) its quietest device may report alone for a while; the peer
 * rules must not take that one device's level and noise as the model's and then flag its genuine busier peers.
 */
class ModelPeerSeedingTest {

    private static final int DEVICES = 20;
    private static final long STEP = 5_000;

    /** Device {@code i}'s level: from 0.5 (device 0) to 1.5 (the last) times the model's mean, +-3 % noise per report. */
    private static double level(int i) {
        return 0.5 + (double) i / (DEVICES - 1);
    }

    private static double noise(int i, long t) {
        return 1 + 0.03 * Math.sin(i * 7.0 + t / 3_000.0);
    }

    /**
     * When device {@code i} joins: the quietest first, then the busiest, then the rest, one every {@code joinEvery};
     * every device reports every 5 s once it has joined.
     */
    private static long joins(int i, long joinEvery) {
        int order = i == 0 ? 0 : i == DEVICES - 1 ? 1 : i + 1;
        return T0 + order * joinEvery;
    }

    private static List<Finding> slowStart(long joinEvery) {
        PeerFleet fleet = new PeerFleet(DetectionConfig.defaults());
        long end = T0 + DEVICES * joinEvery + 20 * 60_000;
        for (long t = T0; t < end; t += STEP) {
            for (int i = 0; i < DEVICES; i++) {
                if (t < joins(i, joinEvery)) {
                    continue;
                }
                double l = level(i) * noise(i, t);
                fleet.report(Events.telemetry("cam-" + i, t + i * 10L).setIntervalSeconds(5)
                        .setBytesOut(Math.round(200_000 * l)).setCpuPercent(20 * l).setMemoryPercent(40 * l).build());
            }
        }
        return fleet.findings();
    }

    @Test
    void theQuietestDeviceReportingAloneFirstDoesNotMakeItsBusierPeersLookCompromised() {
        // the quietest device reports 120 times (10 min) alone before the busiest joins
        List<Finding> findings = slowStart(10 * 60_000);
        assertThat(findings).as("no peer rule opens on a genuine device").filteredOn(f -> f.action == Action.OPEN).isEmpty();
    }

    @Test
    void aFleetConnectingOneDeviceEveryFewSecondsStaysQuiet() {
        assertThat(slowStart(3_000)).filteredOn(f -> f.action == Action.OPEN).isEmpty();
    }

    @Test
    void aDeviceFarAboveTheSpreadOfItsModelsDevicesIsStillFound() {
        PeerFleet fleet = new PeerFleet(DetectionConfig.defaults());
        List<Finding> found = new ArrayList<>();
        for (long t = T0; t < T0 + 30 * 60_000; t += STEP) {
            for (int i = 0; i < DEVICES; i++) {
                double l = level(i) * noise(i, t);
                fleet.report(Events.telemetry("cam-" + i, t + i * 10L).setIntervalSeconds(5)
                        .setBytesOut(Math.round(200_000 * l)).setCpuPercent(20 * l).setMemoryPercent(40 * l).build());
            }
            if (t >= T0 + 20 * 60_000) { // a newcomer sending 8x the model's mean from its first report
                found.addAll(fleet.report(Events.telemetry("cam-new", t + 500).setIntervalSeconds(5).setBytesOut(8 * 200_000)
                        .setCpuPercent(20).setMemoryPercent(40).build()));
            }
        }
        assertThat(found).filteredOn(f -> f.ruleId.equals("CMP-RATE-002") && f.action == Action.OPEN).hasSize(1);
        assertThat(fleet.findings()).filteredOn(f -> f.action == Action.OPEN).allSatisfy(f -> assertThat(f.deviceId).isEqualTo("cam-new"));
    }

    @Test
    void aDeviceFloodingReportsDoesNotBecomeItsModelsBaseline() {
        PeerFleet fleet = new PeerFleet(DetectionConfig.defaults());
        for (long t = T0; t < T0 + 20 * 60_000; t += STEP) {
            for (int i = 0; i < DEVICES; i++) {
                double l = level(i) * noise(i, t);
                fleet.report(Events.telemetry("cam-" + i, t + i * 10L).setIntervalSeconds(5)
                        .setBytesOut(Math.round(200_000 * l)).setCpuPercent(20 * l).setMemoryPercent(40 * l).build());
            }
            if (t >= T0 + 10 * 60_000) {
                // the quietest device's twin publishes 20 genuine-looking reports a second at the bottom of the model's range
                for (int k = 0; k < 100; k++) {
                    fleet.report(Events.telemetry("cam-flood", t + 300 + k * 50L).setIntervalSeconds(5)
                            .setBytesOut(Math.round(200_000 * 0.5)).setCpuPercent(10).setMemoryPercent(20).build());
                }
            }
        }
        // the traffic baseline is in log space (log(bytes/s + peer.trafficFloor))
        assertThat(Math.exp(fleet.model().logTraffic.center) - fleet.config().peerTrafficFloor)
                .as("the model's traffic level (devices 20,000-60,000 B/s, mean 40,000)")
                .isBetween(30_000.0, 50_000.0);
        assertThat(fleet.model().cpu.center).as("the model's cpu level (devices 10-30 %)").isBetween(15.0, 25.0);
        assertThat(fleet.findings()).as("no genuine device flagged").filteredOn(f -> f.action == Action.OPEN)
                .allSatisfy(f -> assertThat(f.deviceId).isEqualTo("cam-flood"));
    }
}
