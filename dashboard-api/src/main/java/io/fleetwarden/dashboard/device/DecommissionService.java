package io.fleetwarden.dashboard.device;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.fleet.HealthSeries;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;

/**
 * Decommission (Code of Practice guideline 11), in an order that is safe to retry after a crash:
 * <ol>
 *   <li>revoke every certificate of the device (the revoke record on {@code fleet.device-controls}
 *       stays: it holds no personal data, and removing it would let the certificate in again);</li>
 *   <li>erase its InfluxDB series where InfluxDB can ({@code device_health}); {@code alerts} points
 *       carry the device as a field and are kept with device and summary overwritten;</li>
 *   <li>write the durable erasure record ({@code fleet.erasures}) that every view honours on every
 *       replay, so the device's alerts still in the uncompacted {@code fleet.alerts} and any status a
 *       job re-publishes from old state are never served again;</li>
 *   <li>tombstone its keyed records ({@code fleet.device-status}, its alerts' {@code fleet.alert-triage})
 *       and the free text of its audit entries ({@code fleet.audit-details}); the hash-chained audit
 *       entries themselves stay (who did what when, no device data) and still verify;</li>
 *   <li>drop its alerts and status from the view.</li>
 * </ol>
 */
public final class DecommissionService {

    /** What was erased. */
    public record Result(String tenant, String deviceId, boolean revoked, List<String> erasedSeries,
                         List<HealthSeries.Retained> retained, List<String> tombstones, int alertsRemoved,
                         Instant erasedAt) {
    }

    private final DeviceService devices;
    private final DeviceStore store;
    private final AlertStore alerts;
    private final HealthSeries health;
    private final RecordPublisher publisher;
    private final ErasureStore erasures;
    private final AuditLog audit;
    private final ObjectMapper mapper;
    private final Clock clock;

    public DecommissionService(DeviceService devices, DeviceStore store, AlertStore alerts, HealthSeries health,
                               RecordPublisher publisher, ErasureStore erasures, AuditLog audit, ObjectMapper mapper,
                               Clock clock) {
        this.devices = devices;
        this.store = store;
        this.alerts = alerts;
        this.health = health;
        this.publisher = publisher;
        this.erasures = erasures;
        this.audit = audit;
        this.mapper = mapper;
        this.clock = clock;
    }

    public Result decommission(Principal p, String tenant, String deviceId, String reason) {
        String key = devices.visibleKey(p, tenant, deviceId);
        devices.revoke(p, tenant, deviceId, List.of(), "decommission: " + reason);
        HealthSeries.Erasure series;
        try {
            series = health.eraseDevice(tenant, deviceId);
        } catch (RuntimeException e) {
            throw ApiException.unavailable("device revoked, but its series could not be erased; retry decommission");
        }
        // collected before the erasure record is written: from then on the materialiser drops them from the view
        List<Alert> deviceAlerts = alerts.alertsOfDevice(tenant, deviceId);
        Instant erasedAt = clock.instant();
        ErasureStore.Erasure erasure = new ErasureStore.Erasure(tenant, deviceId, erasedAt, p.name());
        try {
            publisher.publish(OwnTopics.ERASURES, key, mapper.writeValueAsBytes(erasure));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        erasures.apply(key, erasure);
        List<String> tombstones = new ArrayList<>();
        tombstones.add(OwnTopics.ERASURES + ":" + key + " (erasure record, kept)");
        publisher.publish(Topics.DEVICE_STATUS, key, null);
        store.removeStatus(key);
        tombstones.add(Topics.DEVICE_STATUS + ":" + key);
        for (Alert a : deviceAlerts) {
            // unconditional: the materialiser may already have dropped the triage from the view
            publisher.publish(Topics.ALERT_TRIAGE, a.getAlertId(), null);
            tombstones.add(Topics.ALERT_TRIAGE + ":" + a.getAlertId());
            tombstones.addAll(audit.eraseDetails(AuditLog.alertChain(a.getAlertId())));
            alerts.removeAlert(a.getAlertId());
        }
        tombstones.addAll(audit.eraseDetails(AuditLog.deviceChain(key)));
        audit.append(AuditLog.deviceChain(key), tenant, "erase", p.name(), null);
        return new Result(tenant, deviceId, true, series.erasedSeries(), series.retained(), tombstones,
                deviceAlerts.size(), erasedAt);
    }
}
