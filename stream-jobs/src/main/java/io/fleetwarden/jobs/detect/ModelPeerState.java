package io.fleetwarden.jobs.detect;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * State of one model's peer group (Flink POJO keyed by tenant and model): the traffic baseline of all
 * its devices, the listening ports learnt in the model's first hours, and which devices currently
 * have a peer rule open (only anomalous devices are listed, so it stays small).
 */
public class ModelPeerState {

    public RobustBaseline traffic = new RobustBaseline();
    public long firstSeen = Long.MIN_VALUE;
    public Set<Integer> knownPorts = new HashSet<>();
    /** Device id to bit set of open rules (1 = CMP-RATE-002, 2 = CMP-NET-002). */
    public Map<String, Integer> open = new HashMap<>();
    /** Event time of the newest observation; the state is dropped {@code state.ttl} after it (retention timer). */
    public long lastObservation = Long.MIN_VALUE;
    /** Event time of the pending retention timer, or MIN_VALUE for none. */
    public long timer = Long.MIN_VALUE;

    public ModelPeerState() {
    }
}
