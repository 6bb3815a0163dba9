package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * CMP-RATE-002 through both keyed stages ({@link PeerFleet}): a device's outbound traffic many times its model's,
 * judged as a ratio whatever the model's scale, from the device's first report; genuine devices whose households
 * differ three times over, in regions at different hours of their day, stay quiet; a device cannot teach its
 * peers its own level; and a flagged device does not flap.
 */
class TrafficPeersTest {

    private static final String RULE = "CMP-RATE-002";
    private static final long MINUTE = 60_000;
    private static final long HOUR = 60 * MINUTE;
    private static final int DEVICES = 24;
    private static final DetectionConfig CFG = DetectionConfig.defaults();

    /** Device {@code i}'s household level: 0.5 to 1.5 times the model's mean (three times apart). */
    private static double household(int i) {
        return 0.5 + (double) (i * 7 % DEVICES) / (DEVICES - 1);
    }

    /** +-15 % per report, deterministic. */
    private static double noise(int i, long t) {
        return 1 + 0.15 * Math.sin(i * 12.9898 + t / 7_000.0);
    }

    /**
     * The model's daily cycle (amplitude {@code amplitude}) in the device's region: four regions, each a quarter of the
     * devices, six hours of local time apart, so at any moment some of the model's devices are at their peak and some at
     * their trough.
     */
    private static double daily(int i, long t, double amplitude) {
        double hours = (t - T0) / (double) HOUR + 6 * (i % 4);
        return 1 + amplitude * Math.cos(2 * Math.PI * hours / 24);
    }

    /** One report of genuine device {@code i} of a model whose mean is {@code mean} B/s, every 10 s. */
    private static List<Finding> genuine(PeerFleet fleet, int i, long t, double mean, double amplitude) {
        double rate = mean * household(i) * daily(i, t, amplitude) * noise(i, t);
        return fleet.report(Events.telemetry("dev-" + i, t + i * 37L).setRegion(region(i)).setIntervalSeconds(10)
                .setBytesOut(Math.round(rate * 10)).build());
    }

    /** Device {@code i}'s region: the four phases of {@link #daily}. */
    private static String region(int i) {
        return "region-" + i % 4;
    }

    /** One report of a device of region-0 at {@code rate} B/s. */
    private static List<Finding> report(PeerFleet fleet, String device, long t, double rate) {
        return fleet.report(Events.telemetry(device, t).setRegion(region(0)).setIntervalSeconds(10).setBytesOut(Math.round(rate * 10)).build());
    }

