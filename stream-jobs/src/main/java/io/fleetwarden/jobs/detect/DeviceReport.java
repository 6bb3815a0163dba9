package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * What the per-device rules may read of one telemetry report, and nothing else: the record the
 * per-device operator receives (it crosses the device shuffle in this form). A rule that needs another
 * field of the report adds it here; the compiler then shows every place that must follow (the
 * conversion {@link #of(Telemetry)} and the network serializer). The fields of {@link Telemetry} left
 * out are listed in {@link #TELEMETRY_NOT_READ} (and the nested ones beside it), and a test fails when the
 * event-model schema gains a field that is neither read here nor listed there.
 *
 * <p>Everything in it comes from the device (or its broker connection): hostile input.
 *
 * @param tenant              tenant of the verified identity
 * @param deviceId            device id of the verified identity
 * @param model               device model: the REGISTERED model when the broker stamped one (device registry), else the
 *                            model the payload claims; may be null. Peers and cohorts use this, so a device cannot
 *                            choose the peers it is judged against
 * @param region              region: the registered region when there is one, else the claimed one; may be null
 * @param deviceTime          event time (epoch millis)
 * @param firmwareVersion     reported firmware version, may be null
 * @param firmwareImageHash   reported image SHA-256, may be null
 * @param intervalSeconds     the device's declared report interval
 * @param bytesOut            outbound bytes in the interval
 * @param listeningPorts      listening ports (never null)
 * @param destinations        remote addresses of the established connections (never null)
 * @param update              the firmware update status, or null
 * @param brokerId            broker the device is connected to, or null
 * @param sourceAddress       source address of the connection, or null
 * @param certificateNotAfter client certificate expiry (epoch millis), or {@link Long#MIN_VALUE} when unknown
 * @param quarantined         whether the broker holds the device in quarantine
 * @param cpuPercent          reported CPU use in percent (validated 0-100 by the broker)
 * @param memoryPercent       reported memory use in percent (validated 0-100 by the broker)
 * @param claimedModel        the model the payload claims when the device has a registration (evidence for
 *                            CMP-IDENT-003), else null
 * @param claimedRegion       the region the payload claims when the device has a registration, else null
 */
public record DeviceReport(String tenant, String deviceId, String model, String region, long deviceTime,
                           String firmwareVersion, String firmwareImageHash, int intervalSeconds, long bytesOut,
                           List<Integer> listeningPorts, List<String> destinations, Update update,
                           String brokerId, String sourceAddress, long certificateNotAfter, boolean quarantined,
                           double cpuPercent, double memoryPercent, String claimedModel, String claimedRegion) {

    /** Telemetry fields no per-device rule reads. */
    public static final Set<String> TELEMETRY_NOT_READ = Set.of("receivedAt", "uptimeSeconds",
            "bytesIn", "packetsIn", "packetsOut");
    /** Broker-context fields of a report no per-device rule reads. */
    public static final Set<String> BROKER_NOT_READ = Set.of("sourcePort", "tlsProtocol", "tlsCipher", "certificateFingerprint",
            "certificateSerial", "mqttVersion");
    /** Connection fields no per-device rule reads (only the remote address is). */
    public static final Set<String> CONNECTION_NOT_READ = Set.of("remotePort", "protocol");
    /** Update-status fields no per-device rule reads. */
    public static final Set<String> UPDATE_NOT_READ = Set.of("failureReason");

    /**
     * A firmware update's state as reported.
     *
     * @param state         update state, may be null
     * @param targetVersion the version being installed, may be null
     * @param attempt       attempt number
     */
    public record Update(UpdateState state, String targetVersion, int attempt) {
    }

    public DeviceReport {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(deviceId, "deviceId");
        listeningPorts = listeningPorts == null ? List.of() : listeningPorts;
        destinations = destinations == null ? List.of() : destinations;
    }

    /** The fields of {@code t} the rules read. */
    public static DeviceReport of(Telemetry t) {
        List<NetworkConnection> connections = t.getConnections();
        List<String> destinations;
        if (connections == null || connections.isEmpty()) {
            destinations = List.of();
        } else {
            destinations = new ArrayList<>(connections.size());
            for (int i = 0, n = connections.size(); i < n; i++) {
                destinations.add(connections.get(i).getRemoteAddress());
            }
        }
        UpdateStatus u = t.getUpdate();
        BrokerContext b = t.getBroker();
        // the registry's model and region win over the payload's claim; the claim is kept only to compare
        boolean registered = b != null && b.getRegisteredModel() != null;
        String model = registered ? b.getRegisteredModel() : t.getModel();
        String region = registered ? b.getRegisteredRegion() : t.getRegion();
        return new DeviceReport(t.getTenant(), t.getDeviceId(), model, region, t.getDeviceTime().toEpochMilli(),
                t.getFirmwareVersion(), t.getFirmwareImageHash(), t.getIntervalSeconds(), t.getBytesOut(),
                t.getListeningPorts(), destinations,
                u == null ? null : new Update(u.getState(), u.getTargetVersion(), u.getAttempt()),
                b == null ? null : b.getBrokerId(), b == null ? null : b.getSourceAddress(),
                b == null || b.getCertificateNotAfter() == null ? Long.MIN_VALUE : b.getCertificateNotAfter().toEpochMilli(),
                t.getQuarantined(), t.getCpuPercent(), t.getMemoryPercent(), registered ? t.getModel() : null,
                registered ? t.getRegion() : null);
    }

    /** Whether the broker stamped a registration (model and region come from the registry). */
    public boolean registered() {
        return claimedModel != null;
    }

    /** Outbound bytes per second over the declared interval (at least one second). */
    public double bytesOutPerSecond() {
        return bytesOut / (double) Math.max(1, intervalSeconds);
    }
}
