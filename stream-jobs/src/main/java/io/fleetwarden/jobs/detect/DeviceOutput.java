package io.fleetwarden.jobs.detect;

/** Where a {@link DeviceRule} puts what it found: findings, and reachability changes for the cohort stage. */
public interface DeviceOutput {

    void finding(Finding f);

    /** A reachability change of the device (connectivity rules only). */
    default void change(ConnectivityChange c) {
        throw new UnsupportedOperationException("this output takes no reachability changes");
    }
}
