package io.fleetwarden.simulator.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.model.payload.DeviceTelemetryPayload;

/**
 * Computes what a device reports. A pure function of the fleet seed, the device, its condition, the
 * report time and the report number: no wall clock and no shared random stream, so tests and runs are
 * reproducible.
 *
 * <p>Readings vary three ways, so baselines are not flat: per device ({@link DeviceSpec#cpuFactor()},
 * {@link DeviceSpec#trafficFactor()}), over the day (a cosine peaking at the model's local peak hour
 * with {@link DeviceModel#diurnalAmplitude()}), and per report (uniform noise).
 */
public final class TelemetryGenerator {

    private static final long C_INTERVAL = 10, C_CPU = 11, C_MEM = 12, C_OUT = 13, C_IN = 14, C_SCAN = 15;
    /** Addresses of the simulated botnet's command-and-control server and scan targets (documentation ranges). */
    public static final String C2_ADDRESS = "203.0.113.66";
    public static final int C2_PORT = 6667;
    public static final List<Integer> BOTNET_PORTS = List.of(23, 2323);
    private static final int BOTNET_SCAN_TARGETS = 40;
    /** The port a backdoor listens on (no model has it). */
    public static final int BACKDOOR_PORT = 4444;

    private final long seed;

    public TelemetryGenerator(long seed) {
        this.seed = seed;
    }

    /**
     * Delay before report {@code seq + 1}, jittered around the model interval.
     */
    public long intervalMillis(DeviceSpec device, long seq) {
        DeviceModel m = device.model();
        double u = Noise.unit(seed, device.index(), seq, C_INTERVAL);
        return Math.round(m.intervalSeconds() * 1000.0 * (1 + m.jitterFraction() * (2 * u - 1)));
    }

    /**
     * Daily traffic factor at {@code at} for the device's region: {@code 1 ± amplitude}, highest at the
     * model's local peak hour.
     */
    public static double diurnalFactor(DeviceSpec device, Instant at) {
        double utcHours = at.atOffset(ZoneOffset.UTC).toLocalTime().toSecondOfDay() / 3600.0;
        double local = utcHours + device.region().utcOffsetHours();
        double phase = 2 * Math.PI * (local - device.model().peakHourUtc()) / 24.0;
        return 1 + device.model().diurnalAmplitude() * Math.cos(phase);
    }

    /** CPU points a botnet's processes add to an infected device in the live run. */
    public static final double BOTNET_CPU = 35;

    /** Per-report noise of CPU (a factor) and how much of the daily curve CPU follows. */
    private static final double CPU_NOISE_MIN = 0.8, CPU_NOISE_MAX = 1.2, CPU_DIURNAL = 0.3;

    /**
     * Width in percentage points of the band a genuine device of {@code m} reports its CPU in: from the least busy
     * device ({@link Fleet#CPU_FACTOR_MIN}) at its lowest noise in the daily trough to the busiest at its highest noise
     * at the daily peak. Extra load larger than this is outside anything the model does when nothing is wrong.
     */
    public static double cpuBandWidth(DeviceModel m) {
        double low = m.cpuMean() * Fleet.CPU_FACTOR_MIN * CPU_NOISE_MIN * (1 - CPU_DIURNAL * m.diurnalAmplitude());
        double high = m.cpuMean() * Fleet.CPU_FACTOR_MAX * CPU_NOISE_MAX * (1 + CPU_DIURNAL * m.diurnalAmplitude());
        return Math.min(100, high) - low;
    }

