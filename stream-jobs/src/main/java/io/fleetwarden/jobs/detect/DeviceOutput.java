package io.fleetwarden.jobs.detect;

/** Where a {@link DeviceRule} puts what it found: findings, and reachability changes for the cohort stage. */
public interface DeviceOutput {

    void finding(Finding f);

    /**
     * The observation the model-peer stage gets of the current report, for a rule to add what it learnt of the device
     * (a closed minute, its own verdict); null outside a report.
     */
    default PeerObservation peerObservation() {
        return null;
    }

    /** A reachability change of the device (connectivity rules only). */
    default void change(ConnectivityChange c) {
        throw new UnsupportedOperationException("this output takes no reachability changes");
    }
}
