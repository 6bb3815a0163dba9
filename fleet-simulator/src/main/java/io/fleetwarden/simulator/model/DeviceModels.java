package io.fleetwarden.simulator.model;

import java.util.List;
import java.util.Optional;

/**
 * The built-in device models. Release ages are chosen so that a genuine fleet is clean against a
 * 30-day update grace period ({@link #UPDATE_GRACE_DAYS}, the stream jobs' default): the plug's and the
 * thermostat's latest release is 20 days old, so devices still on the previous release are inside the
 * grace period; the camera's latest release is 45 days old, so every genuine camera runs it, and a
 * camera on an older release is stale.
 */
public final class DeviceModels {

    /** A Wi-Fi camera: chatty, streams video upstream, listens for RTSP and a local web UI. */
    public static final DeviceModel CAMERA = new DeviceModel("cam-x200", "Lumicam", 10, 0.1,
            22, 48, 60_000, 4_000, 0.45, 19, List.of(80, 554),
            List.of("52.16.10.20", "52.16.10.21"), 443,
            List.of(new DeviceModel.Release("2.1.0", 420), new DeviceModel.Release("2.2.0", 230),
                    new DeviceModel.Release("2.3.1", 140), new DeviceModel.Release("2.4.0", 45)));

    /** A smart plug: tiny, quiet, no listening ports. */
    public static final DeviceModel PLUG = new DeviceModel("plug-p1", "Voltly", 15, 0.15,
            4, 30, 300, 200, 0.25, 20, List.of(),
            List.of("35.180.4.9"), 8883,
            List.of(new DeviceModel.Release("1.0.3", 600), new DeviceModel.Release("1.1.0", 260),
                    new DeviceModel.Release("1.2.2", 120), new DeviceModel.Release("1.3.0", 20)));

    /** A thermostat: moderate cpu, a local HTTP API, peaks in the morning. */
    public static final DeviceModel THERMOSTAT = new DeviceModel("thermo-t3", "Calora", 20, 0.1,
            9, 40, 1_200, 900, 0.3, 7, List.of(8080),
            List.of("18.130.2.44", "18.130.2.45"), 443,
            List.of(new DeviceModel.Release("3.0.0", 500), new DeviceModel.Release("3.1.4", 300),
                    new DeviceModel.Release("3.2.0", 90), new DeviceModel.Release("3.3.1", 20)));

    /** Grace period after a release within which a genuine device has updated to it. */
    public static final int UPDATE_GRACE_DAYS = 30;

    /** All models, in the order the fleet mixes them. */
    public static final List<DeviceModel> ALL = List.of(CAMERA, PLUG, THERMOSTAT);

    private DeviceModels() {
    }

    public static Optional<DeviceModel> byName(String name) {
        return ALL.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Model by name, or {@link IllegalArgumentException} naming the known models. */
    public static DeviceModel require(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException("unknown model " + name
                + "; known: " + ALL.stream().map(DeviceModel::name).toList()));
    }
}
