package io.fleetwarden.simulator.scenario;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.fleetwarden.simulator.model.DeviceModels;
import io.fleetwarden.simulator.model.DeviceSpec;
import io.fleetwarden.simulator.model.Effect;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.model.Noise;
import io.fleetwarden.simulator.model.Region;

/**
 * Turns a fleet and a scenario selection into a {@link ScenarioPlan}. A pure function of the fleet
 * (hence the seed), the selection and the {@link Config}: no clock, no randomness of its own.
 *
 * <p>Each device carries at most one device-level scenario, so every alert has one ground truth.
 * The outage scenarios take whole regions ({@link Region#OUTAGE_STORM}, {@link Region#OUTAGE_ORDERLY});
 * device-level scenarios pick from the other regions, and never a thermostat on its previous release
 * (those are the devices the {@code new-advisory} scenario makes vulnerable). {@code daily-peak}
 * covers every camera as a cohort.
 */
public final class ScenarioPlanner {

    /** Factory-default credentials the stuffing scenario tries, in order. */
    public static final List<String> DEFAULT_CREDENTIALS = List.of("admin:admin", "root:12345", "admin:password",
            "user:user", "root:root", "admin:1234", "support:support", "root:vizxv", "admin:", "guest:guest");

    /**
     * Timing of a run.
     *
     * @param runStart       wall-clock start of the run (only used to date the expiring certificate)
     * @param runDuration    how long the run lasts; steps after it are dropped, scenario ends are clamped
     * @param firstStart     offset of the first timed scenario (leave time for the fleet to connect)
     * @param spacing        offset between consecutive timed scenarios
     * @param baselineWarmup earliest start of the scenarios judged against learnt per-device baselines
     *                       ({@link #NEEDS_WARM_BASELINE}): the stream jobs only score a device after
     *                       {@code baseline.minSamples} (20) reports, about 200 s for a camera, and a
     *                       scenario that starts earlier is learnt as normal instead of detected (or, for
     *                       benign ones, proves nothing). Zero keeps the plain slot schedule.
     */
    public record Config(Instant runStart, Duration runDuration, Duration firstStart, Duration spacing,
                         Duration baselineWarmup) {
        public Config {
            if (runDuration.isNegative() || runDuration.isZero()) {
                throw new IllegalArgumentException("run duration must be positive");
            }
            if (firstStart.isNegative() || spacing.isNegative() || baselineWarmup.isNegative()) {
                throw new IllegalArgumentException("first start, spacing and baseline warm-up must not be negative");
            }
        }

        /** A schedule without a baseline warm-up (every timed scenario on its slot). */
        public Config(Instant runStart, Duration runDuration, Duration firstStart, Duration spacing) {
            this(runStart, runDuration, firstStart, spacing, Duration.ZERO);
        }
    }

    /**
     * Scenarios that start no earlier than {@link Config#baselineWarmup()}: those whose expected
     * detection (or, for the benign daily peak, whose expected silence) depends on a warm per-device
     * behaviour baseline, and the orderly regional outage, which would otherwise drop its region within
     * the stream jobs' 2-minute cohort window of the storm outage: two regions together are a third of
     * every model, and the model cohorts would rightly report an outage no single scenario explains.
     */
    public static final java.util.Set<ScenarioType> NEEDS_WARM_BASELINE = java.util.EnumSet.of(ScenarioType.BOTNET_INFECTION,
            ScenarioType.PUBLISH_FLOOD, ScenarioType.DAILY_PEAK, ScenarioType.REGIONAL_OUTAGE_ORDERLY);

    private final ExpectedRules expectedRules;

    public ScenarioPlanner(ExpectedRules expectedRules) {
        this.expectedRules = expectedRules;
    }

