package io.fleetwarden.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerFleet;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.simulator.scenario.GroundTruthRecord;

/**
 * CMP-RATE-002 on the replay {@link ReplayDetectionIT} plays (seed 42, 200 devices, 24 simulated hours), through the plain
 * rules of both keyed stages in event-time order ({@link PeerFleet}, stream-jobs' test fixture), without the job's parallel
 * stages: what it shows is the rule's verdict, not an interleaving's. Every steady exfiltration (a device joining at x4-x10
 * its own traffic: a low-traffic plug and a camera in this replay) opens within the device's first hour, and no device
 * opens it outside an attack that expects it (households, regions at different hours, reboots, joins, low-and-slow
 * ramps of devices with a history of their own).
 */
class ReplayPeerTrafficTest {

    private static final String RULE = "CMP-RATE-002";
    private static final Duration LATENESS = Duration.ofMinutes(5);

    @Test
    void everySteadyExfiltrationOpensInItsDevicesFirstHourAndNothingElseOpens() {
        PeerFleet fleet = new PeerFleet(DetectionConfig.defaults());
        List<Finding> opened = new ArrayList<>();
        Map<String, Long> firstReport = new HashMap<>();
        Replay.Result r = Replay.simulate(ReplayDetectionIT.OPTIONS, new ReplayEngine.Sink() {
            @Override
            public void telemetry(Telemetry t) {
                firstReport.putIfAbsent(t.getDeviceId(), t.getDeviceTime().toEpochMilli());
                for (Finding f : fleet.report(t)) {
                    if (f.ruleId.equals(RULE) && f.action == Finding.Action.OPEN) {
                        opened.add(f);
                    }
                }
            }

            @Override
            public void securityEvent(SecurityEvent e) {
            }
        });
        List<GroundTruthRecord> attacks = r.groundTruth().stream()
                .filter(g -> "scenario-start".equals(g.type()) && Boolean.TRUE.equals(g.attack())).toList();
        List<GroundTruthRecord> exfiltrations = attacks.stream().filter(g -> "steady-exfiltration".equals(g.scenario())).toList();
        assertThat(exfiltrations).as("both played").hasSize(2);
        for (GroundTruthRecord g : exfiltrations) {
            String device = g.devices().get(0);
            long first = firstReport.get(device);
            assertThat(opened).as("%s (%s) within its first hour", device, g.note())
                    .anySatisfy(f -> {
                        assertThat(f.deviceId).isEqualTo(device);
                        assertThat(f.timestamp - first).isBetween(0L, Duration.ofHours(1).toMillis());
                    });
        }
        for (Finding f : opened) {
            assertThat(attacks).as("%s opened at %s: an attack on it that expects %s", f.deviceId, Instant.ofEpochMilli(f.timestamp), RULE)
                    .anySatisfy(g -> {
                        assertThat(g.devices()).contains(f.deviceId);
                        assertThat(g.expectedRules()).contains(RULE);
                        // the device's clock (within the skew window, minus its latency) may stamp its first report before
                        // the broker-time start of the scenario
                        assertThat(f.timestamp).isBetween(Instant.parse(g.at()).minus(LATENESS).toEpochMilli(),
                                Instant.parse(g.plannedEnd()).plus(LATENESS).toEpochMilli());
                    });
        }
    }
}