    /** The payload of report {@code seq} taken at {@code at}. */
    public DeviceTelemetryPayload payload(DeviceSpec device, DeviceCondition condition, Instant at, long seq) {
        DeviceModel m = device.model();
        int i = device.index();
        double day = diurnalFactor(device, at);
        boolean botnet = condition.effects().contains(Effect.BOTNET);

        double cpu = m.cpuMean() * device.cpuFactor() * (CPU_NOISE_MIN + (CPU_NOISE_MAX - CPU_NOISE_MIN) * Noise.unit(seed, i, seq, C_CPU))
                * (1 + CPU_DIURNAL * (day - 1));
        if (botnet) {
            cpu += BOTNET_CPU;
        }
        double memory = m.memoryMean() * (0.9 + 0.2 * Noise.unit(seed, i, seq, C_MEM));
        if (botnet) {
            memory += 15;
        }
        if (condition.effects().contains(Effect.RESOURCE_ABUSE)) {
            // a miner pins the CPU: near 100 % whatever the model's normal
            cpu = 96 + 4 * Noise.unit(seed, i, seq, C_CPU);
            memory += 30;
        }
        double trafficBoost = botnet ? 30 : condition.effects().contains(Effect.TRAFFIC_PEAK) ? 2.5 : 1;
        long bytesOut = Math.round(m.bytesOutPerSecond() * m.intervalSeconds() * device.trafficFactor() * day
                * (0.85 + 0.3 * Noise.unit(seed, i, seq, C_OUT)) * trafficBoost);
        long bytesIn = Math.round(m.bytesInPerSecond() * m.intervalSeconds() * device.trafficFactor() * day
                * (0.85 + 0.3 * Noise.unit(seed, i, seq, C_IN)) * (botnet ? 3 : 1));

        List<Integer> ports = new ArrayList<>(m.listeningPorts());
        List<DeviceTelemetryPayload.Connection> connections = new ArrayList<>();
        for (String endpoint : m.cloudEndpoints()) {
            connections.add(new DeviceTelemetryPayload.Connection(endpoint, m.cloudPort(), "tcp"));
        }
        if (condition.effects().contains(Effect.BACKDOOR_SERVICE)) {
            ports.add(BACKDOOR_PORT);
        }
        if (botnet) {
            ports.addAll(BOTNET_PORTS);
            connections.add(new DeviceTelemetryPayload.Connection(C2_ADDRESS, C2_PORT, "tcp"));
            for (int t = 0; t < BOTNET_SCAN_TARGETS; t++) {
                long r = Noise.mix(seed, i, seq, C_SCAN + t);
                String target = (r & 1) == 0
                        ? "198.51.100." + (1 + Math.floorMod(r >> 1, 254))
                        : "100." + (64 + Math.floorMod(r >> 9, 64)) + "." + Math.floorMod(r >> 17, 256) + "." + (1 + Math.floorMod(r >> 25, 254));
                connections.add(new DeviceTelemetryPayload.Connection(target, 23, "tcp"));
            }
        }

        DeviceTelemetryPayload.Update update = null;
        if (condition.effects().contains(Effect.UPDATE_FAILING)) {
            update = new DeviceTelemetryPayload.Update("FAILED", condition.updateTarget(), condition.updateAttempts(),
                    "signature verification failed");
        } else if (condition.effects().contains(Effect.UPDATE_INSTALLING)) {
            update = new DeviceTelemetryPayload.Update("INSTALLING", condition.updateTarget(), 1, null);
        } else if (condition.effects().contains(Effect.UPDATE_DOWNLOADING)) {
            update = new DeviceTelemetryPayload.Update("DOWNLOADING", condition.updateTarget(), 1, null);
        }

        long uptime = Math.max(0, (at.toEpochMilli() - condition.bootedAt().toEpochMilli()) / 1000);
        String model = m.name();
        DeviceTelemetryPayload.Firmware firmware = new DeviceTelemetryPayload.Firmware(condition.firmwareVersion(), condition.imageSha256());
        if (condition.effects().contains(Effect.OTHER_MODEL)) {
            // the claimed model with its latest genuine image, so the firmware is consistent with the claim; the
            // readings stay the device's own
            DeviceModel other = otherModel(m);
            model = other.name();
            firmware = new DeviceTelemetryPayload.Firmware(other.latest().version(),
                    FirmwareImages.genuineHash(other.name(), other.latest().version()));
        }
        return new DeviceTelemetryPayload(DeviceTelemetryPayload.SCHEMA_VERSION, at.toEpochMilli(), model,
                device.region().name(), firmware,
                uptime, clampPercent(cpu), clampPercent(memory),
                new DeviceTelemetryPayload.Network(m.intervalSeconds(), bytesIn, bytesOut,
                        bytesIn / 300 + 1, bytesOut / 900 + 1, ports, connections),
                update);
    }

    /** The model a device with {@link Effect#OTHER_MODEL} claims to be: the next one in {@link DeviceModels#ALL}. */
    public static DeviceModel otherModel(DeviceModel own) {
        int k = DeviceModels.ALL.indexOf(own);
        return DeviceModels.ALL.get((k + 1) % DeviceModels.ALL.size());
    }

    private static double clampPercent(double v) {
        double clamped = Math.max(0, Math.min(100, v));
        return Math.round(clamped * 10) / 10.0;
    }
}
