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
        // keep(): equal strings already in the (long-lived) state are kept, see StateStrings.
        s.tenant = keep(s.tenant, in.tenant);
        s.deviceId = keep(s.deviceId, in.deviceId);
        s.model = in.model != null ? keep(s.model, in.model) : s.model;
        s.region = in.region != null ? keep(s.region, in.region) : s.region;
        s.firmwareVersion = in.firmwareVersion != null ? keep(s.firmwareVersion, in.firmwareVersion) : s.firmwareVersion;
        s.brokerId = in.brokerId != null ? keep(s.brokerId, in.brokerId) : s.brokerId;
        s.sourceAddress = in.sourceAddress != null ? keep(s.sourceAddress, in.sourceAddress) : s.sourceAddress;
        if (in.connected != null) {
            s.connected = in.connected;
        }
        if (in.certificateNotAfter != Long.MIN_VALUE) {
            s.certificateNotAfter = in.certificateNotAfter;
        }
        if (in.telemetry || in.connected != null) {
            s.lastSeen = Math.max(s.lastSeen, in.timestamp);
        }
        return maybePublish(s, in.timestamp);
    }

    public Optional<DeviceStatus> onAlert(DeviceStatusState s, Alert a) {
        s.tenant = keep(s.tenant, a.getTenant());
        s.deviceId = keep(s.deviceId, a.getDeviceId());
        if (a.getStatus() == AlertStatus.OPEN) {
            s.openAlerts.put(a.getRuleId(), a.getSeverity());
        } else {
            s.openAlerts.remove(a.getRuleId());
        }
        return maybePublish(s, a.getUpdatedAt().toEpochMilli());
    }

    private Optional<DeviceStatus> maybePublish(DeviceStatusState s, long now) {
        int fp = Objects.hash(s.model, s.region, s.firmwareVersion, s.brokerId, s.sourceAddress, s.connected,
                s.certificateNotAfter, openAlertsFingerprint(s));
        if (fp == s.publishedFingerprint && s.publishedAt != Long.MIN_VALUE && now - s.publishedAt < heartbeatMs) {
            return Optional.empty();
        }
        s.publishedFingerprint = fp;
        s.publishedAt = now;
        return Optional.of(status(s, now));
    }

    /**
     * Order-independent fingerprint of the open alerts (rule and severity), without copying or sorting them:
     * this runs for every status signal. Stable across restarts (string hashes and enum ordinals only).
     */
    private static int openAlertsFingerprint(DeviceStatusState s) {
        int h = s.openAlerts.size();
        for (var e : s.openAlerts.entrySet()) {
            h += e.getKey().hashCode() * 31 + (e.getValue() == null ? -1 : e.getValue().ordinal());
        }
        return h;
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
