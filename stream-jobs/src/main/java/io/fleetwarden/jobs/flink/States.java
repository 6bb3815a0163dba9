package io.fleetwarden.jobs.flink;

import java.time.Duration;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

import io.fleetwarden.jobs.rules.DetectionConfig;

/**
 * State time-to-live for the low-rate keyed state (security bursts, cohorts): a key that receives
 * nothing for {@link DetectionConfig#deviceStateTtlMs} (default 7 days, processing time) is dropped, as a
 * backstop to the operators' own timers. The per-report operators (device detectors, device status,
 * model peers) use no Flink TTL: they drop a key by an explicit event-time retention deadline instead,
 * because TTL bookkeeping on every state access was the largest single cost in the benchmark profile.
 *
 * <p>Expired entries are removed from the heap backend by incremental cleanup: every state access also
 * checks ONE other entry of that state (Flink's default is five), plus full-snapshot cleanup. (RocksDB
 * cleans through its compaction filter instead.)
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
