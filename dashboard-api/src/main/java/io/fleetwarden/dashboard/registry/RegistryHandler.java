package io.fleetwarden.dashboard.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.Paging;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/** HTTP routes of the device registry (enrolment API and bulk import). */
public final class RegistryHandler {

    private final RegistryService service;
    private final ObjectMapper mapper;

    public RegistryHandler(RegistryService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/registry/{tenant}/devices", Access.VIEWER,
                        "Registered devices of a tenant (offset, limit): model, region, state, certificates with"
                                + " notAfter, last use and renewal status",
                        this::list),
                Route.post("/api/v1/registry/{tenant}/devices", Access.ADMIN,
                        "Enrol a device {deviceId, model, region?, state?, certificates: [fingerprint | {fingerprint,"
                                + " notAfter}] (at most 2), issuers?: [CA fingerprint]}; 409 when already registered",
                        ctx -> ctx.status(201).json(service.enrol(Routes.principal(ctx), ctx.pathParam("tenant"),
                                Params.body(ctx, mapper)))),
                Route.get("/api/v1/registry/{tenant}/devices/{deviceId}", Access.VIEWER,
                        "One registration: certificates with notAfter, lastUsedAt and renewalDue",
                        ctx -> ctx.json(service.get(Routes.principal(ctx), ctx.pathParam("tenant"),
                                ctx.pathParam("deviceId")))),
                Route.put("/api/v1/registry/{tenant}/devices/{deviceId}", Access.ADMIN,
                        "Replace a registration {model, region?, state?, certificates, issuers?}: add the successor"
                                + " certificate for a rollover, drop the old one after it",
                        ctx -> ctx.json(service.replace(Routes.principal(ctx), ctx.pathParam("tenant"),
                                ctx.pathParam("deviceId"), Params.body(ctx, mapper)))),
                Route.post("/api/v1/registry/{tenant}/devices/{deviceId}/state", Access.ADMIN,
                        "Change a registration's state {state: enrolled|active|pending|suspended|decommissioned, reason};"
                                + " approve a pending just-in-time registration by setting enrolled or active",
                        this::state),
                Route.post("/api/v1/registry/{tenant}/import", Access.ADMIN,
                        "Bulk enrolment, all or nothing, at most " + RegistryService.MAX_IMPORT_ROWS + " rows: a JSON"
                                + " array of enrolment objects (application/json), JSON lines (application/x-ndjson) or CSV (text/csv, header deviceId,model,region,state,"
                                + "certificates,issuers); 200 with per-row results when written, 422 with each refused"
                                + " row's reason when nothing was written",
                        this::importRows),
                Route.get("/api/v1/registry/{tenant}/enrolment-cas", Access.VIEWER,
                        "The tenant's enrolment CAs for just-in-time registration, with their templates",
                        ctx -> ctx.json(service.enrolmentCas(Routes.principal(ctx), ctx.pathParam("tenant")))),
                Route.put("/api/v1/registry/{tenant}/enrolment-cas/{fingerprint}", Access.ADMIN,
                        "Configure an enrolment CA (SHA-256 of its DER) {certificate?: PEM, template: {model, region?,"
                                + " state?: enrolled|active, approvalRequired?, deviceIdPattern?: glob}}: unregistered"
                                + " devices whose certificate chains to it register just in time; 409 when another"
                                + " tenant uses the CA",
                        ctx -> {
                            Map<String, Object> out = service.putEnrolmentCa(Routes.principal(ctx),
                                    ctx.pathParam("tenant"), ctx.pathParam("fingerprint"), Params.body(ctx, mapper));
                            ctx.status(Boolean.TRUE.equals(out.get("created")) ? 201 : 200).json(out);
                        }),
                Route.delete("/api/v1/registry/{tenant}/enrolment-cas/{fingerprint}", Access.ADMIN,
                        "Stop an enrolment CA registering devices (its registrations stay)",
                        ctx -> {
                            service.removeEnrolmentCa(Routes.principal(ctx), ctx.pathParam("tenant"),
                                    ctx.pathParam("fingerprint"));
                            ctx.status(204);
                        }));
    }

    private void list(Context ctx) {
        Paging page = Params.paging(ctx, 100, 1000);
        ctx.json(service.list(Routes.principal(ctx), ctx.pathParam("tenant"), page.offset(), page.limit()));
    }

    private void state(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "state", "reason");
        String state = Params.requiredText(body, "state", 40);
        String reason = Params.requiredText(body, "reason", 1000);
        ctx.json(service.setState(Routes.principal(ctx), ctx.pathParam("tenant"), ctx.pathParam("deviceId"), state,
                reason));
    }

    private void importRows(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
        String format = switch (type) {
            case "application/x-ndjson", "application/jsonl", "application/json-lines" -> "jsonl";
            case "application/json" -> "json";
            case "text/csv" -> "csv";
            default -> null;
        };
        RegistryService.ImportResult r = service.importRows(Routes.principal(ctx), ctx.pathParam("tenant"), format,
                ctx.body());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("written", r.written());
        out.put("rows", r.rows());
        out.put("results", r.results());
        ctx.status(r.written() ? 200 : 422).json(out);
    }
}
