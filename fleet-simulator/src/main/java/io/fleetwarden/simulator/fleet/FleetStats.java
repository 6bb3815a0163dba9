package io.fleetwarden.simulator.fleet;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of a run, updated from MQTT callbacks; all thread-safe. */
public final class FleetStats {
    public final AtomicInteger connected = new AtomicInteger();
    public final AtomicLong connectAttempts = new AtomicLong();
    public final AtomicLong connectsOk = new AtomicLong();
    public final AtomicLong connectsFailed = new AtomicLong();
    public final AtomicLong disconnectsByBroker = new AtomicLong();
    public final AtomicLong telemetrySent = new AtomicLong();
    public final AtomicLong publishesAcked = new AtomicLong();
    public final AtomicLong publishesRefused = new AtomicLong();
    public final AtomicLong attackActions = new AtomicLong();
    public final AtomicLong attackRefusals = new AtomicLong();
    public final AtomicInteger scenariosStarted = new AtomicInteger();
    public final AtomicInteger scenariosEnded = new AtomicInteger();
    /** Devices connected when the run ended (before the simulator disconnected them). */
    public final AtomicInteger connectedAtEnd = new AtomicInteger();
    /** Highest number of devices connected at once. */
    public final AtomicInteger peakConnected = new AtomicInteger();

    void onConnected() {
        int now = connected.incrementAndGet();
        peakConnected.accumulateAndGet(now, Math::max);
        connectsOk.incrementAndGet();
    }
}
