package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongToDoubleFunction;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.PeerFleet;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Expect;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Scenario;
import io.fleetwarden.model.Telemetry;

/**
 * Scenarios of CMP-NET-004's slow horizon (low-and-slow exfiltration): a device's hourly outbound rate against its
 * model's same-hour peer median, compared with its own usual ratio to them. The fleet is camera-like: every device
 * follows the same daily curve (trough to peak ~2.6x, as the simulator's cameras), each at its own level (0.5-1.5x) with
 * per-report noise, reporting every 5 minutes; the device under test starts with its peers. Each runs the whole path of
 * a report through the per-device, model and per-device-ratio stages ({@link PeerFleet}) with default thresholds; part
 * of {@link RuleScenarioTest}'s cases.
 */
final class ExfiltrationScenarios {

    static final DetectionConfig CFG = DetectionConfig.defaults();
    static final long HOUR = 3_600_000L;
    private static final long REPORT = 5 * 60_000L;
    /** The test's hours start at a day's start, so the daily curve is the same for everyone at the same hour. */
    static final long START = Math.floorDiv(T0, 86_400_000L) * 86_400_000L;

    private ExfiltrationScenarios() {
    }

    static void add(List<Scenario> s) {
        s.add(new Scenario("CMP-NET-004", "slow horizon: x4 ramp over 11 h from 18 min after the device's first report", Expect.OPENS,
                () -> run(36, ramp(18 * 60_000L, 11 * HOUR, 4))));
        s.add(new Scenario("CMP-NET-004", "slow horizon: x2.8 ramp over 17 h from 18 min after its first report", Expect.OPENS,
                () -> run(36, ramp(18 * 60_000L, 17 * HOUR, 2.8))));
        s.add(new Scenario("CMP-NET-004", "slow horizon: x2.8 ramp over 17 h starting on the second day", Expect.OPENS,
                () -> run(60, ramp(26 * HOUR, 17 * HOUR, 2.8))));
        // the sequential test: the hourly log excess beyond traffic.peerExcess (1.1) accumulates up to traffic.peerRatio (2)
        s.add(new Scenario("CMP-NET-004", "slow horizon: 2.4x its usual ratio for one closed hour (2.2x accumulated: at peerRatio)",
                Expect.OPENS, () -> run(20, step(8 * HOUR, HOUR, 2.4))));
        s.add(new Scenario("CMP-NET-004", "slow horizon: 2.0x for one closed hour (1.8x accumulated: below peerRatio)", Expect.NOTHING,
                () -> run(20, step(8 * HOUR, HOUR, 2.0))));
        s.add(new Scenario("CMP-NET-004", "slow horizon: 1.3x sustained accumulates past peerRatio within 7 h (above peerExcess and its noise)",
                Expect.OPENS, () -> within(run(20, step(8 * HOUR, 12 * HOUR, 1.3)), 8 * HOUR, 7 * HOUR + 20 * 60_000L)));
        s.add(new Scenario("CMP-NET-004", "slow horizon: 1.05x for 30 hours (below peerExcess) accumulates nothing", Expect.NOTHING,
                () -> run(40, step(8 * HOUR, 30 * HOUR, 1.05))));
        s.add(new Scenario("CMP-NET-004", "from birth: 6x its model's same-hour median from its first report opens within its first 2 hours",
                Expect.OPENS, () -> within(run(20, t -> 6), 0, 3 * HOUR)));
        s.add(new Scenario("CMP-NET-004", "from birth: 2x its peers' median from its first report (within the levels of the model's devices): nothing",
                Expect.NOTHING, () -> run(30, t -> 2)));
        s.add(new Scenario("CMP-NET-004", "hostile: a ramp of 1 % an hour from the second day (teaching its usual ratio) is found",
                Expect.OPENS, () -> run(80, t -> t < 24 * HOUR ? 1 : 1 + 0.01 * (t - 24 * HOUR) / (double) HOUR)));
        s.add(new Scenario("CMP-NET-004", "benign: a noisy device (each hour x0.7-x1.4 at random) for 4 days: nothing", Expect.NOTHING,
                () -> run(96, t -> Math.exp(0.35 * noise(77, t / HOUR)))));
        s.add(new Scenario("CMP-NET-004", "two days of the camera's own daily curve (trough to peak 2.6x): nothing", Expect.NOTHING,
                () -> run(48, t -> 1)));
        s.add(new Scenario("CMP-NET-004", "slow horizon: the ramp ends, traffic back to its usual level: resolves", Expect.CLEARS,
                () -> run(30, ramp(18 * 60_000L, 11 * HOUR, 4).andThenBack(14 * HOUR))));
        s.add(new Scenario("CMP-NET-004", "hostile: 3 of 11 devices at 20x all along do not move the peers' median; a 4th ramping x3 is found",
                Expect.OPENS, ExfiltrationScenarios::floodersDoNotDragTheMedian));
    }