    /** Plans the selected scenarios on the fleet. */
    public ScenarioPlan plan(Fleet fleet, List<ScenarioType> selection, Config config) {
        Builder b = new Builder(fleet, config);
        int slot = 0;
        for (ScenarioType type : selection) {
            boolean fromStart = type == ScenarioType.STALE_FIRMWARE || type == ScenarioType.CERTIFICATE_EXPIRY;
            Duration start = fromStart ? Duration.ZERO : config.firstStart().plus(config.spacing().multipliedBy(slot));
            if (!fromStart) {
                slot++;
            }
            if (NEEDS_WARM_BASELINE.contains(type) && start.compareTo(config.baselineWarmup()) < 0) {
                start = config.baselineWarmup();
            }
            if (start.compareTo(config.runDuration()) >= 0) {
                b.skipped.put(type, "starts at " + start.toSeconds() + " s, after the end of the run");
                continue;
            }
            String id = String.format("s%02d-%s", b.instances.size() + 1, type.id());
            Optional<String> problem = b.place(type, id, start);
            problem.ifPresent(p -> b.skipped.put(type, p));
        }
        List<Step> steps = new ArrayList<>();
        for (Step s : b.steps) {
            if (s.at().compareTo(config.runDuration()) <= 0) {
                steps.add(s);
            }
        }
        steps.sort(Comparator.comparing(Step::at));
        return new ScenarioPlan(fleet.withReplaced(b.replaced), b.instances, steps, b.expiring, b.skipped);
    }

    /** Mutable state of one planning pass. */
    private final class Builder {
        final Fleet fleet;
        final Config config;
        final List<DeviceSpec> pool;
        final List<ScenarioInstance> instances = new ArrayList<>();
        final List<Step> steps = new ArrayList<>();
        final Map<String, DeviceSpec> replaced = new HashMap<>();
        final Map<String, Instant> expiring = new LinkedHashMap<>();
        final Map<ScenarioType, String> skipped = new EnumMap<>(ScenarioType.class);

        Builder(Fleet fleet, Config config) {
            this.fleet = fleet;
            this.config = config;
            List<DeviceSpec> candidates = new ArrayList<>();
            for (DeviceSpec d : fleet.devices()) {
                boolean outageRegion = d.region().equals(Region.OUTAGE_STORM) || d.region().equals(Region.OUTAGE_ORDERLY);
                boolean advisoryTarget = d.model().equals(DeviceModels.THERMOSTAT)
                        && d.firmwareVersion().equals(d.model().previous().version());
                if (!outageRegion && !advisoryTarget) {
                    candidates.add(d);
                }
            }
            // a seeded shuffle: sort by a hash of (seed, index)
            candidates.sort(Comparator.comparingLong(d -> Noise.mix(fleet.seed(), d.index(), 0, 99)));
            this.pool = candidates;
        }

        Optional<DeviceSpec> take(Predicate<DeviceSpec> filter) {
            for (int i = 0; i < pool.size(); i++) {
                if (filter.test(pool.get(i))) {
                    return Optional.of(pool.remove(i));
                }
            }
            return Optional.empty();
        }

        Duration end(Duration wanted) {
            return wanted.compareTo(config.runDuration()) > 0 ? config.runDuration() : wanted;
        }

        void add(String id, ScenarioType type, List<String> devices, Map<String, String> cohort, Duration start, Duration end) {
            Duration e = end(end);
            instances.add(new ScenarioInstance(id, type, devices, cohort, start, e, expectedRules.of(type)));
            steps.add(Step.of(start, id, Action.MARK_START, null));
            steps.add(Step.of(e, id, Action.MARK_END, null));
        }

        void step(Duration at, String id, Action action, String device, String arg, int count) {
            steps.add(new Step(at, id, action, device, arg, count));
        }

        private static boolean onLatest(DeviceSpec d) {
            return d.firmwareVersion().equals(d.model().latest().version());
        }

        private static boolean onPrevious(DeviceSpec d) {
            return d.firmwareVersion().equals(d.model().previous().version());
        }

