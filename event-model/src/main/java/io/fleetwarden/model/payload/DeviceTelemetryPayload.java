package io.fleetwarden.model.payload;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON a device publishes to {@code devices/{tenant}/{deviceId}/telemetry}, as described by
 * {@code schemas/device-telemetry.v1.schema.json}. Devices (and the fleet simulator) write it;
 * the broker extension validates and maps it to {@link io.fleetwarden.model.Telemetry}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceTelemetryPayload(
        int schema,
        long ts,
        String model,
        String region,
        Firmware firmware,
        long uptimeSeconds,
        double cpuPercent,
        double memoryPercent,
        Network network,
        Update update) {

    /** Current payload schema version. */
    public static final int SCHEMA_VERSION = 1;

    /** Firmware the device runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Firmware(String version, String imageSha256) {
    }

    /** Traffic counters over the report interval and the network state at report time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Network(int intervalSeconds, long bytesIn, long bytesOut, long packetsIn, long packetsOut,
                          List<Integer> listeningPorts, List<Connection> connections) {
    }

    /** One established connection. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Connection(String remoteAddress, int remotePort, String protocol) {
    }

    /** Firmware update progress. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Update(String state, String targetVersion, Integer attempt, String failureReason) {
    }
}
