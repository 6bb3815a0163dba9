package io.fleetwarden.model.payload;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON a device publishes to {@code devices/{deviceId}/events}, as described by
 * {@code schemas/device-event.v1.schema.json}: a boot ({@code bootReason}, {@code firmwareVersion}), a
 * configuration change ({@code configSource}, {@code changedKeys}: names only, never values) or the result of
 * a firmware update ({@code fromVersion}, {@code toVersion}, {@code updateResult}, {@code failureReason}).
 * The broker extension validates it and maps it to {@link io.fleetwarden.model.DeviceLifecycleEvent}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceEventPayload(
        int schema,
        long ts,
        String type,
        String bootReason,
        String firmwareVersion,
        String configSource,
        List<String> changedKeys,
        String fromVersion,
        String toVersion,
        String updateResult,
        String failureReason,
        String detail) {

    /** A boot of {@code firmwareVersion}. */
    public static DeviceEventPayload boot(long ts, String reason, String firmwareVersion) {
        return new DeviceEventPayload(1, ts, "BOOT", reason, firmwareVersion, null, null, null, null, null, null, null);
    }

    /** A configuration change of the named settings. */
    public static DeviceEventPayload configChange(long ts, String source, List<String> changedKeys) {
        return new DeviceEventPayload(1, ts, "CONFIG_CHANGE", null, null, source, changedKeys, null, null, null, null, null);
    }

    /** The result of an update from one version to another; {@code failureReason} only when it did not succeed. */
    public static DeviceEventPayload updateResult(long ts, String from, String to, String result, String failureReason) {
        return new DeviceEventPayload(1, ts, "UPDATE_RESULT", null, null, null, null, from, to, result, failureReason, null);
    }
}
