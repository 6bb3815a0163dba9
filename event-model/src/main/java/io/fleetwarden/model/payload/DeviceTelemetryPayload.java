package io.fleetwarden.model.payload;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON a device publishes to {@code devices/{deviceId}/telemetry}, as described by
 * {@code schemas/device-telemetry.v1.schema.json}. Devices (and the fleet simulator) write it;
 * the broker extension validates and maps it to {@link io.fleetwarden.model.Telemetry}.
 * Components the schema requires are marked {@code required}, so a strict reader refuses a payload
 * without them instead of binding a default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceTelemetryPayload(
        @JsonProperty(required = true) int schema,
        @JsonProperty(required = true) long ts,
        @JsonProperty(required = true) String model,
        String region,
        @JsonProperty(required = true) Firmware firmware,
        @JsonProperty(required = true) long uptimeSeconds,
        @JsonProperty(required = true) double cpuPercent,
        @JsonProperty(required = true) double memoryPercent,
        @JsonProperty(required = true) Network network,
        Update update) {

    /** Current payload schema version. */
    public static final int SCHEMA_VERSION = 1;

    /** Firmware the device runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Firmware(@JsonProperty(required = true) String version, String imageSha256) {
    }

    /** Traffic counters over the report interval and the network state at report time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Network(@JsonProperty(required = true) int intervalSeconds,
                          @JsonProperty(required = true) long bytesIn,
                          @JsonProperty(required = true) long bytesOut,
                          @JsonProperty(required = true) long packetsIn,
                          @JsonProperty(required = true) long packetsOut,
                          List<Integer> listeningPorts, List<Connection> connections) {
    }

    /** One established connection. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Connection(@JsonProperty(required = true) String remoteAddress,
                             @JsonProperty(required = true) int remotePort, String protocol) {
    }

    /** Firmware update progress. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Update(@JsonProperty(required = true) String state, String targetVersion, Integer attempt,
                         String failureReason) {
    }
}