    /** A traffic factor over the time since the start; {@link #andThenBack} ends it. */
    interface Factor extends LongToDoubleFunction {
        default Factor andThenBack(long at) {
            return t -> t >= at ? 1 : applyAsDouble(t);
        }
    }

    static Factor ramp(long from, long duration, double max) {
        return t -> t < from ? 1 : 1 + (max - 1) * Math.min(1, (t - from) / (double) duration);
    }

    static Factor step(long from, long duration, double factor) {
        return t -> t >= from && t < from + duration ? factor : 1;
    }

    /** The shared daily curve: 1 ± 0.45, peak at 19:00. */
    static double daily(long t) {
        double hours = Math.floorMod(t, 86_400_000L) / (double) HOUR;
        return 1 + 0.45 * Math.cos(2 * Math.PI * (hours - 19) / 24);
    }

    /** Deterministic noise in [-1, 1] for device i, report k. */
    static double noise(int i, long k) {
        long x = (i * 0x9E3779B97F4A7C15L) ^ (k * 0xC2B2AE3D27D4EB4FL);
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return ((x >>> 11) / (double) (1L << 53)) * 2 - 1;
    }

    /** {@code peers} devices "peer-i" and the device "cam-x" at 60 kB/s x level x daily curve x noise; cam-x also x factor. */
    static List<Telemetry> fleet(int hours, int peers, Factor device, LongToDoubleFunction peerExtra) {
        List<Telemetry> out = new ArrayList<>();
        for (int i = 0; i <= peers; i++) {
            String id = i == peers ? "cam-x" : "peer-" + i;
            double level = i == peers ? 1.0 : 0.5 + (i % 11) / 10.0;
            long k = 0;
            for (long t = START + 7_000L * i; t < START + hours * HOUR; t += REPORT, k++) {
                double f = level * daily(t) * (1 + 0.15 * noise(i, k)) * (i == peers ? device.applyAsDouble(t - START)
                        : peerExtra.applyAsDouble(i));
                out.add(Events.telemetry(id, t).setIntervalSeconds(300).setBytesOut(Math.round(60_000 * 300 * f)).build());
            }
        }
        out.sort(Comparator.comparingLong(t -> t.getDeviceTime().toEpochMilli()));
        return out;
    }

    static List<Finding> run(int hours, Factor device) {
        List<Finding> all = new PeerFleet(CFG).reports(fleet(hours, 10, device, i -> 1));
        assertThat(all).as("no peer is flagged").noneMatch(f -> f.ruleId.equals("CMP-NET-004") && !f.deviceId.equals("cam-x"));
        return all.stream().filter(f -> f.deviceId.equals("cam-x")).toList();
    }

    /** The findings, after checking that the rule opened between {@code from} and {@code from + within} after the start. */
    static List<Finding> within(List<Finding> findings, long from, long within) {
        assertThat(findings).filteredOn(f -> f.ruleId.equals("CMP-NET-004")).first()
                .satisfies(f -> assertThat(f.timestamp - START).as("opened at").isBetween(from, from + within));
        return findings;
    }

    static List<Finding> floodersDoNotDragTheMedian() {
        PeerFleet fleet = new PeerFleet(CFG);
        List<Finding> all = fleet.reports(fleet(30, 10, ramp(2 * HOUR, 10 * HOUR, 3), i -> i < 3 ? 20 : 1));
        // the peers' median at every hour (the first included: it is judged only once complete) stays with the 8 honest
        // peers and the device: within 1.6x of the daily curve's level (the honest levels are 0.8-1.5x), never near the
        // flooders' 10-30x
        assertThat(fleet.hours).filteredOn(h -> h.deviceId.equals("peer-5")).hasSize(29).allSatisfy(h ->
                assertThat(h.peerBytesOut / (60_000 * daily(h.hourStart + HOUR / 2))).as("median at %s", h.hourStart).isBetween(0.6, 1.6));
        // the flooders (20x from their first report) are found by the model prior; the honest peers are not
        assertThat(all).filteredOn(f -> f.ruleId.equals("CMP-NET-004") && f.action == Finding.Action.OPEN).extracting(f -> f.deviceId)
                .containsExactlyInAnyOrder("peer-0", "peer-1", "peer-2", "cam-x");
        return all.stream().filter(f -> f.deviceId.equals("cam-x")).toList();
    }
}
