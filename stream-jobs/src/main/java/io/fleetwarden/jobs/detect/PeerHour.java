package io.fleetwarden.jobs.detect;

/**
 * One device's closed hour of outbound traffic next to its model's same-hour peer median (model and region), made by
 * the model-peer stage for CMP-NET-004's slow horizon ({@link PeerRatioRules}, keyed by device). A Flink POJO; one per
 * device and hour. The model stage keeps it (without the peer figures) from the device's vote until the hour's figures
 * are final ({@link ModelPeerRules#finalAt}), then fills them in and hands it on.
 */
public class PeerHour {

    public String tenant;
    public String deviceId;
    public String model;
    public String region;
    /** Start of the hour (epoch millis). */
    public long hourStart;
    /** Event time of the report that closed the hour. */
    public long timestamp;
    /** Event time the hour's peer figures became final (the judgement's and so the finding's time). */
    public long judgedAt;
    /** The device's mean outbound bytes per second in the hour. */
    public double deviceBytesOut;
    /** Median of the hourly means of the OTHER devices of the model in the region, same hour. */
    public double peerBytesOut;
    /**
     * The peers' upper fence as a ratio to their median (3 robust deviations of the devices' log levels, from their median
     * absolute deviation): how far above the median a device may sit by its own level; judges a device without a usual
     * ratio of its own.
     */
    public double peerFence;
    /** Devices behind that median. */
    public int peers;

    public PeerHour() {
    }

    @Override
    public String toString() {
        return tenant + "/" + deviceId + " hour " + hourStart + ": " + deviceBytesOut + " B/s vs peers " + peerBytesOut + " (" + peers + ")";
    }
}