        Optional<String> place(ScenarioType type, String id, Duration t) {
            Duration runEnd = config.runDuration();
            switch (type) {
                case BOTNET_INFECTION -> {
                    Optional<DeviceSpec> d = take(x -> x.model().equals(DeviceModels.CAMERA)).or(() -> take(x -> true));
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    Duration end = t.plusSeconds(120);
                    add(id, type, List.of(dev), Map.of(), t, end);
                    step(t, id, Action.EFFECT_ON, dev, Effect.BOTNET.name(), 0);
                    step(end(end), id, Action.EFFECT_OFF, dev, Effect.BOTNET.name(), 0);
                }
                case CREDENTIAL_STUFFING -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(60));
                    for (int k = 0; k < 15; k++) {
                        // count = attempt number: the runner spreads the attempts over its attacker addresses
                        step(t.plusSeconds(4L * k), id, Action.DEFAULT_CREDENTIALS, dev,
                                DEFAULT_CREDENTIALS.get(k % DEFAULT_CREDENTIALS.size()), k);
                    }
                }
                case CLONED_CERTIFICATE -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(90));
                    for (int k = 0; k < 6; k++) {
                        step(t.plusSeconds(15L * k), id, Action.CLONE_CONNECT, dev, null, 0);
                    }
                    step(end(t.plusSeconds(90)), id, Action.CLONE_DISCONNECT, dev, null, 0);
                }
                case TOPIC_PROBING -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(45));
                    for (int k = 0; k < 9; k++) {
                        step(t.plusSeconds(5L * k), id, Action.TOPIC_PROBE, dev, null, 0);
                    }
                }
                case MALFORMED_FLOOD -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(45));
                    for (int k = 0; k < 45; k++) {
                        step(t.plusSeconds(k), id, Action.MALFORMED_BURST, dev, null, 10);
                    }
                }
                case PUBLISH_FLOOD, EARLY_PUBLISH_FLOOD -> {
                    boolean early = type == ScenarioType.EARLY_PUBLISH_FLOOD;
                    // early: a camera, the model with the most devices and reports, whose messages per device-minute a
                    // freshly started platform learns first (the prior a device without a baseline of its own is judged by)
                    Optional<DeviceSpec> d = early ? take(x -> x.model().equals(DeviceModels.CAMERA)).or(() -> take(x -> true))
                            : take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    int seconds = early ? 90 : 60;
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(seconds));
                    for (int k = 0; k < seconds; k++) {
                        step(t.plusSeconds(k), id, Action.PUBLISH_BURST, dev, null, 20);
                    }
                }
                case BACKDOOR_SERVICE, RESOURCE_ABUSE, MODEL_MISMATCH -> {
                    // a plug claiming to be the next model (a thermostat, with its firmware) lists no port and reports less
                    // of everything than its claimed peers, so the claim itself is all that is out of place
                    Optional<DeviceSpec> d = type == ScenarioType.MODEL_MISMATCH
                            ? take(x -> x.model().equals(DeviceModels.PLUG)).or(() -> take(x -> true)) : take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    Effect effect = switch (type) {
                        case BACKDOOR_SERVICE -> Effect.BACKDOOR_SERVICE;
                        case RESOURCE_ABUSE -> Effect.RESOURCE_ABUSE;
                        default -> Effect.OTHER_MODEL;
                    };
                    add(id, type, List.of(dev), Map.of(), t, runEnd);
                    step(t, id, Action.EFFECT_ON, dev, effect.name(), 0);
                    // the device reports the change at once (as at a state change), so time to detect is the platform's
                    step(t, id, Action.PUBLISH_BURST, dev, null, 1);
                }
                case FLAPPING -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(90));
                    for (int k = 0; k < 10; k++) {
                        step(t.plusSeconds(9L * k), id, Action.DISCONNECT, dev, null, 0);
                        step(t.plusSeconds(9L * k + 3), id, Action.CONNECT, dev, "reboot", 0);
                    }
                }
                case REGIONAL_OUTAGE_STORM, REGIONAL_OUTAGE_ORDERLY -> {
                    Region region = type == ScenarioType.REGIONAL_OUTAGE_STORM ? Region.OUTAGE_STORM : Region.OUTAGE_ORDERLY;
                    List<String> devs = fleet.devices().stream().filter(x -> x.region().equals(region))
                            .map(DeviceSpec::deviceId).toList();
                    if (devs.isEmpty()) {
                        return Optional.of("no device in region " + region.name());
                    }
                    boolean storm = type == ScenarioType.REGIONAL_OUTAGE_STORM;
                    Duration back = t.plusSeconds(60);
                    Duration end = storm ? back.plusSeconds(30) : back.plusSeconds(90);
                    add(id, type, devs, Map.of("region", region.name()), t, end);
                    for (String dev : devs) {
                        int idx = fleet.device(dev).orElseThrow().index();
                        step(t, id, Action.DISCONNECT, dev, null, 0);
                        long jitterMs = storm ? 0 : (long) (Noise.unit(fleet.seed(), idx, 0, 77) * 60_000);
                        step(back.plusMillis(jitterMs), id, Action.CONNECT, dev, "reboot", 0);
                    }
                }
                case STALE_FIRMWARE -> {
                    // only a model whose latest release is past the grace period can be stale
                    Optional<DeviceSpec> d = take(x -> x.model().latest().ageDays() > DeviceModels.UPDATE_GRACE_DAYS);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    DeviceSpec stale = d.get().withFirmware(d.get().model().oldest().version());
                    replaced.put(stale.deviceId(), stale);
                    add(id, type, List.of(stale.deviceId()), Map.of(), t, runEnd);
                }
                case NEW_ADVISORY -> {
                    List<String> devs = fleet.devices().stream()
                            .filter(x -> x.model().equals(DeviceModels.THERMOSTAT) && onPrevious(x))
                            .map(DeviceSpec::deviceId).toList();
                    if (devs.isEmpty()) {
                        return Optional.of("no thermostat runs the previous release in this fleet");
                    }
                    add(id, type, devs, Map.of("model", DeviceModels.THERMOSTAT.name()), t, runEnd);
                    step(t, id, Action.PUBLISH_ADVISORY, null, null, 0);
                }
                case FIRMWARE_DOWNGRADE -> {
                    // prefer a model inside its grace period, so the downgrade is not also "stale"
                    Optional<DeviceSpec> d = take(x -> onLatest(x) && x.model().latest().ageDays() <= DeviceModels.UPDATE_GRACE_DAYS)
                            .or(() -> take(Builder::onLatest));
                    if (d.isEmpty()) {
                        return Optional.of("no free device on the latest release");
                    }
                    DeviceSpec dev = d.get();
                    add(id, type, List.of(dev.deviceId()), Map.of(), t, runEnd);
                    reboot(id, dev.deviceId(), t, dev.model().previous().version(), false);
                }
                case IMAGE_HASH_MISMATCH -> {
                    Optional<DeviceSpec> d = take(Builder::onLatest);
                    if (d.isEmpty()) {
                        return Optional.of("no free device on the latest release");
                    }
                    DeviceSpec dev = d.get();
                    add(id, type, List.of(dev.deviceId()), Map.of(), t, runEnd);
                    reboot(id, dev.deviceId(), t, dev.firmwareVersion(), true);
                }
                case UPDATE_FAILURE_LOOP -> {
                    Optional<DeviceSpec> d = take(Builder::onPrevious);
                    if (d.isEmpty()) {
                        return Optional.of("no free device on the previous release");
                    }
                    String dev = d.get().deviceId();
                    Duration end = t.plusSeconds(180);
                    add(id, type, List.of(dev), Map.of(), t, end);
                    step(t, id, Action.EFFECT_ON, dev, Effect.UPDATE_FAILING.name(), 0);
                    for (int k = 0; k < 9; k++) {
                        step(t.plusSeconds(20L * k), id, Action.UPDATE_ATTEMPT_FAILED, dev, d.get().model().latest().version(), 0);
                    }
                    step(end(end), id, Action.EFFECT_OFF, dev, Effect.UPDATE_FAILING.name(), 0);
                }
                case CERTIFICATE_EXPIRY -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    expiring.put(dev, config.runStart().plus(Duration.ofDays(10)));
                    add(id, type, List.of(dev), Map.of(), t, runEnd);
                }
                case SINGLE_REBOOT -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(10));
                    step(t, id, Action.DISCONNECT, dev, null, 0);
                    step(t.plusSeconds(10), id, Action.CONNECT, dev, "reboot", 0);
                }
                case NORMAL_FIRMWARE_UPDATE -> {
                    Optional<DeviceSpec> d = take(Builder::onPrevious);
                    if (d.isEmpty()) {
                        return Optional.of("no free device on the previous release");
                    }
                    DeviceSpec dev = d.get();
                    String target = dev.model().latest().version();
                    add(id, type, List.of(dev.deviceId()), Map.of(), t, t.plusSeconds(40));
                    step(t, id, Action.UPDATE_START, dev.deviceId(), target, 0);
                    step(t, id, Action.EFFECT_ON, dev.deviceId(), Effect.UPDATE_DOWNLOADING.name(), 0);
                    step(t.plusSeconds(20), id, Action.EFFECT_OFF, dev.deviceId(), Effect.UPDATE_DOWNLOADING.name(), 0);
                    step(t.plusSeconds(20), id, Action.EFFECT_ON, dev.deviceId(), Effect.UPDATE_INSTALLING.name(), 0);
                    step(t.plusSeconds(30), id, Action.EFFECT_OFF, dev.deviceId(), Effect.UPDATE_INSTALLING.name(), 0);
                    reboot(id, dev.deviceId(), t.plusSeconds(30), target, false);
                }
                case SHORT_BLIP -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(2));
                    step(t, id, Action.DISCONNECT, dev, null, 0);
                    step(t.plusSeconds(2), id, Action.CONNECT, dev, null, 0);
                }
                case ADDRESS_MOVE -> {
                    Optional<DeviceSpec> d = take(x -> true);
                    if (d.isEmpty()) {
                        return Optional.of("no free device");
                    }
                    String dev = d.get().deviceId();
                    add(id, type, List.of(dev), Map.of(), t, t.plusSeconds(3));
                    step(t, id, Action.DISCONNECT, dev, null, 0);
                    step(t.plusSeconds(3), id, Action.CONNECT, dev, "second-address", 0);
                }
                case DAILY_PEAK -> {
                    List<String> devs = fleet.devices().stream().filter(x -> x.model().equals(DeviceModels.CAMERA))
                            .map(DeviceSpec::deviceId).toList();
                    if (devs.isEmpty()) {
                        return Optional.of("no camera in the fleet");
                    }
                    Duration end = t.plusSeconds(300);
                    add(id, type, devs, Map.of("model", DeviceModels.CAMERA.name()), t, end);
                    for (String dev : devs) {
                        step(t, id, Action.EFFECT_ON, dev, Effect.TRAFFIC_PEAK.name(), 0);
                        step(end(end), id, Action.EFFECT_OFF, dev, Effect.TRAFFIC_PEAK.name(), 0);
                    }
                }
                default -> throw new IllegalStateException("unplanned scenario " + type);
            }
            return Optional.empty();
        }

        /** Device reboots 10 s after {@code t} into {@code version} (tampered or genuine). */
        private void reboot(String id, String dev, Duration t, String version, boolean tampered) {
            step(t, id, Action.DISCONNECT, dev, null, 0);
            step(t.plusSeconds(5), id, Action.SET_FIRMWARE, dev, version, tampered ? 1 : 0);
            step(t.plusSeconds(10), id, Action.CONNECT, dev, "reboot", 0);
        }
    }
}
