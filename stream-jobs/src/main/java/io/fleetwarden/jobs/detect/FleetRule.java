package io.fleetwarden.jobs.detect;

import java.io.Serializable;
import java.util.List;

/**
 * A fleet or cohort detection unit, the counterpart of {@link DeviceRule} for the operators keyed by something other
 * than a device: cohorts ({@code tenant|dimension=value}: {@link CohortRules}), models ({@link ModelPeerRules}) and
 * security-event subjects ({@link SecurityRules}). Its operator holds a list of them and knows none by name: it keeps
 * each unit's state per key under the unit's {@link #name()}, feeds it every input, asks for its next deadline, fires
 * it then and drops the state once the unit says it is {@link #idle}. A new cohort rule is one class implementing this
 * (registered in the operator's list), its catalogue entry and its scenario cases.
 *
 * <p>Time is event time (the input's or the timer's); no Flink API; values a device controls are compared by equality.
 *
 * @param <I> the operator's input
 * @param <S> the unit's state per key (a Flink POJO)
 */
public interface FleetRule<I, S> extends Serializable {

    /** No deadline pending. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** Stable name: the unit's state is kept under it (never reuse a name for other state). */
    String name();

    /** Catalogue ids of the findings it emits. */
    List<String> emits();

    /** Class of the state (a Flink POJO). */
    Class<S> stateClass();

    /** The state of a key seen for the first time. */
    S newState();

    /** One input for {@code key} (the operator's key); returns the findings it causes. */
    List<Finding> onInput(S state, String key, I input);

    /** Event time at which {@link #onDeadline} has something to do, or {@link #NO_DEADLINE}. */
    default long nextDeadline(S state) {
        return NO_DEADLINE;
    }

    /** Event time reached {@code now} (at or after {@link #nextDeadline}). */
    default List<Finding> onDeadline(S state, String key, long now) {
        return List.of();
    }

    /** Whether the state holds nothing worth keeping (the operator then drops it). */
    default boolean idle(S state) {
        return false;
    }
}
