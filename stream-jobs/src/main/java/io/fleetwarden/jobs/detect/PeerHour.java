package io.fleetwarden.jobs.detect;

/**
 * One device's closed hour of outbound traffic next to its model's same-hour peer median (model and region), made by
 * the model-peer stage for CMP-NET-004's slow horizon ({@link PeerRatioRules}, keyed by device). A Flink POJO; one per
 * device and hour.
 */
public class PeerHour {

    public String tenant;
    public String deviceId;
    public String model;
    public String region;
    /** Start of the hour (epoch millis). */
    public long hourStart;
    /** Event time of the report that closed the hour (the finding's time). */
    public long timestamp;
    /** The device's mean outbound bytes per second in the hour. */
    public double deviceBytesOut;
    /** Median of the hourly means of the model's devices in the region, same hour (or the hour before, see the stage). */
    public double peerBytesOut;
    /** Devices behind that median. */
    public int peers;

    public PeerHour() {
    }

    @Override
    public String toString() {
        return tenant + "/" + deviceId + " hour " + hourStart + ": " + deviceBytesOut + " B/s vs peers " + peerBytesOut + " (" + peers + ")";
    }
}
