package io.fleetwarden.dashboard.device;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.dashboard.alert.AlertStore;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.fleet.HealthSeries;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Topics;

/**
 * Decommission (Code of Practice guideline 11): revokes the device, erases its InfluxDB series
 * where InfluxDB can ({@code device_health}; {@code alerts} points carry the device as a field: they are kept with
 * the device id and summary overwritten, reported under {@code retained} with their count and the reason),
 * tombstones its keyed records ({@code fleet.device-status}, its alerts' {@code fleet.alert-triage}
 * records) and drops its alerts from the API's view. The revoke record on
 * {@code fleet.device-controls} is kept on purpose: it holds no personal data, and removing it
 * would let the certificate connect again.
 */
public final class DecommissionService {

    /** What was erased. */
    public record Result(String tenant, String deviceId, boolean revoked, List<String> erasedSeries,
                         List<HealthSeries.Retained> retained, List<String> tombstones, int alertsRemoved) {
    }

    private final DeviceService devices;
    private final DeviceStore store;
    private final AlertStore alerts;
    private final HealthSeries health;
    private final RecordPublisher publisher;

    public DecommissionService(DeviceService devices, DeviceStore store, AlertStore alerts, HealthSeries health,
                               RecordPublisher publisher) {
        this.devices = devices;
        this.store = store;
        this.alerts = alerts;
        this.health = health;
        this.publisher = publisher;
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
        List<String> tombstones = new ArrayList<>();
        publisher.publish(Topics.DEVICE_STATUS, key, null);
        store.applyStatus(key, null);
        tombstones.add(Topics.DEVICE_STATUS + ":" + key);
        List<Alert> deviceAlerts = alerts.alertsOfDevice(tenant, deviceId);
        for (Alert a : deviceAlerts) {
            if (alerts.triage(a.getAlertId()).isPresent()) {
                publisher.publish(Topics.ALERT_TRIAGE, a.getAlertId(), null);
                tombstones.add(Topics.ALERT_TRIAGE + ":" + a.getAlertId());
            }
            alerts.removeAlert(a.getAlertId());
        }
        return new Result(tenant, deviceId, true, series.erasedSeries(), series.retained(), tombstones, deviceAlerts.size());
    }
}
