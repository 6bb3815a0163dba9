package io.fleetwarden.dashboard.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.firmware.FirmwareService;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleet health over time from the stream jobs' per-minute InfluxDB series: {@code cohorts}
 * (fleet_cohort online per tenant/dimension/cohort), {@code connectivity} (fleet_connectivity
 * connects/disconnects per tenant), {@code alertCounts} (fleet_alerts open/opened per tenant and
 * severity) and {@code firmwareDistribution} (fleet_firmware, last value in the range). {@code from}/{@code to} (ISO-8601, default the last 24 hours) and
 * {@code step} (resolution, default chosen for about 200 buckets) bound the query; a query that
 * would return more than 5000 buckets per series is refused rather than left to overload the store.
 */
public final class FleetHandler {

    private static final Logger LOG = LoggerFactory.getLogger(FleetHandler.class);

    private static final long MAX_BUCKETS = 5000;

    private final HealthSeries health;
    private final FirmwareService firmware;
    private final Clock clock;

    public FleetHandler(HealthSeries health, FirmwareService firmware, Clock clock) {
        this.health = health;
        this.firmware = firmware;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(Route.get("/api/v1/fleet/health", Access.VIEWER,
                "Fleet health over time: online devices per cohort, connects, disconnects, alert counts by severity,"
                        + " firmware distribution (tenant, dimension, from, to, step)", this::health));
    }

    private void health(Context ctx) {
        Set<String> tenants = AlertService.scope(Routes.principal(ctx), ctx.queryParam("tenant"));
        Instant to = Params.instantParam(ctx, "to");
        Instant from = Params.instantParam(ctx, "from");
        to = to == null ? clock.instant() : to;
        from = from == null ? to.minus(Duration.ofHours(24)) : from;
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("from must be before to");
        }
        Duration span = Duration.between(from, to);
        Duration step = Params.durationParam(ctx, "step", Duration.ofSeconds(Math.max(60, span.toSeconds() / 200)));
        if (step.toSeconds() < 1) {
            throw ApiException.badRequest("step must be at least 1s");
        }
        if (span.toSeconds() / step.toSeconds() > MAX_BUCKETS) {
            throw ApiException.badRequest("from/to/step give more than " + MAX_BUCKETS + " buckets; use a larger step");
        }
        String dimension = ctx.queryParam("dimension");
        if (dimension != null && !List.of("model", "region", "broker").contains(dimension)) {
            throw ApiException.badRequest("dimension must be model, region or broker");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from);
        body.put("to", to);
        body.put("step", step.toString());
        try {
            body.put("cohorts", health.cohorts(tenants, dimension, from, to, step));
            body.put("connectivity", health.connectivity(tenants, from, to, step));
            body.put("alertCounts", health.alertCounts(tenants, from, to, step));
            body.put("firmwareDistribution", health.firmwareDistribution(tenants, from, to));
        } catch (RuntimeException e) {
            // the caller gets a generic 503; the operator gets the cause (never silent)
            LOG.warn("fleet health query failed: {}", e.toString());
            throw ApiException.unavailable("the time-series store did not answer");
        }
        // the same distribution from the latest device-status records, for a live view between minutes
        body.put("firmwareDistributionLive", firmware.distribution(tenants));
        ctx.json(body);
    }
}
