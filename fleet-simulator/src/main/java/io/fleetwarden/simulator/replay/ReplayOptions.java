package io.fleetwarden.simulator.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fleetwarden.model.DeviceKeys;

/**
 * What a replay simulates. Everything it writes is a pure function of these options.
 *
 * @param seed          seed of the fleet, its benign life and the attack plan
 * @param devices       devices at the start (about 3 % more join during the replay, about 1 % leave)
 * @param duration      simulated time span (days or weeks)
 * @param tenant        tenant of every device
 * @param start         simulated start instant (broker time)
 * @param brokers       broker instances devices are spread over (maintenance drains one at a time)
 * @param maxClockSkew  bound of every device clock's offset from broker time (the platform's skew window)
 * @param attacks       attack kinds to plan (empty = benign life only)
 * @param attackRounds  instances planned of each attack kind, each at its own random time and intensity
 */
public record ReplayOptions(long seed, int devices, Duration duration, String tenant, Instant start, int brokers,
                            Duration maxClockSkew, List<ReplayKind> attacks, int attackRounds) {

    /** A Monday at midnight UTC: weekly cycles line up with weekdays, and the output does not depend on when it runs. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

    public ReplayOptions {
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be at least 1, was " + devices);
        }
        if (duration == null || duration.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("duration must be at least 1 hour, was " + duration);
        }
        if (brokers < 1 || brokers > 64) {
            throw new IllegalArgumentException("brokers must be 1..64, was " + brokers);
        }
        if (maxClockSkew == null || maxClockSkew.isNegative() || maxClockSkew.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and 1 hour, was " + maxClockSkew);
        }
        if (attackRounds < 0 || attackRounds > 100) {
            throw new IllegalArgumentException("attack rounds must be 0..100, was " + attackRounds);
        }
        DeviceKeys.requireValidId("tenant", tenant);
        attacks = List.copyOf(attacks);
    }

    /** Simulated end instant. */
    public Instant end() {
        return start.plus(duration);
    }
}
