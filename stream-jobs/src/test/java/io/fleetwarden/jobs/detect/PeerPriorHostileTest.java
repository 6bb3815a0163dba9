package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;

/** Devices trying to poison their own or their peers' baselines, against the peer-prior rules. */
class PeerPriorHostileTest {

    private static final long MINUTE = 60_000;
    private final PeerFleet fleet = new PeerFleet(DetectionConfig.defaults());

    /** 10 peers at 2 reports a minute, cpu 10 %, port 80, for each 30 s step up to {@code until}; {@code extra} per step. */
    private void peersUntil(long until, java.util.function.LongConsumer extra) {
        for (long t = T0; t < until; t += 30_000) {
            for (int i = 0; i < 10; i++) {
                fleet.report(Events.telemetry("peer-" + i, t + i * 100L).setCpuPercent(10).setListeningPorts(List.of(80)).build());
            }
            extra.accept(t + 5_000);
        }
    }

    @Test
    void aDeviceFloodingFromItsFirstMinuteStaysFlaggedAndDoesNotMoveTheModelPrior() {
        peersUntil(T0 + 70 * MINUTE, t -> {
            if (t >= T0 + 5 * MINUTE) {
                for (int i = 0; i < 20; i++) { // 40 a minute: 20x its peers, for an hour (its own baseline learns it)
                    fleet.report(Events.telemetry("cam-x", t + i * 1000L).setListeningPorts(List.of(80)).build());
                }
            }
        });
        List<Finding> rate = fleet.findings().stream().filter(f -> f.ruleId.equals("CMP-RATE-003")).toList();
        assertThat(rate).as("opened once and never cleared while it floods").singleElement()
                .satisfies(f -> assertThat(f.action).isEqualTo(Action.OPEN));
        assertThat(fleet.model().messageRate.center).as("the model's prior").isBetween(1.5, 2.5);
    }

    @Test
    void aSlowCpuRampDoesNotDragTheModelAndIsFound() {
        double[] cpu = {10};
        peersUntil(T0 + 120 * MINUTE, t -> {
            fleet.report(Events.telemetry("cam-x", t).setCpuPercent(cpu[0]).setListeningPorts(List.of(80)).build());
            if (t >= T0 + 15 * MINUTE) {
                cpu[0] = Math.min(99, cpu[0] + 0.5); // 1 point a minute: each step inside the baselines' clipping
            }
        });
        assertThat(fleet.model().cpu.center).as("the model's cpu baseline").isLessThan(15);
        assertThat(fleet.findings()).filteredOn(f -> f.ruleId.equals("CMP-RES-001")).as("found once far from the model")
                .anySatisfy(f -> assertThat(f.action).isEqualTo(Action.OPEN));
    }

    @Test
    void aDeviceListingHundredsOfPortsTeachesTheModelNoneAndCannotBlindIt() {
        List<Integer> many = IntStream.range(10_000, 10_300).boxed().toList();
        peersUntil(T0 + 10 * MINUTE, t -> fleet.report(Events.telemetry("cam-y", t).setListeningPorts(many).build()));
        fleet.report(Events.telemetry("cam-x", T0 + 11 * MINUTE).setListeningPorts(List.of(80, 10_001, 4444)).build());
        assertThat(fleet.findings()).filteredOn(f -> f.ruleId.equals("CMP-NET-002") && f.action == Action.OPEN)
                .extracting(f -> f.deviceId).containsExactlyInAnyOrder("cam-y", "cam-x");
        assertThat(fleet.findings()).filteredOn(f -> f.deviceId.equals("cam-x")).singleElement()
                .as("4444 is on no other device; 10001 is on 2 of the model's 12 devices (its 10 %%: a service)")
                .satisfies(f -> assertThat(f.evidence.get("ports")).isEqualTo("[4444]"));
        assertThat(fleet.model().portDevices).as("bounded").hasSizeLessThanOrEqualTo(ModelPeerRules.MAX_PORTS);
    }

    @Test
    void aModelRollingOutANewServiceAlertsOnlyItsFirstDevices() {
        List<Finding> out = new ArrayList<>();
        for (long t = T0; t < T0 + 30 * MINUTE; t += 30_000) {
            for (int i = 0; i < 60; i++) {
                // Device i gets the new service (port 9000) at minute 10 + i/4: a staged rollout over 15 minutes.
                boolean updated = t >= T0 + 10 * MINUTE + (i / 4) * MINUTE;
                out.addAll(fleet.report(Events.telemetry("cam-" + i, t + i * 100L)
                        .setListeningPorts(updated ? List.of(80, 9000) : List.of(80)).build()));
            }
        }
        List<Finding> opened = out.stream().filter(f -> f.ruleId.equals("CMP-NET-002") && f.action == Action.OPEN).toList();
        assertThat(opened).as("only devices updated before the 5th (peer.portRollout) had it").hasSizeLessThanOrEqualTo(4);
        assertThat(out.stream().filter(f -> f.ruleId.equals("CMP-NET-002") && f.action == Action.CLEAR).count())
                .as("and they clear once it is the model's service").isEqualTo(opened.size());
    }
}
