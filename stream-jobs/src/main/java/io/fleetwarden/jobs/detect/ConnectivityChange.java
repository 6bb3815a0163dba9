package io.fleetwarden.jobs.detect;

/**
 * A device became unreachable or reachable again. Fanned out to the cohort stage once per cohort
 * dimension (model, region, broker). A Flink POJO.
 */
public class ConnectivityChange {

    /**
     * Reason of a device's first reachable change: a device joining (a fleet connecting for the first
     * time, a fresh job) is not a RE-connect, so it never counts towards a reconnect storm.
     */
    public static final String FIRST_SEEN = "first-seen";
    /**
     * Reason of a CONNECT after a disconnect that never made the device unreachable (it came back
     * before its offline deadline, e.g. a one-minute outage): reachability does not change, but it is
     * a reconnect, and a storm of them is exactly what RES-STORM-001 measures.
     */
    public static final String RECONNECTED = "reconnected";

    public String tenant;
    public String deviceId;
    public String model;
    public String region;
    public String brokerId;
    public boolean online;
    /** Event time of the change (epoch millis). */
    public long timestamp;
    /** Why: first-seen, connected, connection-lost, telemetry-resumed, offline-timeout, ... */
    public String reason;
    /** Set by the fan-out: which cohort this copy is for, e.g. {@code acme|model=cam-1}. */
    public String cohortKey;
    public String cohortDimension;
    public String cohortValue;

    public ConnectivityChange() {
    }

    public ConnectivityChange(String tenant, String deviceId, String model, String region, String brokerId,
                              boolean online, long timestamp, String reason) {
        this.tenant = tenant;
        this.deviceId = deviceId;
        this.model = model;
        this.region = region;
        this.brokerId = brokerId;
        this.online = online;
        this.timestamp = timestamp;
        this.reason = reason;
    }

    /** A copy addressed to one cohort; null when the device has no value for that dimension. */
    public ConnectivityChange forCohort(String dimension) {
        String value = switch (dimension) {
            case "model" -> model;
            case "region" -> region;
            case "broker" -> brokerId;
            default -> throw new IllegalArgumentException(dimension);
        };
        if (value == null) {
            return null;
        }
        ConnectivityChange c = new ConnectivityChange(tenant, deviceId, model, region, brokerId, online, timestamp, reason);
        c.cohortDimension = dimension;
        c.cohortValue = value;
        c.cohortKey = tenant + "|" + dimension + "=" + value;
        return c;
    }

    @Override
    public String toString() {
        return (online ? "UP " : "DOWN ") + tenant + "/" + deviceId + " @" + timestamp + " " + reason
                + (cohortKey == null ? "" : " -> " + cohortKey);
    }
}
