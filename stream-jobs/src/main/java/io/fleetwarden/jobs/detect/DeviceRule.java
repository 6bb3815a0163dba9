package io.fleetwarden.jobs.detect;

import java.io.Serializable;
import java.util.List;

/**
 * A per-device detection unit: one rule, or a family of rules that share state (the connectivity,
 * behaviour and firmware families). The per-device operator holds a list of them
 * ({@link DeviceRules}) and knows nothing about any one of them: it keeps each unit's state for every
 * device, feeds it every report and verified security event, asks for its next deadline and fires it
 * then. A new rule is one class implementing this, one catalogue entry per id it {@link #emits()}, and
 * its scenario cases.
 *
 * <p><b>Time</b> is event time everywhere (the record's time, the deadline the operator fires at);
 * nothing reads the system clock. <b>State</b> is the unit's own Flink POJO ({@link #stateClass()}),
 * bounded by the unit (the target is at most 1 KiB per device for all units together); the operator
 * drops it with the rest of the device's state after the retention period. Values a device controls
 * are compared by equality, or by {@link DeviceContext#digest()} where size forces a digest, never by
 * {@code hashCode()}.
 *
 * @param <S> the unit's per-device state
 */
public interface DeviceRule<S> extends Serializable {

    /** No deadline pending. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** Stable name of the unit: its state is kept under this name (never reuse a name for other state). */
    String name();

    /** Catalogue ids of the findings this unit emits (each must be in the catalogue). */
    List<String> emits();

    /** Class of the state (a Flink POJO: public no-argument constructor, public fields or getters/setters). */
    Class<S> stateClass();

    /** The state of a device seen for the first time. */
    S newState();

    /** A telemetry report of the device. */
    void onReport(S state, DeviceReport report, DeviceContext ctx, DeviceOutput out);

    /** A verified security event of the device (connects, disconnects, ...). */
    default void onSecurityEvent(S state, DeviceSecurityEvent event, DeviceContext ctx, DeviceOutput out) {
    }

    /** A lifecycle event of the device ({@code fleet.device-events}: boots, configuration changes, update results). */
    default void onLifecycleEvent(S state, DeviceLifecycle event, DeviceContext ctx, DeviceOutput out) {
    }

    /** Event time at which {@link #onDeadline} has something to decide, or {@link #NO_DEADLINE}. */
    default long nextDeadline(S state) {
        return NO_DEADLINE;
    }

    /** Event time reached {@code now} (at or after {@link #nextDeadline}) without other input. */
    default void onDeadline(S state, String tenant, String deviceId, long now, DeviceOutput out) {
    }

    /**
     * The reference data changed (a firmware catalog entry or an advisory); {@code now} is its event time and
     * {@code model} the model it concerns, or null when it may concern every model (an advisory withdrawn).
     * Called for every device with state; a unit that reads no reference data ignores it.
     */
    default void onReferenceChange(S state, DeviceContext ctx, String model, long now, DeviceOutput out) {
    }
}
