package io.fleetwarden.dashboard.cra;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/**
 * CRA Article 14 reporting cases: mark exploited, cases with deadlines, drafts, submissions, reminders.
 * Opening a case, recording its fix and its submissions is the manufacturer's platform-wide work (a
 * case spans every tenant the advisory affects): platform SOC or platform admin. Reading is open to
 * every role, scoped by {@link CraService} to the caller's tenants and devices.
 */
public final class CraHandler {

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,80}");

    private final CraService service;
    private final ObjectMapper mapper;

    public CraHandler(CraService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/v1/advisories/{advisoryId}/exploited", Access.PLATFORM_ANALYST,
                        "Mark an advisory actively exploited: opens its CRA Article 14 case {awareAt?, alertId?, note?}",
                        this::markExploited),
                Route.get("/api/v1/cra/cases", Access.VIEWER, "CRA Article 14 cases with deadlines (scoped to your tenants)",
                        ctx -> ctx.json(Map.of("items", service.cases(Routes.principal(ctx))))),
                Route.get("/api/v1/cra/cases/{caseId}", Access.VIEWER,
                        "One CRA case: deadlines, affected devices per tenant and version, mitigation, audit trail",
                        ctx -> ctx.json(service.view(Routes.principal(ctx), id(ctx, "caseId")))),
                Route.get("/api/v1/cra/cases/{caseId}/drafts/{stage}", Access.VIEWER,
                        "JSON draft of early-warning, notification or final-report (download for an attachment)",
                        this::draft),
                Route.post("/api/v1/cra/cases/{caseId}/fix", Access.PLATFORM_ANALYST,
                        "Record that a fix or mitigation is available {availableAt?, note?}: starts the final report's 14 days",
                        this::fix),
                Route.post("/api/v1/cra/cases/{caseId}/submissions", Access.PLATFORM_ANALYST,
                        "Record a stage as submitted {stage, reference}", this::submit),
                Route.get("/api/v1/cra/proposals", Access.VIEWER,
                        "Open alerts naming a CVE of an advisory not yet marked exploited", ctx -> ctx.json(Map.of("items",
                                service.proposals(Routes.principal(ctx))))),
                Route.get("/api/v1/cra/reminders", Access.VIEWER, "Reminders raised for deadlines not yet met",
                        ctx -> ctx.json(Map.of("items", service.reminders(Routes.principal(ctx))))));
    }

    private static String id(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!ID.matcher(v).matches()) {
            throw ApiException.badRequest(name + " must be 1-80 characters of [A-Za-z0-9._-]");
        }
        return v;
    }

    private static Instant instant(JsonNode body, String field) {
        String v = Params.optionalText(body, field, 40);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("field '" + field + "' must be an ISO-8601 instant");
        }
    }

    private void markExploited(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "awareAt", "alertId", "note");
        CraCase c = service.markExploited(Routes.principal(ctx), id(ctx, "advisoryId"), instant(body, "awareAt"),
                Params.optionalText(body, "alertId", 200), Params.optionalText(body, "note", 2000));
        ctx.status(201).json(service.view(Routes.principal(ctx), c.caseId()));
    }

    private void draft(Context ctx) {
        String caseId = id(ctx, "caseId");
        String stage = id(ctx, "stage");
        if (ctx.queryParam("download") != null) {
            ctx.header("Content-Disposition", "attachment; filename=\"" + caseId + "-" + stage + ".json\"");
        }
        ctx.json(service.draft(Routes.principal(ctx), caseId, stage));
    }

    private void fix(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "availableAt", "note");
        CraCase c = service.fixAvailable(Routes.principal(ctx), id(ctx, "caseId"), instant(body, "availableAt"),
                Params.optionalText(body, "note", 2000));
        ctx.json(service.view(Routes.principal(ctx), c.caseId()));
    }

    private void submit(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "stage", "reference");
        CraCase c = service.submit(Routes.principal(ctx), id(ctx, "caseId"), Params.requiredText(body, "stage", 20),
                Params.requiredText(body, "reference", 200));
        ctx.json(service.view(Routes.principal(ctx), c.caseId()));
    }
}
