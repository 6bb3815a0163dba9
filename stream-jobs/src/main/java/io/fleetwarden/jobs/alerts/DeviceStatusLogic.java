package io.fleetwarden.jobs.alerts;

import static io.fleetwarden.jobs.detect.StateStrings.keep;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.DeviceStatus;

/**
 * Derives a device's {@link DeviceStatus}: connection, firmware, last seen, and the posture from its
 * open alerts (risk score and the Code of Practice guidelines it currently fails). A status is
 * published when anything but {@code lastSeen} changed, and otherwise at most once per
 * {@code heartbeatMs} of event time so the compacted topic is not flooded by every report.
 */
public final class DeviceStatusLogic {

    private final long heartbeatMs;

    public DeviceStatusLogic(long heartbeatMs) {
        this.heartbeatMs = heartbeatMs;
    }

    public Optional<DeviceStatus> onSignal(DeviceStatusState s, StatusSignal in) {
        // Every fact is compared by equality with what the state holds (device-reported values: no hash that a
        // device could make collide); a difference marks the state changed since the last published status.
        boolean changed = !Objects.equals(s.tenant, in.tenant) || !Objects.equals(s.deviceId, in.deviceId);
        // keep(): equal strings already in the (long-lived) state are kept, see StateStrings.
        s.tenant = keep(s.tenant, in.tenant);
        s.deviceId = keep(s.deviceId, in.deviceId);
        if (in.model != null) {
            changed |= !in.model.equals(s.model);
            s.model = keep(s.model, in.model);
        }
        if (in.region != null) {
            changed |= !in.region.equals(s.region);
            s.region = keep(s.region, in.region);
        }
        if (in.firmwareVersion != null) {
            changed |= !in.firmwareVersion.equals(s.firmwareVersion);
            s.firmwareVersion = keep(s.firmwareVersion, in.firmwareVersion);
        }
        if (in.brokerId != null) {
            changed |= !in.brokerId.equals(s.brokerId);
            s.brokerId = keep(s.brokerId, in.brokerId);
        }
        if (in.sourceAddress != null) {
            changed |= !in.sourceAddress.equals(s.sourceAddress);
            s.sourceAddress = keep(s.sourceAddress, in.sourceAddress);
        }
        if (in.connected != null) {
            changed |= s.connected != in.connected;
            s.connected = in.connected;
        }
        if (in.certificateNotAfter != Long.MIN_VALUE) {
            changed |= s.certificateNotAfter != in.certificateNotAfter;
            s.certificateNotAfter = in.certificateNotAfter;
        }
        if (in.telemetry || in.connected != null) {
            s.lastSeen = Math.max(s.lastSeen, in.timestamp);
        }
        s.changed |= changed;
        return maybePublish(s, in.timestamp);
    }

    public Optional<DeviceStatus> onAlert(DeviceStatusState s, Alert a) {
        boolean changed = !Objects.equals(s.tenant, a.getTenant()) || !Objects.equals(s.deviceId, a.getDeviceId());
        s.tenant = keep(s.tenant, a.getTenant());
        s.deviceId = keep(s.deviceId, a.getDeviceId());
        if (a.getStatus() == AlertStatus.OPEN) {
            changed |= s.openAlerts.put(a.getRuleId(), a.getSeverity()) != a.getSeverity();
        } else {
            changed |= s.openAlerts.remove(a.getRuleId()) != null;
        }
        s.changed |= changed;
        return maybePublish(s, a.getUpdatedAt().toEpochMilli());
    }

    /** Publishes when a fact changed since the last published status, or the heartbeat is due. */
    private Optional<DeviceStatus> maybePublish(DeviceStatusState s, long now) {
        if (!s.changed && s.publishedAt != Long.MIN_VALUE && now - s.publishedAt < heartbeatMs) {
            return Optional.empty();
        }
        s.changed = false;
        s.publishedAt = now;
        return Optional.of(status(s, now));
    }

    /**
     * The status record. Built with the all-arguments constructor, not the Avro builder: a status is
     * published for most devices every minute and the builder's per-field validation and default copies
     * showed up in the benchmark profile. Tenant, device id and update time are never null here.
     */
    static DeviceStatus status(DeviceStatusState s, long now) {
        TreeSet<Integer> failing = new TreeSet<>();
        for (String rule : s.openAlerts.keySet()) {
            RuleCatalogue.byId(rule).ifPresent(r -> failing.addAll(r.guidelines()));
        }
        return new DeviceStatus(Objects.requireNonNull(s.tenant, "tenant"), Objects.requireNonNull(s.deviceId, "deviceId"),
                s.model, s.region, s.firmwareVersion, s.brokerId, s.sourceAddress, s.connected,
                s.lastSeen == Long.MIN_VALUE ? null : Instant.ofEpochMilli(s.lastSeen),
                s.certificateNotAfter == Long.MIN_VALUE ? null : Instant.ofEpochMilli(s.certificateNotAfter),
                RiskScore.of(s.openAlerts.values()),
                s.openAlerts.isEmpty() ? new ArrayList<>(0) : new ArrayList<>(new TreeSet<>(s.openAlerts.keySet())),
                new ArrayList<>(failing),
                Instant.ofEpochMilli(Math.max(now, s.lastSeen)));
    }

    static List<String> sorted(java.util.Collection<String> c) {
        return new ArrayList<>(new TreeSet<>(c));
    }
}