    /** A model of {@link #DEVICES} genuine devices (mean {@code mean} B/s, no daily cycle) reporting for {@code minutes}. */
    private static PeerFleet warm(double mean, int minutes) {
        PeerFleet fleet = new PeerFleet(CFG);
        for (long t = T0; t < T0 + minutes * MINUTE; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, mean, 0);
            }
        }
        return fleet;
    }

    private static List<Finding> opened(List<Finding> findings) {
        return findings.stream().filter(f -> f.ruleId.equals(RULE) && f.action == Action.OPEN).toList();
    }

    @ParameterizedTest(name = "model mean {0} B/s")
    @ValueSource(doubles = {300, 60_000})
    void aDeviceAtItsModelsFenceOpensOnItsFirstReportAndOneJustBelowDoesNot(double mean) {
        PeerFleet at = warm(mean, 30);
        double fence = new ModelPeerRules(CFG).trafficFence(at.model(), region(0));
        double median = Math.exp(at.model().logTraffic.center) - CFG.peerTrafficFloor;
        // households three times apart: the fence is a few times the model's level, on a plug as on a camera
        assertThat(fence / median).as("fence over the model's level").isBetween(2.2, 4.0);
        assertThat(opened(report(at, "newcomer", T0 + 30 * MINUTE + 5_000, fence * 1.001))).as("at the fence").hasSize(1);

        PeerFleet below = warm(mean, 30);
        assertThat(opened(report(below, "newcomer", T0 + 30 * MINUTE + 5_000, fence * 0.999))).as("just below").isEmpty();
        assertThat(opened(at.findings())).extracting(f -> f.deviceId).containsExactly("newcomer");
    }

    @Test
    void theSameRatioIsJudgedAlikeOnALowAndAHighTrafficModel() {
        double plug = 300;
        double camera = 60_000;
        double plugFence = new ModelPeerRules(CFG).trafficFence(warm(plug, 30).model(), region(0)) / plug;
        double cameraFence = new ModelPeerRules(CFG).trafficFence(warm(camera, 30).model(), region(0)) / camera;
        // the 16 B/s floor shifts a 300 B/s model's ratio by a few per cent, no more
        assertThat(plugFence).isCloseTo(cameraFence, org.assertj.core.data.Percentage.withPercentage(8));
        for (double mean : new double[] {plug, camera}) {
            PeerFleet fleet = warm(mean, 30);
            // a device joining at 8x the model's mean (a plug exfiltrating at 2.4 kB/s, a camera at 480 kB/s)
            List<Finding> first = report(fleet, "exfil", T0 + 30 * MINUTE + 5_000, 8 * mean);
            assertThat(opened(first)).as("opens on its first report at %s B/s", mean).hasSize(1);
            // the top of the households' own range (1.5x, +15 % noise), quiet
            assertThat(opened(report(fleet, "busy", T0 + 30 * MINUTE + 6_000, 1.75 * mean))).isEmpty();
        }
    }

    @Test
    void householdsThreeTimesApartInRegionsAtDifferentHoursStayQuietForADay() {
        for (double mean : new double[] {300, 60_000}) {
            PeerFleet fleet = new PeerFleet(CFG);
            List<Finding> opened = new ArrayList<>();
            for (long t = T0; t < T0 + 26 * HOUR; t += 30_000) {
                for (int i = 0; i < DEVICES; i++) {
                    opened.addAll(opened(genuine(fleet, i, t, mean, 0.45)));
                }
            }
            assertThat(opened).as("model mean %s B/s", mean).isEmpty();
        }
    }

    @Test
    void aNewcomerFarAboveItsRegionsPeersIsFoundAtItsRegionsTroughWhenOtherRegionsAreBusier() {
        PeerFleet fleet = new PeerFleet(CFG);
        long trough = T0 + 36 * HOUR; // region-0's daily trough (x0.55), region-2's peak (x1.45)
        for (long t = T0 + 12 * HOUR; t < trough; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, 60_000, 0.45);
            }
        }
        double regionLevel = 60_000 * daily(0, trough, 0.45);
        // 4x its region's level is about 2.2x the model's across its regions: only its region shows how far off it is
        assertThat(opened(report(fleet, "exfil", trough + 5_000, 4 * regionLevel))).as("4x its region").hasSize(1);
        // the top of the households' range (1.5x, +15 % noise) in the same region stays quiet
        assertThat(opened(report(fleet, "busy", trough + 6_000, 1.7 * regionLevel))).as("1.7x its region").isEmpty();
        assertThat(opened(fleet.findings())).extracting(f -> f.deviceId).containsExactly("exfil");
    }

    @Test
    void aDeviceNamingARegionOfItsOwnIsStillJudgedByItsModel() {
        PeerFleet fleet = warm(1_000, 30);
        // five colluding devices make up a region at 20x the model's level and seed its baseline
        List<Finding> found = new ArrayList<>();
        for (long t = T0 + 30 * MINUTE; t < T0 + 60 * MINUTE; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, 1_000, 0);
            }
            for (int c = 0; c < 5; c++) {
                found.addAll(fleet.report(Events.telemetry("colluder-" + c, t + 3_000 + c).setRegion("nowhere").setIntervalSeconds(10)
                        .setBytesOut(20 * 1_000 * 10).build()));
            }
        }
        assertThat(opened(found)).extracting(f -> f.deviceId).as("over the model's fence, whatever their region says")
                .containsExactlyInAnyOrder("colluder-0", "colluder-1", "colluder-2", "colluder-3", "colluder-4");
    }

    /** A model's devices for an hour, plus one established device at {@code own} times the mean, which from minute 30 sends {@code factor} times its own. */
    private static List<Finding> established(double own, double factor) {
        PeerFleet fleet = new PeerFleet(CFG);
        List<Finding> found = new ArrayList<>();
        for (long t = T0; t < T0 + 60 * MINUTE; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, 1_000, 0);
            }
            double rate = own * 1_000 * (t >= T0 + 30 * MINUTE && t < T0 + 35 * MINUTE ? factor : 1);
            found.addAll(report(fleet, "device", t + 5_000, rate));
        }
        assertThat(opened(fleet.findings())).as("no genuine peer flagged").allSatisfy(f -> assertThat(f.deviceId).isEqualTo("device"));
        return opened(found);
    }

    @Test
    void anEstablishedDeviceFloodingEightTimesItsOwnLevelIsFound() {
        // the model's quietest household (0.5x) flooding at 8x its own level: 4x the model's level, and 8x its own
        assertThat(established(0.5, 8)).hasSize(1);
    }

    @Test
    void aBusyHouseholdStreamingForMinutesIsItsOwnNormal() {
        // the busiest household (1.5x) streaming at 2.5x its own level for 5 minutes: 3.75x the model's level, over the
        // fence a newcomer is held to, but 2.5x its own level is not a spike (traffic.k: at least 4x) and not twice as far
        assertThat(established(1.5, 2.5)).isEmpty();
    }

    @Test
    void aDeviceRampingUpSlowlyCannotTeachItsPeersAndIsFound() {
        PeerFleet fleet = warm(1_000, 30);
        double levelBefore = Math.exp(fleet.model().logTraffic.center);
        List<Finding> found = new ArrayList<>();
        double rate = 1_000;
        for (long t = T0 + 30 * MINUTE; t < T0 + 5 * HOUR; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, 1_000, 0);
            }
            found.addAll(report(fleet, "ramp", t + 5_000, rate));
            rate = Math.min(20_000, rate * 1.002); // +0.2 % a report, up to 20x over about 4 h
        }
        assertThat(Math.exp(fleet.model().logTraffic.center) / levelBefore).as("the model's level moved by").isBetween(0.85, 1.15);
        assertThat(found).filteredOn(f -> f.ruleId.equals(RULE)).as("opened once, never cleared while it stays high")
                .singleElement().satisfies(f -> assertThat(f.action).isEqualTo(Action.OPEN));
        assertThat(opened(fleet.findings())).extracting(f -> f.deviceId).containsOnly("ramp");
    }

    @Test
    void aFlaggedDeviceDippingBackForMinutesDoesNotFlapAndClearsOnceItStaysBack() {
        PeerFleet fleet = warm(1_000, 30);
        List<Finding> rule = new ArrayList<>();
        long t = T0 + 30 * MINUTE;
        for (int cycle = 0; cycle < 12; cycle++) { // an hour: 10 min at 6x its peers, then 4 min back at their level
            for (long end = t + 14 * MINUTE; t < end; t += 10_000) {
                for (int i = 0; i < DEVICES; i++) {
                    genuine(fleet, i, t, 1_000, 0);
                }
                boolean high = (t - T0) % (14 * MINUTE) < 10 * MINUTE;
                report(fleet, "bursty", t + 5_000, high ? 6_000 : 1_000).stream().filter(f -> f.ruleId.equals(RULE)).forEach(rule::add);
            }
        }
        assertThat(rule).extracting(f -> f.action).as("one alert through the dips").containsExactly(Action.OPEN);
        for (long end = t + CFG.peerClearAfterMs + MINUTE; t < end; t += 10_000) {
            for (int i = 0; i < DEVICES; i++) {
                genuine(fleet, i, t, 1_000, 0);
            }
            report(fleet, "bursty", t + 5_000, 1_000).stream().filter(f -> f.ruleId.equals(RULE)).forEach(rule::add);
        }
        assertThat(rule).extracting(f -> f.action).as("cleared once back for peer.clearAfter")
                .containsExactly(Action.OPEN, Action.CLEAR);
    }

    @Test
    void hostileTrafficValuesNeitherAlertNorReachTheBaseline() {
        PeerFleet fleet = warm(1_000, 30);
        double center = fleet.model().logTraffic.center;
        ModelPeerRules rules = new ModelPeerRules(CFG);
        for (double x : new double[] {Double.NaN, -5_000, Double.NEGATIVE_INFINITY}) {
            PeerObservation o = new PeerObservation();
            o.tenant = Events.TENANT;
            o.model = Events.MODEL;
            o.deviceId = "hostile";
            o.timestamp = T0 + 31 * MINUTE;
            o.bytesOutPerSecond = x;
            assertThat(rules.onObservation(fleet.model(), o)).filteredOn(f -> f.ruleId.equals(RULE)).isEmpty();
        }
        assertThat(fleet.model().logTraffic.center).isEqualTo(center);
    }
}
