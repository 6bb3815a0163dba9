package io.fleetwarden.jobs.detect;

/** Per-device boot-loop state (Flink POJO): null until the device's first boot event, then a window of the last boots. */
public class BootState {

    public BurstWindow boots;

    public BootState() {
    }
}
