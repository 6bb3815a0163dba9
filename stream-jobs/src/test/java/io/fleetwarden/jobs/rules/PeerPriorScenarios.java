package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.Events.T0;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerFleet;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Expect;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Scenario;
import io.fleetwarden.model.Telemetry;

/**
 * Scenarios of the rules that judge a device against its model's peers from its first report: CMP-RATE-003
 * (first-hour publish rate), CMP-NET-002 (ports its peers lack), CMP-RES-001 (resource abuse). Each runs the
 * whole path of a report through both keyed stages ({@link PeerFleet}) with default thresholds; part of
 * {@link RuleScenarioTest}'s cases.
 */
final class PeerPriorScenarios {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MINUTE = 60_000;

    private PeerPriorScenarios() {
    }

    static void add(List<Scenario> s) {
        // --- CMP-RATE-003: the model's messages per minute are the prior of a device without its own baseline ----
        s.add(new Scenario("CMP-RATE-003", "new device, 14 msgs/min vs peers at 2/min (scale 2, k 6: at threshold)", Expect.OPENS,
                () -> firstHourRate(14)));
        s.add(new Scenario("CMP-RATE-003", "new device, 13 msgs/min (one below)", Expect.NOTHING, () -> firstHourRate(13)));
        s.add(new Scenario("CMP-RATE-003", "new device at 20x from its first minute (it would learn it as its own normal)",
                Expect.OPENS, () -> firstHourRate(40)));
        s.add(new Scenario("CMP-RATE-003", "an established device's burst is CMP-RATE-001's, not the prior's", Expect.NOTHING,
                PeerPriorScenarios::establishedBurst));
        s.add(new Scenario("CMP-RATE-003", "back to the model's rate: resolves", Expect.CLEARS,
                PeerPriorScenarios::firstHourRateThenCalm));

        // --- CMP-NET-002 from the first hour --------------------------------------------------------------------
        s.add(new Scenario("CMP-NET-002", "port 4444 on one device in the model's first hour (its learning period)", Expect.OPENS,
                () -> ports(10, i -> List.of(80), List.of(80, 4444))));
        s.add(new Scenario("CMP-NET-002", "60 peers, a rollout: 4 listen on 9000, the device is the 5th (at peer.portRollout)",
                Expect.NOTHING, () -> ports(60, peersWith(4, 9000), List.of(80, 9000))));
        s.add(new Scenario("CMP-NET-002", "60 peers, 3 listen on 9000, the device is the 4th (one below)", Expect.OPENS,
                () -> ports(60, peersWith(3, 9000), List.of(80, 9000))));
        s.add(new Scenario("CMP-NET-002", "small model (2 devices): a port the other device never had", Expect.OPENS,
                () -> ports(1, i -> List.of(80), List.of(80, 4444))));
        s.add(new Scenario("CMP-NET-002", "small model (2 devices): the ports both have", Expect.NOTHING,
                () -> ports(1, i -> List.of(80), List.of(80))));
        s.add(new Scenario("CMP-NET-002", "one device repeating its port 100 times does not make it the model's service",
                Expect.OPENS, PeerPriorScenarios::portRepeated));

        // --- CMP-RES-001: far above own and model baselines, sustained --------------------------------------------
        s.add(new Scenario("CMP-RES-001", "cpu 22 % for 3 reports vs own and peers at a flat 10 % (scale floor 2 points, k 6: at threshold)",
                Expect.OPENS, () -> resources(22, 41, 3)));
        s.add(new Scenario("CMP-RES-001", "cpu 21.9 % for 3 reports (just below)", Expect.NOTHING, () -> resources(21.9, 41, 3)));
        // Low-CPU models: the bar follows the model's own band, not a fixed number of points.
        s.add(new Scenario("CMP-RES-001", "plug idling at 2-6 %: a resident bot adds 25 points for 3 reports", Expect.OPENS,
                () -> resourcesInBand(4, 2, 25, 3)));
        s.add(new Scenario("CMP-RES-001", "plug idling at 2-6 %: +25 points for 2 reports (one below sustained)", Expect.NOTHING,
                () -> resourcesInBand(4, 2, 25, 2)));
        s.add(new Scenario("CMP-RES-001", "thermostat at 7-11 %: +25 points for 3 reports", Expect.OPENS,
                () -> resourcesInBand(9, 2, 25, 3)));
        s.add(new Scenario("CMP-RES-001", "thermostat at 7-11 %: +8 points, within its model's whole band, for 10 reports",
                Expect.NOTHING, () -> resourcesInBand(9, 2, 8, 10)));
        s.add(new Scenario("CMP-RES-001", "plug at its band's top (6 %) for an hour: nothing", Expect.NOTHING,
                () -> resourcesInBand(4, 2, 2, 120)));
        s.add(new Scenario("CMP-RES-001", "cpu 99 % for 2 reports (one below sustained: a spike)", Expect.NOTHING,
                () -> resources(99, 41, 2)));
        s.add(new Scenario("CMP-RES-001", "memory 95 % for 3 reports vs 41 %", Expect.OPENS, () -> resources(10, 95, 3)));
        s.add(new Scenario("CMP-RES-001", "a device pinned at 99 % from its first report (no own baseline)", Expect.OPENS,
                PeerPriorScenarios::minerFromBoot));
        s.add(new Scenario("CMP-RES-001", "miner stops: resolves", Expect.CLEARS, () -> resources(99, 41, 5)));
    }

