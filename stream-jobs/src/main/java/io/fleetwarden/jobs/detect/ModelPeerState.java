package io.fleetwarden.jobs.detect;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * State of one model's peer group (Flink POJO keyed by tenant and model): the traffic, messages-per-minute,
 * CPU and memory baselines of all its devices, the model's listening ports with the (few) devices listening on
 * each, a bounded sample of its device ids, and which devices currently
 * have a peer rule open or a resource streak (only anomalous devices are listed, so it stays small).
 */
public class ModelPeerState {

    /**
     * The model's outbound traffic in log space: {@code log(bytes/s + peer.trafficFloor)} of its devices' reports
     * (CMP-RATE-002 judges ratios to the model, whatever its scale). Named apart from the linear {@code traffic} baseline
     * of state written before 2026-12-06, which a restored job drops: a linear level read as a log level would make the
     * rule blind until it had relearnt; the new baseline seeds again from five devices.
     */
    public RobustBaseline logTraffic = new RobustBaseline();
    /**
     * The same per region of the model (the empty string for none), at most {@link ModelPeerRules#MAX_REGIONS}: the
     * devices at the same hour of their day, so the spread is that between households, not between time zones.
     */
    public Map<String, RobustBaseline> regionTraffic = new HashMap<>();
    /** While a region's traffic baseline is seeding, the devices that gave it a seed sample (see {@code logTrafficSeeders}). */
    public Map<String, Set<String>> regionTrafficSeeders = new HashMap<>();
    /** Messages per device-minute of the model's devices (CMP-RATE-003's prior). */
    public RobustBaseline messageRate = new RobustBaseline();
    public RobustBaseline cpu = new RobustBaseline();
    public RobustBaseline memory = new RobustBaseline();
    /**
     * While a baseline above is seeding (its first {@link RobustBaseline#SEED} samples), the devices that gave it one: it
     * takes one seed sample per device (see {@code ModelPeerRules.learn}). Emptied once it is seeded.
     */
    public Set<String> logTrafficSeeders = new HashSet<>();
    public Set<String> messageRateSeeders = new HashSet<>();
    public Set<String> cpuSeeders = new HashSet<>();
    public Set<String> memorySeeders = new HashSet<>();
    public long firstSeen = Long.MIN_VALUE;
    /** Ports learnt while the model has a single device, in its learning period (the fallback while it has no peers). */
    public Set<Integer> knownPorts = new HashSet<>();
    /**
     * Listening ports of the model, each with the distinct devices listening on it (at most {@code peer.portRollout}
     * of them, at most {@link ModelPeerRules#MAX_PORTS} ports).
     */
    public Map<Integer, Set<String>> portDevices = new HashMap<>();
    /** Distinct device ids of the model, up to {@link ModelPeerRules#DEVICE_SAMPLE} (enough to size the rollout threshold). */
    public Set<String> devices = new HashSet<>();
    /** Device id to bit set of open rules (1 = CMP-RATE-002, 2 = CMP-NET-002, 4 = CMP-RATE-003, 8 = CMP-RES-001). */
    public Map<String, Integer> open = new HashMap<>();
    /**
     * Device id to the event time since which a device with CMP-RATE-002 open has reported under half the threshold
     * (only devices with the rule open and calm are listed); it clears once that lasts {@code peer.clearAfter}.
     */
    public Map<String, Long> trafficCalmSince = new HashMap<>();
    /** Device id to its number of consecutive reports with resource use far above own and peers (CMP-RES-001). */
    public Map<String, Integer> resourceStreak = new HashMap<>();
    /**
     * Region (the empty string for none) to its devices' hourly outbound rates, current and previous hour (CMP-NET-004's
     * same-hour peer median), at most {@link ModelPeerRules#MAX_REGIONS} regions.
     */
    public Map<String, PeerHours> trafficHours = new HashMap<>();
    /** Event time of the newest observation; the state is dropped {@code state.ttl} after it (retention timer). */
    public long lastObservation = Long.MIN_VALUE;
    /** Event time of the pending retention timer, or MIN_VALUE for none. */
    public long timer = Long.MIN_VALUE;

    public ModelPeerState() {
    }
}
