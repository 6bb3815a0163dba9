package io.fleetwarden.dashboard.posture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fleetwarden.dashboard.fleet.HealthSeries;

/**
 * The time-series store as decommission sees it: erasing a device also drops its
 * {@code posture_device} series and forgets its posture evidence (the summary of its telemetry and
 * security events), so guideline 11's erasure covers what the posture feature keeps. Everything
 * else delegates.
 */
public final class PostureErasure implements HealthSeries {

    private final HealthSeries delegate;
    private final PostureHistory history;
    private final EvidenceStore evidence;

    public PostureErasure(HealthSeries delegate, PostureHistory history, EvidenceStore evidence) {
        this.delegate = delegate;
        this.history = history;
        this.evidence = evidence;
    }

    @Override
    public List<Series> deviceHealth(String tenant, String deviceId, Instant from, Instant to, Duration step) {
        return delegate.deviceHealth(tenant, deviceId, from, to, step);
    }

    @Override
    public List<Series> cohorts(Set<String> tenants, String dimension, Instant from, Instant to, Duration step) {
        return delegate.cohorts(tenants, dimension, from, to, step);
    }

    @Override
    public List<Series> connectivity(Set<String> tenants, Instant from, Instant to, Duration step) {
        return delegate.connectivity(tenants, from, to, step);
    }

    @Override
    public List<Series> alertCounts(Set<String> tenants, Instant from, Instant to, Duration step) {
        return delegate.alertCounts(tenants, from, to, step);
    }

    @Override
    public Map<String, Map<String, Integer>> firmwareDistribution(Set<String> tenants, Instant from, Instant to) {
        return delegate.firmwareDistribution(tenants, from, to);
    }

    @Override
    public Erasure eraseDevice(String tenant, String deviceId) {
        Erasure e = delegate.eraseDevice(tenant, deviceId);
        List<String> erased = new ArrayList<>(e.erasedSeries());
        if (history != null) {
            erased.addAll(history.eraseDevice(tenant, deviceId));
        }
        evidence.forget(tenant, deviceId);
        return new Erasure(erased, e.retained());
    }

    @Override
    public boolean ping() {
        return delegate.ping();
    }
}
