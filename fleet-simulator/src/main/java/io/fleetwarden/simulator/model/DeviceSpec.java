package io.fleetwarden.simulator.model;

import io.fleetwarden.model.DeviceKeys;

/**
 * What a device is and how it differs from its model's average; fixed for a run.
 *
 * @param index           position in the fleet (0-based), also the noise coordinate
 * @param tenant          tenant the device belongs to (in its certificate)
 * @param deviceId        device id = certificate CN = MQTT client id
 * @param model           device model
 * @param region          region the device is deployed in
 * @param firmwareVersion firmware the device runs at the start of the run
 * @param cpuFactor       the device's own cpu level relative to the model mean
 * @param trafficFactor   the device's own traffic level relative to the model mean (households differ)
 * @param phaseMillis     offset of the device's report schedule, so devices do not report in lockstep
 */
public record DeviceSpec(
        int index,
        String tenant,
        String deviceId,
        DeviceModel model,
        Region region,
        String firmwareVersion,
        double cpuFactor,
        double trafficFactor,
        long phaseMillis) {

    public DeviceSpec {
        DeviceKeys.requireValidId("tenant", tenant);
        DeviceKeys.requireValidId("device id", deviceId);
    }

    /** The device key {@code tenant/deviceId}. */
    public String key() {
        return DeviceKeys.of(tenant, deviceId);
    }

    /** Copy running another firmware version from the start of the run. */
    public DeviceSpec withFirmware(String version) {
        return new DeviceSpec(index, tenant, deviceId, model, region, version, cpuFactor, trafficFactor, phaseMillis);
    }
}
