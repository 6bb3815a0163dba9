package io.fleetwarden.simulator.model;

/** A temporary change in what a device reports, switched on and off by scenario steps. */
public enum Effect {
    /** Infected: telnet ports open, scanning many destinations, talking to a C2 server, traffic up ~30x. */
    BOTNET,
    /** Legitimate evening peak shared by the whole model cohort: traffic up ~2.5x. */
    TRAFFIC_PEAK,
    /** Downloading a firmware update. */
    UPDATE_DOWNLOADING,
    /** Installing a firmware update. */
    UPDATE_INSTALLING,
    /** Update attempts failing in a loop: every report shows a new failed attempt. */
    UPDATE_FAILING,
    /** A backdoor: a listening service the model never has ({@link TelemetryGenerator#BACKDOOR_PORT}). */
    BACKDOOR_SERVICE,
    /** A cryptominer: CPU pinned near 100 %, memory up. */
    RESOURCE_ABUSE,
    /**
     * The device reports another model ({@link TelemetryGenerator#otherModel}) and that model's latest genuine image,
     * with its own readings: another product's firmware flashed onto it, or a counterfeit claiming to be another product.
     */
    OTHER_MODEL
}
