package io.fleetwarden.dashboard.alert;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/** HTTP routes of the alert queue and triage. */
public final class AlertHandler {

    private static final List<String> STATUSES = List.of("OPEN", "ACKNOWLEDGED", "RESOLVED");
    private static final List<String> SEVERITIES = List.of("INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL");

    private final AlertService service;
    private final ObjectMapper mapper;

    public AlertHandler(AlertService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/alerts", Access.VIEWER,
                        "List alerts (filters: tenant, status, severity, rule, device, cohort, parent (incident alert id), toplevel (true: incidents and standalone alerts only, with member counts), from, to;"
                                + " paging: offset, limit)",
                        this::list),
                Route.get("/api/v1/alerts/{alertId}", Access.VIEWER, "One alert with evidence and triage history", this::get),
                Route.post("/api/v1/alerts/{alertId}/acknowledge", Access.ANALYST, "Acknowledge an alert",
                        ctx -> ctx.json(service.acknowledge(Routes.principal(ctx), id(ctx)))),
                Route.post("/api/v1/alerts/{alertId}/assign", Access.ANALYST, "Assign an alert {assignee}", this::assign),
                Route.post("/api/v1/alerts/{alertId}/comments", Access.ANALYST, "Comment on an alert {text}", this::comment),
                Route.post("/api/v1/alerts/{alertId}/resolve", Access.ANALYST,
                        "Resolve an alert {resolution: true-positive|false-positive|duplicate, comment?}", this::resolve),
                Route.post("/api/v1/alerts/{alertId}/reopen", Access.ANALYST, "Reopen a resolved alert {reason?}", this::reopen));
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("alertId");
        if (id.length() > 200) {
            throw ApiException.badRequest("alertId too long");
        }
        return id;
    }

    private void list(Context ctx) {
        Principal p = Routes.principal(ctx);
        String status = oneOf(ctx, "status", STATUSES);
        String severity = oneOf(ctx, "severity", SEVERITIES);
        AlertQuery q = new AlertQuery(AlertService.scope(p, ctx.queryParam("tenant")), status, severity,
                ctx.queryParam("rule"), ctx.queryParam("device"), ctx.queryParam("cohort"),
                Params.instantParam(ctx, "from"), Params.instantParam(ctx, "to"),
                Params.intParam(ctx, "offset", 0, 0, 10_000_000), Params.intParam(ctx, "limit", 50, 1, 500),
                ctx.queryParam("parent"), bool(ctx, "toplevel"));
        ctx.json(service.list(q));
    }

    private static boolean bool(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank() || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw ApiException.badRequest(name + " must be true or false");
    }

    private static String oneOf(Context ctx, String name, List<String> allowed) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        String u = v.trim().toUpperCase(Locale.ROOT);
        if (!allowed.contains(u)) {
            throw ApiException.badRequest(name + " must be one of " + allowed);
        }
        return u;
    }

    private void get(Context ctx) {
        ctx.json(service.get(Routes.principal(ctx), id(ctx)));
    }

    private void assign(Context ctx) {
        JsonNode body = Params.body(ctx, mapper);
        Params.onlyFields(body, "assignee");
        ctx.json(service.assign(Routes.principal(ctx), id(ctx), Params.requiredText(body, "assignee", 200)));
    }

    private void comment(Context ctx) {
        JsonNode body = Params.body(ctx, mapper);
        Params.onlyFields(body, "text");
        ctx.json(service.comment(Routes.principal(ctx), id(ctx), Params.requiredText(body, "text", 4000)));
    }

    private void resolve(Context ctx) {
        JsonNode body = Params.body(ctx, mapper);
        Params.onlyFields(body, "resolution", "comment");
        String resolution = Params.requiredText(body, "resolution", 40);
        String comment = Params.optionalText(body, "comment", 4000);
        Principal p = Routes.principal(ctx);
        AlertView v = service.resolve(p, id(ctx), resolution);
        if (comment != null && !comment.isBlank()) {
            v = service.comment(p, id(ctx), comment);
        }
        ctx.json(v);
    }

    private void reopen(Context ctx) {
        JsonNode body = Params.body(ctx, mapper);
        Params.onlyFields(body, "reason");
        ctx.json(service.reopen(Routes.principal(ctx), id(ctx), Params.optionalText(body, "reason", 4000)));
    }
}
