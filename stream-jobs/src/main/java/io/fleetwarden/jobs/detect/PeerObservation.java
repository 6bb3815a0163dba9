package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;

/** One device report as the model-peer stage sees it. A Flink POJO. */
public class PeerObservation {

    public String tenant;
    public String model;
    public String deviceId;
    public long timestamp;
    public double bytesOutPerSecond;
    public List<Integer> listeningPorts = new ArrayList<>();

    public PeerObservation() {
    }

    public String modelKey() {
        return tenant + "|model=" + model;
    }
}
