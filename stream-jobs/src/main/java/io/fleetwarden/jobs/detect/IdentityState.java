package io.fleetwarden.jobs.detect;

/** Per-device identity state (Flink POJO): the model the device first reported, and whether CMP-IDENT-003 is open. */
public class IdentityState {

    /** The first model the device reported (validated by the broker like every report field). */
    public String model;
    public boolean open;

    public IdentityState() {
    }
}
