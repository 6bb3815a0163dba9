package io.fleetwarden.dashboard.alert;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.Paging;
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
        return Params.pathParam(ctx, "alertId", 200);
    }

    private void list(Context ctx) {
        Principal p = Routes.principal(ctx);
        String status = Params.oneOf(ctx, "status", STATUSES);
        String severity = Params.oneOf(ctx, "severity", SEVERITIES);
        Set<String> tenants = AlertService.scope(p, ctx.queryParam("tenant"));
        Instant from = Params.instantParam(ctx, "from");
        Instant to = Params.instantParam(ctx, "to");
        Paging page = Params.paging(ctx, 50, 500);
        AlertQuery q = new AlertQuery(tenants, status, severity, ctx.queryParam("rule"), ctx.queryParam("device"),
                ctx.queryParam("cohort"), from, to, page.offset(), page.limit(), ctx.queryParam("parent"),
                Boolean.TRUE.equals(Params.booleanParam(ctx, "toplevel")));
        ctx.json(service.list(q));
    }

    private void get(Context ctx) {
        ctx.json(service.get(Routes.principal(ctx), id(ctx)));
    }

    private void assign(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "assignee");
        ctx.json(service.assign(Routes.principal(ctx), id(ctx), Params.requiredText(body, "assignee", 200)));
    }

    private void comment(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "text");
        ctx.json(service.comment(Routes.principal(ctx), id(ctx), Params.requiredText(body, "text", 4000)));
    }

    private void resolve(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "resolution", "comment");
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
        JsonNode body = Params.body(ctx, mapper, "reason");
        ctx.json(service.reopen(Routes.principal(ctx), id(ctx), Params.optionalText(body, "reason", 4000)));
    }
}
