package io.fleetwarden.jobs.flink;


import io.fleetwarden.jobs.detect.DeviceRule;

/**
 * Everything {@link DeviceFunction} keeps for one device, in ONE value state: each per-device rule's own
 * state (by the rule's position in {@link #layout}), the pending timer, the status-signal throttle and the
 * newest event time (for the retention deadline). One state instead of one per rule means two state
 * accesses per record; there is no Flink state TTL on it (the state is dropped by an explicit retention
 * deadline, see {@link DeviceFunction}). Serialised by {@link DeviceStateSerializer}, which composes the
 * rules' own (POJO) serializers and keeps each rule's state under its name, so adding or removing a rule
 * keeps the other rules' state across a restore.
 */
public final class DeviceState {

    /** No timer registered. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** Unit names of {@link #rules}, in order: the layout the states were created or restored with. */
    String[] layout;
    /** Each rule's state; null until the rule's first input for this device. */
    Object[] rules;
    /** Event time of the registered timer, or {@link #NO_TIMER}. */
    public long timer = NO_TIMER;
    /**
     * The status facts of the last status signal sent to the device-status operator (exact values, compared
     * with equals: they are device-reported), valid when {@link #statusSentAt} is set.
     */
    public String statusModel;
    public String statusRegion;
    public String statusFirmware;
    public String statusBroker;
    public String statusAddress;
    public long statusCertificateNotAfter = Long.MIN_VALUE;
    public boolean statusQuarantined;
    /**
     * A disconnect was signalled and no connect since: the next report is sent whatever its facts, so the
     * status says "connected" again even if the connect event never arrives. A connect signal clears it.
     */
    public boolean statusDisconnected;
    /**
     * Security events of the device wait in device-detectors' read-ahead hold (its queue is not empty): a later event of
     * the device waits behind them, and each report releases those its own time has reached. Serialised in one byte with
     * {@link #statusDisconnected} (and which of the times are set).
     */
    public boolean heldAhead;
    /** Event time of the last status signal sent, or {@link Long#MIN_VALUE} for none. */
    public long statusSentAt = Long.MIN_VALUE;
    /**
     * Event time of the newest event (telemetry or security event) of the device, or {@link Long#MIN_VALUE}:
     * the state is dropped {@code state.ttl} after it (retention deadline, see {@link DeviceFunction}).
     */
    public long lastEvent = Long.MIN_VALUE;
    /**
     * Event time of the device's newest report applied, or {@link Long#MIN_VALUE}: how far its own telemetry has been read,
     * which the read-ahead bound compares its security events with (see {@link DeviceFunction}).
     */
    public long lastReport = Long.MIN_VALUE;

    DeviceState(String[] layout) {
        this.layout = layout;
        this.rules = new Object[layout.length];
    }

    /** The state of rule {@code i} of the rules' layout (created on first use). */
    @SuppressWarnings("unchecked")
    public <S> S state(int i, DeviceRule<S> rule) {
        Object s = rules[i];
        if (s == null) {
            s = rule.newState();
            rules[i] = s;
        }
        return (S) s;
    }

    /** Creates the state of every rule that has none yet. */
    void createStates(DeviceRule<?>[] units) {
        for (int i = 0; i < units.length; i++) {
            if (rules[i] == null) {
                rules[i] = units[i].newState();
            }
        }
    }

    /** The state of the rule named {@code name}, or null (tests and the benchmark). */
    public Object stateOf(String name) {
        for (int i = 0; i < layout.length; i++) {
            if (layout[i].equals(name)) {
                return rules[i];
            }
        }
        return null;
    }

    /**
     * Brings a state restored with another set of rules to {@code names} (once per device after such a restore):
     * states of rules still present move to their new position, states of removed rules are dropped.
     */
    void adopt(String[] names) {
        if (layout == names) {
            return;
        }
        Object[] moved = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            moved[i] = stateOf(names[i]);
        }
        layout = names;
        rules = moved;
    }
}
