package io.fleetwarden.jobs.flink;

import java.time.Duration;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * State time-to-live for per-device and per-subject state: a key that receives nothing for
 * {@link DetectionConfig#deviceStateTtlMs} (default 7 days, processing time) is dropped, so devices
 * that disappear do not keep state forever. Detectors also clear state explicitly when it holds
 * nothing worth keeping.
 *
 * <p>Expired entries are removed from the heap backend by incremental cleanup: every state access
 * also checks ONE other entry of that state (Flink's default is five, without cleanup on each
 * record). Profiling the benchmark showed the default sweep taking about a quarter of all CPU time
 * (state-map iteration per access, times ~8 state accesses per telemetry record). One entry per
 * access still sweeps the whole state once per "number of keys" accesses — seconds to minutes for a 10,000
 * device fleet, far inside a 7-day TTL — so memory of vanished devices is still reclaimed. Full
 * snapshots also leave expired entries out. (RocksDB cleans through its compaction filter instead.)
 */
final class States {

    private States() {
    }

    static <S extends StateDescriptor<?, ?>> S withTtl(S descriptor, DetectionConfig cfg) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(cfg.deviceStateTtlMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupIncrementally(1, false)
                .cleanupFullSnapshot()
                .build());
        return descriptor;
    }
}
