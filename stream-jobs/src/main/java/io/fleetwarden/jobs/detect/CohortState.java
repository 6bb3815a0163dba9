package io.fleetwarden.jobs.detect;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * State of one cohort (Flink POJO keyed by {@code tenant|dimension=value}). It grows with the
 * number of devices that dropped recently or belong to an open incident, not with the cohort's
 * size; {@link CohortRules#onTimer} prunes it.
 */
public class CohortState {

    /** Devices currently reachable, as far as the changes seen tell. */
    public int online;
    /** Device id to drop time, for drops within the window or members of the open incident. */
    public Map<String, Long> drops = new HashMap<>();
    public boolean incidentOpen;
    public long incidentOpenedAt;
    public String incidentId;
    public int incidentMembers;
    public int incidentReturned;
    public int reportedMembers;
    /** Reconnects per second (epoch second to count) within the storm window. */
    public TreeMap<Long, Integer> reconnects = new TreeMap<>();
    public boolean stormOpen;
    public long lastReconnect = Long.MIN_VALUE;
    /**
     * Devices that reconnected within the storm window (device id to time), at most {@link CohortRules#MEMBERS_KEPT}:
     * the storm's member set, which tells whether another cohort's storm is the same event.
     */
    public Map<String, Long> reconnectDevices = new HashMap<>();
    /**
     * The last resolved incident, kept for one cohort window after it resolved: a member's drop that reaches this
     * operator after the incident resolved (it took a slower path, e.g. the offline deadline of a silent device fired
     * after the others' returns were processed) but happened during the incident still folds into it.
     */
    public String lastIncidentId;
    public long lastIncidentOpenedAt;
    public long lastIncidentResolvedAt;

    public CohortState() {
    }
}
