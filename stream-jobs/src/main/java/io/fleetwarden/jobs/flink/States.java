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
 */
final class States {

    private States() {
    }

    static <S extends StateDescriptor<?, ?>> S withTtl(S descriptor, DetectionConfig cfg) {
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(cfg.deviceStateTtlMs))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        return descriptor;
    }
}
