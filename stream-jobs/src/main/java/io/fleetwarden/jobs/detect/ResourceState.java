package io.fleetwarden.jobs.detect;

/**
 * Per-device resource baselines (Flink POJO kept in keyed state): CPU and memory use, about 140 bytes
 * serialised once seeded.
 */
public class ResourceState {

    public RobustBaseline cpu = new RobustBaseline();
    public RobustBaseline memory = new RobustBaseline();

    public ResourceState() {
    }
}
