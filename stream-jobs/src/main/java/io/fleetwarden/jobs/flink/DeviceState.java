package io.fleetwarden.jobs.flink;

import io.fleetwarden.jobs.detect.BehaviourState;
import io.fleetwarden.jobs.detect.ConnectivityState;
import io.fleetwarden.jobs.detect.FirmwareState;

/**
 * Everything {@link DeviceFunction} keeps for one device, in ONE value state: the three rule classes'
 * states, the pending timer, the status-signal throttle and the newest event time (for the retention
 * deadline). One state instead of four means two state accesses per record instead of seven; there is
 * no Flink state TTL on it (the state is dropped by an explicit retention deadline, see
 * {@link DeviceFunction}). A Flink POJO of POJOs (no Kryo).
 */
public class DeviceState {

    /** No timer registered. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    public ConnectivityState connectivity = new ConnectivityState();
    public BehaviourState behaviour = new BehaviourState();
    public FirmwareState firmware = new FirmwareState();
    /** Event time of the registered connectivity timer, or {@link #NO_TIMER}. */
    public long timer = NO_TIMER;
    /**
     * Fingerprint of the status facts (model, region, firmware, broker, source address, certificate
     * expiry, quarantine flag) carried by the last status signal sent to the device-status operator, or 0 when the next
     * telemetry must be sent anyway (no signal yet).
     */
    public int statusFingerprint;
    /**
     * A disconnect was signalled and no connect since: the next report is sent whatever its fingerprint, so the
     * status says "connected" again even if the connect event never arrives. A connect signal clears it (it says
     * "connected" itself).
     */
    public boolean statusDisconnected;
    /** Event time of the last status signal sent, or {@link Long#MIN_VALUE} for none. */
    public long statusSentAt = Long.MIN_VALUE;
    /**
     * Event time of the newest event (telemetry or security event) of the device, or {@link Long#MIN_VALUE}:
     * the state is dropped {@code state.ttl} after it (retention deadline, see {@link DeviceFunction}).
     */
    public long lastEvent = Long.MIN_VALUE;

    public DeviceState() {
    }
}
