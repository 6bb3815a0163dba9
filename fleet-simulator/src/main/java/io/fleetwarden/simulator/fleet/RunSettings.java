package io.fleetwarden.simulator.fleet;

import java.time.Duration;

/**
 * How the simulator reaches the broker and paces itself.
 *
 * @param brokerHost           broker host name or address (must match the server certificate)
 * @param brokerPort           broker TLS port
 * @param secondAddress        local address for "another place" (cloned certificate, address move), or null
 *                             to connect those from the default address
 * @param connectRatePerSecond initial connects per second (reconnect storms are deliberately not limited)
 * @param maxInFlightConnects  connects waiting for CONNACK at once
 * @param nettyThreads         threads of the one Netty event loop all clients share
 * @param runDuration          how long the run lasts
 * @param progressEvery        how often progress is printed
 */
public record RunSettings(String brokerHost, int brokerPort, String secondAddress, int connectRatePerSecond,
                          int maxInFlightConnects, int nettyThreads, Duration runDuration, Duration progressEvery) {

    public RunSettings {
        if (brokerPort < 1 || brokerPort > 65535) {
            throw new IllegalArgumentException("broker port must be 1-65535, was " + brokerPort);
        }
        if (connectRatePerSecond < 1) {
            throw new IllegalArgumentException("connect rate must be at least 1 per second");
        }
        if (maxInFlightConnects < 1 || nettyThreads < 1) {
            throw new IllegalArgumentException("max in-flight connects and netty threads must be at least 1");
        }
    }
}
