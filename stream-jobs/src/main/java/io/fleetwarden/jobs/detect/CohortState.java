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
    /**
     * Members that dropped in the incident's onset (within {@code cohort.window} of its opening) and how many of them
     * are back: the incident resolves when enough of THESE are back, so devices that drop later while it is open are
     * folded into it without holding it open (0 in state written before this field: the whole member count decides).
     */
    public int onsetMembers;
    public int onsetReturned;
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
    /**
     * Devices whose connection was LOST (not a goodbye, not a broker's drain) within the window and that are still
     * down (device id to drop time): the count the significance test judges against the cohort's background rate.
     */
    public Map<String, Long> lost = new HashMap<>();
    /** Start of the event-time hour whose connection losses are being counted, or MIN_VALUE before the first. */
    public long rateHourStart = Long.MIN_VALUE;
    /** Connection losses in that hour. */
    public int rateHourLost;
    /** Whether an incident was open during that hour (such an hour teaches the background rate nothing). */
    public boolean rateHourIncident;
    /** The cohort's background rate of connection losses per device-hour (EWMA of closed hours, each clipped). */
    public double lostPerDeviceHour;
    /** Closed hours the background rate has learnt from. */
    public int rateHours;
    public long lastIncidentOpenedAt;
    /**
     * Lower bounds of the times in {@link #drops}, {@link #lost} and {@link #reconnectDevices} ({@code MIN_VALUE}: not
     * known, as in state written before these fields), so that pruning walks a map only when an entry may have expired
     * ({@link CohortRules#expire}). Never above the map's oldest time; {@code MAX_VALUE} when the map is empty.
     */
    public long dropsFloor = Long.MIN_VALUE;
    public long lostFloor = Long.MIN_VALUE;
    public long reconnectFloor = Long.MIN_VALUE;
    public long lastIncidentResolvedAt;

    public CohortState() {
    }
}
