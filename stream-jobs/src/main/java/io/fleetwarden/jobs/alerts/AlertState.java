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

    /**
     * For a resolved alert of a rule incidents fold (RES-OFF-001): event time until which it is kept (its id,
     * revision and evidence stay set), so that an incident's fold reaching this stage after the member already
     * came back still attaches to it. 0 when nothing resolved is kept.
     */
    public long keepResolvedUntil;
    /**
     * The subject was erased at this time (Long.MIN_VALUE: never): findings up to it still on their way are dropped
     * until the tombstone expires.
     */
    public long erasedAt = Long.MIN_VALUE;
    /** Resolution text of the kept resolved alert. */
    public String resolution;

    /** Whether the state can be dropped. */
    public boolean isEmpty() {
        return !open && pendingParent == null && alertId == null && erasedAt == Long.MIN_VALUE;
    }
}