    /** Reports of {@code n} peers "peer-i" every 30 s (2 a minute) from T0 for {@code minutes}, listening on {@code portsOf(i)}. */
    static List<Telemetry> peers(int n, int minutes, IntFunction<List<Integer>> portsOf, double cpu, double memory) {
        List<Telemetry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (long t = T0 + i * 1000L; t < T0 + minutes * MINUTE; t += 30_000) {
                out.add(Events.telemetry("peer-" + i, t).setListeningPorts(portsOf.apply(i)).setCpuPercent(cpu)
                        .setMemoryPercent(memory).build());
            }
        }
        return out;
    }

    static List<Finding> run(List<Telemetry> reports) {
        List<Telemetry> sorted = new ArrayList<>(reports);
        sorted.sort(Comparator.comparingLong(t -> t.getDeviceTime().toEpochMilli())); // stable: per-device order kept
        return new PeerFleet(CFG).reports(sorted);
    }

    /** 10 peers for 20 minutes at 2 msgs/min; a new device joins at 10 min and sends {@code burst} in its second minute. */
    static List<Finding> firstHourRate(int burst) {
        List<Telemetry> r = peers(10, 20, i -> List.of(80, 443), 10, 41);
        long start = T0 + 10 * MINUTE;
        r.add(Events.telemetry("cam-x", start).build());
        for (int i = 0; i < burst; i++) {
            r.add(Events.telemetry("cam-x", start + MINUTE + i * (59_000L / burst)).build());
        }
        r.add(Events.telemetry("cam-x", start + 2 * MINUTE).build());
        return run(r);
    }

    static List<Finding> firstHourRateThenCalm() {
        List<Telemetry> r = peers(10, 30, i -> List.of(80, 443), 10, 41);
        long start = T0 + 10 * MINUTE;
        for (int i = 0; i < 40; i++) {
            r.add(Events.telemetry("cam-x", start + i * 1500L).build());
        }
        for (long t = start + MINUTE; t < T0 + 30 * MINUTE; t += 30_000) {
            r.add(Events.telemetry("cam-x", t).build());
        }
        return run(r);
    }

    /** The device reports with its peers from T0 (own baseline ready after 20 minutes), then bursts 40 msgs/min. */
    static List<Finding> establishedBurst() {
        List<Telemetry> r = peers(11, 30, i -> List.of(80, 443), 10, 41);
        long start = T0 + 30 * MINUTE;
        for (int i = 0; i < 40; i++) {
            r.add(Events.telemetry("peer-0", start + i * 1500L).build());
        }
        r.add(Events.telemetry("peer-0", start + MINUTE).build());
        return run(r);
    }

    static IntFunction<List<Integer>> peersWith(int k, int port) {
        return i -> i < k ? List.of(80, port) : List.of(80);
    }

    static List<Finding> ports(int n, IntFunction<List<Integer>> portsOf, List<Integer> devicePorts) {
        List<Telemetry> r = peers(n, 5, portsOf, 10, 41);
        r.add(Events.telemetry("cam-x", T0 + 5 * MINUTE).setListeningPorts(devicePorts).build());
        r.add(Events.telemetry("cam-x", T0 + 5 * MINUTE + 30_000).setListeningPorts(devicePorts).build());
        return run(r).stream().filter(f -> f.deviceId.equals("cam-x")).toList();
    }

    static List<Finding> portRepeated() {
        List<Telemetry> r = peers(60, 60, i -> List.of(80), 10, 41);
        for (int i = 0; i < 100; i++) {
            r.add(Events.telemetry("cam-y", T0 + 5 * MINUTE + i * 1000L).setListeningPorts(List.of(80, 4444)).build());
        }
        List<Telemetry> mine = List.of(Events.telemetry("cam-x", T0 + 50 * MINUTE).setListeningPorts(List.of(80, 4444)).build());
        List<Finding> all = run(concat(r, mine));
        return all.stream().filter(f -> f.deviceId.equals("cam-x")).toList();
    }

    /**
     * 11 devices at cpu 10 % / memory 41 % every 30 s for 15 minutes (own baselines ready after 20 reports), then
     * peer-0 reports {@code reports} times at the given use and then normal use again for 5 minutes.
     */
    static List<Finding> resources(double cpu, double memory, int reports) {
        List<Telemetry> r = peers(11, 20, i -> List.of(80, 443), 10, 41);
        r.removeIf(t -> t.getDeviceId().equals("peer-0") && t.getDeviceTime().toEpochMilli() >= T0 + 15 * MINUTE);
        long t = T0 + 15 * MINUTE;
        for (int i = 0; i < reports; i++, t += 30_000) {
            r.add(Events.telemetry("peer-0", t).setCpuPercent(cpu).setMemoryPercent(memory).build());
        }
        for (; t < T0 + 20 * MINUTE; t += 30_000) {
            r.add(Events.telemetry("peer-0", t).setCpuPercent(10).setMemoryPercent(41).build());
        }
        return run(r).stream().filter(f -> f.deviceId.equals("peer-0")).toList();
    }

    /**
     * 11 devices whose cpu wanders over {@code level ± spread} (each its own offset, each report its own wobble) every
     * 30 s for 20 minutes; from 15 min peer-0 adds {@code extra} points for {@code reports} reports, then goes back.
     */
    static List<Finding> resourcesInBand(double level, double spread, double extra, int reports) {
        List<Telemetry> r = new ArrayList<>();
        long end = T0 + Math.max(20 * MINUTE, 15 * MINUTE + (reports + 10) * 30_000L);
        for (int i = 0; i < 11; i++) {
            int k = 0;
            for (long t = T0 + i * 1000L; t < end; t += 30_000, k++) {
                double wobble = ((i * 7 + k * 13) % 21) / 10.0 - 1; // -1..1, deterministic
                double cpu = level + spread * (0.5 * ((i % 5) - 2) / 2 + 0.5 * wobble);
                boolean extraNow = i == 0 && t >= T0 + 15 * MINUTE && t < T0 + 15 * MINUTE + reports * 30_000L;
                r.add(Events.telemetry("peer-" + i, t).setCpuPercent(Math.round((cpu + (extraNow ? extra : 0)) * 10) / 10.0)
                        .setMemoryPercent(30).build());
            }
        }
        return run(r).stream().filter(f -> f.deviceId.equals("peer-0")).toList();
    }

    static List<Finding> minerFromBoot() {
        List<Telemetry> r = peers(10, 40, i -> List.of(80, 443), 10, 41);
        for (long t = T0 + 10 * MINUTE; t < T0 + 40 * MINUTE; t += 30_000) {
            r.add(Events.telemetry("cam-x", t).setCpuPercent(99).build());
        }
        return run(r).stream().filter(f -> f.deviceId.equals("cam-x")).toList();
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
