package io.fleetwarden.dashboard.alert;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;

/**
 * The materialised alerts: the latest revision of each alert from {@code fleet.alerts} and the
 * latest triage record of each alert from {@code fleet.alert-triage}.
 *
 * <p>State: revisions and triage versions only move forward (an older revision or version that
 * arrives late, e.g. during replay after the API applied its own write, is ignored), so the view
 * converges on the log whatever the arrival order. Thread-safe.
 */
public final class AlertStore {

    private final ConcurrentHashMap<String, Alert> alerts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AlertTriage> triage = new ConcurrentHashMap<>();
    private final List<Consumer<Alert>> listeners = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Predicate<Alert> suppressed = a -> false;

    /** Alerts that must never be materialised (erased devices); set once while wiring. */
    public void setSuppression(java.util.function.Predicate<Alert> suppressed) {
        this.suppressed = suppressed;
    }

    /** Whether this alert falls under the suppression (for readers of the raw log, such as the export). */
    public boolean isSuppressed(Alert a) {
        return suppressed.test(a);
    }

    /** Called with each alert revision that changed the view (for auto-quarantine and export). */
    public void addListener(Consumer<Alert> listener) {
        listeners.add(listener);
    }

    public void applyAlert(Alert a) {
        if (suppressed.test(a)) {
            return;
        }
        boolean[] changed = {false};
        alerts.compute(a.getAlertId(), (id, old) -> {
            if (old == null || a.getRevision() >= old.getRevision()) {
                changed[0] = old == null || a.getRevision() > old.getRevision() || !a.equals(old);
                return a;
            }
            return old;
        });
        if (changed[0]) {
            listeners.forEach(l -> l.accept(a));
        }
    }

    public void applyTriage(AlertTriage t) {
        triage.merge(t.getAlertId(), t, (old, neu) -> neu.getVersion() >= old.getVersion() ? neu : old);
    }

    /** Tombstone of a triage record (decommission). */
    public void removeTriage(String alertId) {
        triage.remove(alertId);
    }

    /** Removes an alert from the view (decommissioned device). */
    public void removeAlert(String alertId) {
        alerts.remove(alertId);
        triage.remove(alertId);
    }

    public Optional<Alert> alert(String id) {
        return Optional.ofNullable(alerts.get(id));
    }

    public Optional<AlertTriage> triage(String id) {
        return Optional.ofNullable(triage.get(id));
    }

    public Collection<Alert> alerts() {
        return alerts.values();
    }

    public List<Alert> alertsOfDevice(String tenant, String deviceId) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : alerts.values()) {
            if (a.getTenant().equals(tenant) && deviceId.equals(a.getDeviceId())) {
                out.add(a);
            }
        }
        return out;
    }

    public int size() {
        return alerts.size();
    }
}
