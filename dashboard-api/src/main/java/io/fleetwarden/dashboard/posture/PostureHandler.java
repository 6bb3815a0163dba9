package io.fleetwarden.dashboard.posture;

import java.util.LinkedHashMap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.DeviceKeys;
import io.javalin.http.Context;

/** Code of Practice posture per device and per fleet, as JSON or CSV ({@code format=csv}). */
public final class PostureHandler {

    private final PostureService service;
    private final PstiStatement psti;
    private final IcsExport ics;
    private final PostureHistory history;

    /** {@code history} is null without InfluxDB (its routes then answer 503). */
    public PostureHandler(PostureService service, PstiStatement psti, IcsExport ics, PostureHistory history) {
        this.service = service;
        this.psti = psti;
        this.ics = ics;
        this.history = history;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/posture/devices/{tenant}/{deviceId}", Access.VIEWER,
                        "A device's standing against the 13 guidelines (format=json|csv)", this::device),
                Route.get("/api/v1/posture/fleet", Access.VIEWER,
                        "The fleet's standing against the 13 guidelines, per model too (tenant, model, format=json|csv)", this::fleet),
                Route.get("/api/v1/posture/history", Access.VIEWER,
                        "Fleet posture over time per tenant and guideline (tenant, from, to, step)", this::fleetHistory),
                Route.get("/api/v1/posture/devices/{tenant}/{deviceId}/history", Access.VIEWER,
                        "A device's standing changes per guideline with the fact behind each (from, to)", this::deviceHistory),
                Route.get("/api/v1/posture/psti", Access.VIEWER,
                        "UK PSTI statement of the fleet or one model: the three requirements with evidence (tenant, model)",
                        this::psti),
                Route.get("/api/v1/posture/ics", Access.VIEWER,
                        "ETSI TS 103 701-style conformance statement for EN 303 645 (tenant, model, format=json|csv)",
                        this::ics));
    }

    private static boolean csv(Context ctx) {
        String f = ctx.queryParam("format");
        if (f == null || f.equals("json")) {
            return false;
        }
        if (f.equals("csv")) {
            return true;
        }
        throw ApiException.badRequest("format must be json or csv");
    }

    private void device(Context ctx) {
        Principal p = Routes.principal(ctx);
        String tenant = ctx.pathParam("tenant");
        String deviceId = ctx.pathParam("deviceId");
        visible(p, tenant, deviceId);
        List<PostureService.GuidelineStanding> rows = service.deviceStanding(tenant, deviceId);
        if (csv(ctx)) {
            download(ctx, "posture-" + tenant + "-" + deviceId + ".csv");
            ctx.contentType("text/csv; charset=utf-8").result(PostureService.deviceCsv(tenant, deviceId, rows));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("deviceId", deviceId);
        body.put("guidelines", rows);
        download(ctx, "posture-" + tenant + "-" + deviceId + ".json");
        ctx.json(body);
    }

    /**
     * Checks the caller may see the device: ids valid, tenant granted (another tenant's device is 404), and the
     * platform holds some record of it (status, control or posture evidence).
     */
    private void visible(Principal p, String tenant, String deviceId) {
        if (!DeviceKeys.isValidId(tenant) || !DeviceKeys.isValidId(deviceId)) {
            throw ApiException.badRequest("tenant and device id must be 1-64 characters of [A-Za-z0-9._-]");
        }
        p.requireTenant(tenant, "device " + tenant + "/" + deviceId);
        if (!service.deviceKeys(Set.of(tenant)).contains(DeviceKeys.of(tenant, deviceId))) {
            throw ApiException.notFound("device " + tenant + "/" + deviceId + " not found");
        }
    }

    static String model(Context ctx) {
        String m = ctx.queryParam("model");
        if (m == null || m.isBlank()) {
            return null;
        }
        if (m.length() > 64 || !m.matches("[A-Za-z0-9._-]+")) {
            throw ApiException.badRequest("model must be 1-64 characters of [A-Za-z0-9._-]");
        }
        return m;
    }

    private void fleet(Context ctx) {
        Principal p = Routes.principal(ctx);
        List<PostureService.FleetGuideline> rows = service.fleetStanding(AlertService.scope(p, ctx.queryParam("tenant")),
                model(ctx));
        if (csv(ctx)) {
            download(ctx, "posture-fleet.csv");
            ctx.contentType("text/csv; charset=utf-8").result(PostureService.fleetCsv(rows));
            return;
        }
        download(ctx, "posture-fleet.json");
        ctx.json(Map.of("guidelines", rows));
    }

    private PostureHistory history() {
        if (history == null) {
            throw ApiException.unavailable("no time-series store configured");
        }
        return history;
    }

    private Instant[] window(Context ctx) {
        Instant now = service.clock().instant();
        Instant from = Params.instantParam(ctx, "from");
        Instant to = Params.instantParam(ctx, "to");
        to = to == null ? now : to;
        from = from == null ? to.minus(Duration.ofDays(7)) : from;
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("from must be before to");
        }
        return new Instant[] {from, to};
    }

    private void fleetHistory(Context ctx) {
        Principal p = Routes.principal(ctx);
        Set<String> tenants = AlertService.scope(p, ctx.queryParam("tenant"));
        Instant[] w = window(ctx);
        Duration step = Params.durationParam(ctx, "step", Duration.ofHours(1));
        if (step.toSeconds() < 60 || Duration.between(w[0], w[1]).dividedBy(step) > 5_000) {
            throw ApiException.badRequest("step must be at least 1 minute and give at most 5,000 buckets");
        }
        ctx.json(Map.of("from", w[0], "to", w[1], "step", step.toSeconds(), "series",
                history().fleet(tenants, w[0], w[1], step)));
    }

    private void deviceHistory(Context ctx) {
        Principal p = Routes.principal(ctx);
        String tenant = ctx.pathParam("tenant");
        String deviceId = ctx.pathParam("deviceId");
        visible(p, tenant, deviceId);
        Instant[] w = window(ctx);
        ctx.json(Map.of("tenant", tenant, "deviceId", deviceId, "from", w[0], "to", w[1], "series",
                history().device(tenant, deviceId, w[0], w[1])));
    }

    private void psti(Context ctx) {
        Principal p = Routes.principal(ctx);
        ctx.json(psti.statement(AlertService.scope(p, ctx.queryParam("tenant")), model(ctx)));
    }

    private void ics(Context ctx) {
        Principal p = Routes.principal(ctx);
        IcsExport.Statement s = ics.statement(AlertService.scope(p, ctx.queryParam("tenant")), model(ctx));
        String name = "ics-" + (s.model() == null ? "fleet" : s.model());
        if (csv(ctx)) {
            download(ctx, name + ".csv");
            ctx.contentType("text/csv; charset=utf-8").result(IcsExport.csv(s));
            return;
        }
        download(ctx, name + ".json");
        ctx.json(s);
    }

    private static void download(Context ctx, String name) {
        if (ctx.queryParam("download") != null) {
            ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        }
    }
}
