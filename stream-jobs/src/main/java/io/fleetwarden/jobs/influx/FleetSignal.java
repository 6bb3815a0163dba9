package io.fleetwarden.jobs.influx;

import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;

/** An input of the fleet-health aggregation (Flink POJO): a reachability change, an alert revision or a firmware change. */
public class FleetSignal {

    /** What the signal says. */
    public enum Kind { UP, DOWN, ALERT_OPENED, ALERT_RESOLVED, FIRMWARE,
        /** A reconnect that did not change reachability (not counted in the online gauges). */
        RECONNECT }

    public Kind kind;
    public String tenant;
    public long timestamp;
    public String model;
    public String region;
    public String brokerId;
    public String severity;
    /** For FIRMWARE: previous version (null for a new device) and new version. */
    public String fromVersion;
    public String toVersion;

    public FleetSignal() {
    }

    public static FleetSignal of(ConnectivityChange c) {
        FleetSignal s = new FleetSignal();
        s.kind = ConnectivityChange.RECONNECTED.equals(c.reason) ? Kind.RECONNECT : c.online ? Kind.UP : Kind.DOWN;
        s.tenant = c.tenant;
        s.timestamp = c.timestamp;
        s.model = c.model;
        s.region = c.region;
        s.brokerId = c.brokerId;
        return s;
    }

    /** A signal for an alert that opened (revision 1) or resolved; null for intermediate revisions. */
    public static FleetSignal of(Alert a) {
        boolean opened = a.getRevision() == 1 && a.getStatus() == AlertStatus.OPEN;
        boolean resolved = a.getStatus() == AlertStatus.RESOLVED;
        if (!opened && !resolved) {
            return null;
        }
        FleetSignal s = new FleetSignal();
        s.kind = opened ? Kind.ALERT_OPENED : Kind.ALERT_RESOLVED;
        s.tenant = a.getTenant();
        s.timestamp = a.getUpdatedAt().toEpochMilli();
        s.severity = a.getSeverity().name();
        return s;
    }

    public static FleetSignal firmware(String tenant, String model, String from, String to, long ts) {
        FleetSignal s = new FleetSignal();
        s.kind = Kind.FIRMWARE;
        s.tenant = tenant;
        s.model = model;
        s.fromVersion = from;
        s.toVersion = to;
        s.timestamp = ts;
        return s;
    }
}
