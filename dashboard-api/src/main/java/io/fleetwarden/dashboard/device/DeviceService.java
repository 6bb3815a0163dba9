package io.fleetwarden.dashboard.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.alert.AlertView;
import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.fleet.HealthSeries;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.posture.PostureService;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/**
 * Device queries and responses. Quarantine, release and revoke publish the device's full control
 * state to the compacted {@code fleet.device-controls} topic, which every broker applies.
 */
public final class DeviceService {

    /** A page of devices. */
    public record Page(List<DeviceView> items, int total, int offset, int limit) {
    }

    private final DeviceStore store;
    private final AlertStore alerts;
    private final PostureService posture;
    private final HealthSeries health;
    private final RecordPublisher publisher;
    private final Clock clock;
    private final AuditLog audit;

    public DeviceService(DeviceStore store, AlertStore alerts, PostureService posture, HealthSeries health,
                         RecordPublisher publisher, Clock clock, AuditLog audit) {
        this.audit = audit;
        this.store = store;
        this.alerts = alerts;
        this.posture = posture;
        this.health = health;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Lists devices of {@code tenants} (empty = all) whose id, model or firmware contains {@code q}. */
    public Page list(Set<String> tenants, String q, String model, Boolean connected, int offset, int limit) {
        String needle = q == null || q.isBlank() ? null : q.toLowerCase(Locale.ROOT);
        List<DeviceView> out = new ArrayList<>();
        for (String key : store.keys()) {
            String[] tk = DeviceKeys.parse(key);
            if (!tenants.isEmpty() && !tenants.contains(tk[0])) {
                continue;
            }
            DeviceStatus s = store.status(key).orElse(null);
            if (model != null && (s == null || !model.equals(s.getModel()))) {
                continue;
            }
            if (connected != null && (s == null ? false : s.getConnected()) != connected) {
                continue;
            }
            if (needle != null && !(tk[1].toLowerCase(Locale.ROOT).contains(needle)
                    || s != null && s.getModel() != null && s.getModel().toLowerCase(Locale.ROOT).contains(needle)
                    || s != null && s.getFirmwareVersion() != null && s.getFirmwareVersion().contains(needle))) {
                continue;
            }
            out.add(view(tk[0], tk[1], s, false, null));
        }
        int from = Math.min(offset, out.size());
        int to = Math.min(from + limit, out.size());
        return new Page(List.copyOf(out.subList(from, to)), out.size(), offset, limit);
    }

    /** One device with open alerts, posture, control state and recent health series. */
    public DeviceView get(Principal p, String tenant, String deviceId, Duration healthWindow) {
        String key = visibleKey(p, tenant, deviceId);
        DeviceStatus s = store.status(key).orElse(null);
        Map<String, Object> series = new LinkedHashMap<>();
        Instant now = clock.instant();
        try {
            series.put("from", now.minus(healthWindow));
            series.put("to", now);
            series.put("series", health.deviceHealth(tenant, deviceId, now.minus(healthWindow), now,
                    step(healthWindow)));
        } catch (RuntimeException e) {
            series.put("error", "health series unavailable");
        }
        return view(tenant, deviceId, s, true, series);
    }

    static Duration step(Duration window) {
        long seconds = Math.max(60, window.toSeconds() / 120);
        return Duration.ofSeconds(seconds);
    }

    /**
     * The device key of any valid identity in the principal's tenants, seen or not: operators must be
     * able to quarantine or revoke a pre-provisioned device or a leaked key before its first connect
     * (the brokers apply the control at that connect). 400 for an invalid id, 404 for another tenant.
     */
    public String actionKey(Principal p, String tenant, String deviceId) {
        if (!DeviceKeys.isValidId(tenant) || !DeviceKeys.isValidId(deviceId)) {
            throw ApiException.badRequest("tenant and device id must be 1-64 characters of [A-Za-z0-9._-]");
        }
        p.requireTenant(tenant, "device " + tenant + "/" + deviceId);
        return DeviceKeys.of(tenant, deviceId);
    }

    /** The device key if the device exists and the principal may see its tenant; else 404. */
    public String visibleKey(Principal p, String tenant, String deviceId) {
        String key = actionKey(p, tenant, deviceId);
        if (store.status(key).isEmpty() && store.control(key).isEmpty()) {
            throw ApiException.notFound("device " + key + " not found");
        }
        return key;
    }

    private DeviceView view(String tenant, String deviceId, DeviceStatus s, boolean detail, Map<String, Object> series) {
        String key = DeviceKeys.of(tenant, deviceId);
        DeviceControl c = store.control(key).orElse(null);
        DeviceView.Control control = c == null ? new DeviceView.Control(false, false, null, null, null, null)
                : new DeviceView.Control(c.getQuarantined(), c.getRevoked(), c.getAction().name(), c.getReason(),
                        c.getIssuedBy(), c.getIssuedAt());
        List<AlertView> open = null;
        List<PostureService.GuidelineStanding> standing = null;
        if (detail) {
            open = new ArrayList<>();
            for (Alert a : alerts.alertsOfDevice(tenant, deviceId)) {
                AlertView v = AlertService.toView(a, alerts.triage(a.getAlertId()).orElse(null));
                if (!"RESOLVED".equals(v.status())) {
                    open.add(v);
                }
            }
            standing = posture.deviceStanding(tenant, deviceId);
        }
        return new DeviceView(tenant, deviceId, s == null ? null : s.getModel(), s == null ? null : s.getRegion(),
                s == null ? null : s.getFirmwareVersion(), s == null ? null : s.getBrokerId(),
                s == null ? null : s.getSourceAddress(), s != null && s.getConnected(),
                s == null ? null : s.getLastSeen(),
                s == null ? null : s.getCertificateNotAfter(),
                s == null ? 0 : s.getRiskScore(), s == null ? List.of() : s.getOpenAlertRuleIds(),
                s == null ? List.of() : s.getFailingGuidelines(), control, open, standing, series);
    }

    public DeviceView.Control quarantine(Principal p, String tenant, String deviceId, String reason) {
        String key = actionKey(p, tenant, deviceId);
        return publish(key, ControlAction.QUARANTINE, true, null, reason, p.name(), "quarantine");
    }

    public DeviceView.Control release(Principal p, String tenant, String deviceId, String reason) {
        String key = visibleKey(p, tenant, deviceId);
        DeviceControl c = store.control(key).orElse(null);
        if (c != null && c.getRevoked()) {
            throw ApiException.conflict("device is revoked; a revoked device cannot be released");
        }
        return publish(key, ControlAction.RELEASE, false, null, reason, p.name(), "release");
    }

    public DeviceView.Control revoke(Principal p, String tenant, String deviceId, List<String> serials, String reason) {
        String key = actionKey(p, tenant, deviceId);
        return publish(key, ControlAction.REVOKE, null, serials, reason, p.name(), "revoke");
    }

    /**
     * The only way to lift a revocation (whole device or listed serials): an explicit admin action
     * with its own audit entry. The quarantine flag is kept. 409 when the device is not revoked.
     */
    public synchronized DeviceView.Control unrevoke(Principal p, String tenant, String deviceId, String reason) {
        String key = visibleKey(p, tenant, deviceId);
        DeviceControl c = store.control(key).orElse(null);
        if (c == null || !c.getRevoked()) {
            throw ApiException.conflict("device is not revoked");
        }
        return publish(key, ControlAction.RELEASE, null, null, "un-revoke: " + reason, p.name(), "unrevoke");
    }

    /**
     * Quarantine issued by the automatic policy. Not issued when the device is already
     * quarantined or an operator acted on it after the alert opened (a release after the alert
     * is a human decision the policy must not override).
     */
    public boolean autoQuarantine(Alert a, String policyName) {
        String key = DeviceKeys.of(a.getTenant(), a.getDeviceId());
        DeviceControl c = store.control(key).orElse(null);
        if (c != null && (c.getQuarantined() || !c.getIssuedAt().isBefore(a.getOpenedAt()))) {
            return false;
        }
        publish(key, ControlAction.QUARANTINE, true, null,
                "automatic: rule " + a.getRuleId() + " alert " + a.getAlertId(), policyName, "quarantine");
        return true;
    }

    /**
     * Builds and publishes the full state; {@code quarantined == null} keeps the current value.
     *
     * <p>Revocation never narrows: once every certificate of the device is revoked (revoked with an
     * empty serial list), a later revoke naming serials keeps "every certificate"; serials only add
     * up. Only {@link #unrevoke} (audit action {@code unrevoke}) lifts a revocation.
     */
    synchronized DeviceView.Control publish(String key, ControlAction action, Boolean quarantined, List<String> serials,
                                            String reason, String issuedBy, String auditAction) {
        String[] tk = DeviceKeys.parse(key);
        DeviceControl current = store.control(key).orElse(null);
        boolean lift = "unrevoke".equals(auditAction);
        boolean wasRevoked = current != null && current.getRevoked();
        boolean wasAll = wasRevoked && current.getRevokedCertificateSerials().isEmpty();
        boolean revoked = !lift && (action == ControlAction.REVOKE || wasRevoked);
        List<String> revokedSerials = new ArrayList<>(current == null || lift ? List.of()
                : current.getRevokedCertificateSerials());
        if (serials != null) {
            for (String s : serials) {
                if (!s.matches("[0-9a-f]{1,64}")) {
                    throw ApiException.badRequest("certificate serials must be lowercase hex");
                }
                if (!revokedSerials.contains(s)) {
                    revokedSerials.add(s);
                }
            }
        }
        if (action == ControlAction.REVOKE && (serials == null || serials.isEmpty()) || wasAll && !lift) {
            // empty list with revoked=true means every certificate of the device; never narrowed
            revokedSerials.clear();
        }
        Instant now = clock.instant();
        if (current != null && !now.isAfter(current.getIssuedAt())) {
            // keeps issuedAt strictly increasing so that readers keep the newest state
            now = current.getIssuedAt().plusMillis(1);
        }
        DeviceControl next = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString())
                .setTenant(tk[0]).setDeviceId(tk[1]).setAction(action)
                .setQuarantined(quarantined != null ? quarantined : current != null && current.getQuarantined())
                .setRevoked(revoked).setRevokedCertificateSerials(revokedSerials).setReason(reason)
                .setIssuedBy(issuedBy).setIssuedAt(now).build();
        publisher.publish(Topics.DEVICE_CONTROLS, key, Codecs.DEVICE_CONTROL.encode(next));
        store.applyControl(key, next);
        audit.append(AuditLog.deviceChain(key), tk[0], auditAction, issuedBy,
                reason + (action == ControlAction.REVOKE ? " [serials: " + (revokedSerials.isEmpty() ? "all"
                        : String.join(",", revokedSerials)) + "]" : ""));
        return new DeviceView.Control(next.getQuarantined(), next.getRevoked(), action.name(), reason, issuedBy,
                now);
    }
}
