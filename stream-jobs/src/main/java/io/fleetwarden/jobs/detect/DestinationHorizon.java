package io.fleetwarden.jobs.detect;

/**
 * CMP-NET-005's long horizon of one device (Flink POJO inside {@link BehaviourState}): new destinations per hour of
 * event time in a ring of {@code destinations.slowWindow} hours (at most 24), and the device's own normal rate of
 * new destinations. About 60 bytes serialised for a 6-hour horizon.
 */
public class DestinationHorizon {

    /** New destinations per hour, the current hour at {@link #hour}. */
    public int[] hours = new int[0];
    /** Start (event time) of the current hour. */
    public long hourStart;
    /** Index of the current hour in {@link #hours}. */
    public int hour;
    /** The device's own normal new destinations per hour (EWMA of closed hours it was not flagged in). */
    public double rate;

    public DestinationHorizon() {
    }
}
