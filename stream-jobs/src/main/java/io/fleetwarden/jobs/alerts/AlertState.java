package io.fleetwarden.jobs.alerts;

import java.util.Map;
import java.util.TreeMap;

import io.fleetwarden.model.Severity;

/**
 * The alert stage's state for one subject and rule (Flink POJO). While an alert is open it holds
 * what the next revision needs; after resolution only a pending parent (an incident that claimed
 * this subject before its own alert opened) may remain, and it expires.
 */
public class AlertState {

    public String alertId;
    public int revision;
    public boolean open;
    public long openedAt;
    public long updatedAt;
    public Severity severity;
    public String summary;
    public Map<String, String> evidence = new TreeMap<>();
    public String parentAlertId;
    /** Incident that folded this subject in before its alert opened, and when. */
    public String pendingParent;
    public long pendingParentAt;

    public AlertState() {
    }

    /** Whether the state can be dropped. */
    public boolean isEmpty() {
        return !open && pendingParent == null;
    }
}
