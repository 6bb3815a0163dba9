package io.fleetwarden.simulator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fleetwarden.model.DeviceKeys;

/**
 * The devices of one run, derived only from the seed, the size and the tenant: the same inputs
 * always give the same fleet (ids, models, regions, firmware, per-device factors).
 *
 * <p>Mix: 40% cameras, 35% plugs, 25% thermostats; regions by {@link Region#share()}. A model whose
 * latest release is past the update grace period runs it everywhere; otherwise 75% of devices run the
 * latest firmware and the rest the previous release.
 */
public final class Fleet {

    private static final long C_MODEL = 1, C_REGION = 2, C_FIRMWARE = 3, C_CPU = 4, C_TRAFFIC = 5, C_PHASE = 6;

    private final long seed;
    private final List<DeviceSpec> devices;
    private final Map<String, DeviceSpec> byId;

    private Fleet(long seed, List<DeviceSpec> devices) {
        this.seed = seed;
        this.devices = List.copyOf(devices);
        this.byId = this.devices.stream().collect(Collectors.toMap(DeviceSpec::deviceId, Function.identity()));
    }

    /**
     * Builds a fleet.
     *
     * @param seed   run seed
     * @param size   number of devices, at least 1
     * @param tenant tenant of every device
     */
    /** Range of a device's own CPU level relative to its model's mean ({@link DeviceSpec#cpuFactor()}). */
    public static final double CPU_FACTOR_MIN = 0.7, CPU_FACTOR_MAX = 1.3;

    public static Fleet build(long seed, int size, String tenant) {
        if (size < 1) {
            throw new IllegalArgumentException("fleet size must be at least 1, was " + size);
        }
        DeviceKeys.requireValidId("tenant", tenant);
        List<DeviceSpec> devices = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            DeviceModel model = pickModel(Noise.unit(seed, i, 0, C_MODEL));
            Region region = pickRegion(Noise.unit(seed, i, 0, C_REGION));
            boolean graceOver = model.latest().ageDays() > DeviceModels.UPDATE_GRACE_DAYS;
            String firmware = graceOver || Noise.unit(seed, i, 0, C_FIRMWARE) < 0.75
                    ? model.latest().version() : model.previous().version();
            double cpuFactor = CPU_FACTOR_MIN + (CPU_FACTOR_MAX - CPU_FACTOR_MIN) * Noise.unit(seed, i, 0, C_CPU);
            double trafficFactor = 0.5 + 1.0 * Noise.unit(seed, i, 0, C_TRAFFIC);
            long phase = (long) (Noise.unit(seed, i, 0, C_PHASE) * model.intervalSeconds() * 1000L);
            String id = prefix(model) + "-" + String.format("%05d", i + 1);
            devices.add(new DeviceSpec(i, tenant, id, model, region, firmware, cpuFactor, trafficFactor, phase));
        }
        return new Fleet(seed, devices);
    }

    /** A fleet with some devices replaced (used by scenario set-up, e.g. stale firmware). */
    public Fleet withReplaced(Map<String, DeviceSpec> replacements) {
        List<DeviceSpec> copy = new ArrayList<>(devices.size());
        for (DeviceSpec d : devices) {
            copy.add(replacements.getOrDefault(d.deviceId(), d));
        }
        return new Fleet(seed, copy);
    }

    public long seed() {
        return seed;
    }

    public List<DeviceSpec> devices() {
        return devices;
    }

    public int size() {
        return devices.size();
    }

    public Optional<DeviceSpec> device(String deviceId) {
        return Optional.ofNullable(byId.get(deviceId));
    }

    private static DeviceModel pickModel(double u) {
        if (u < 0.40) {
            return DeviceModels.CAMERA;
        }
        return u < 0.75 ? DeviceModels.PLUG : DeviceModels.THERMOSTAT;
    }

    private static Region pickRegion(double u) {
        double acc = 0;
        for (Region r : Region.ALL) {
            acc += r.share();
            if (u < acc) {
                return r;
            }
        }
        return Region.ALL.get(Region.ALL.size() - 1);
    }

    private static String prefix(DeviceModel model) {
        int dash = model.name().indexOf('-');
        return dash < 0 ? model.name() : model.name().substring(0, dash);
    }
}
