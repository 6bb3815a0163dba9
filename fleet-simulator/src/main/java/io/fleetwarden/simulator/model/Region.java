package io.fleetwarden.simulator.model;

import java.util.List;

/**
 * A deployment region with its share of the fleet and its UTC offset (for the daily curve).
 * {@link #OUTAGE_STORM} and {@link #OUTAGE_ORDERLY} are the regions the outage scenarios take down;
 * other scenarios never pick devices there, so one device carries one ground truth.
 */
public record Region(String name, double share, int utcOffsetHours) {

    public static final Region EU_WEST = new Region("eu-west", 0.40, 0);
    public static final Region US_EAST = new Region("us-east", 0.30, -5);
    public static final Region OUTAGE_STORM = new Region("ap-south", 0.15, 5);
    public static final Region OUTAGE_ORDERLY = new Region("sa-east", 0.15, -3);

    public static final List<Region> ALL = List.of(EU_WEST, US_EAST, OUTAGE_STORM, OUTAGE_ORDERLY);
}
