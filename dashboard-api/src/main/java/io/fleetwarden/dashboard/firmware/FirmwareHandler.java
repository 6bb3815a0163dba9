package io.fleetwarden.dashboard.firmware;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/** HTTP routes of the firmware catalog and advisories. */
public final class FirmwareHandler {

    private final FirmwareService service;
    private final ObjectMapper mapper;

    public FirmwareHandler(FirmwareService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/firmware/catalog", Access.VIEWER, "The firmware catalog",
                        ctx -> ctx.json(Map.of("items", service.catalog()))),
                Route.put("/api/v1/firmware/catalog/{model}", Access.PLATFORM_ADMIN,
                        "Create or replace a model's catalog entry (platform-wide: models are shared by tenants)",
                        this::putCatalog),
                Route.get("/api/v1/firmware/distribution", Access.VIEWER, "Firmware versions per model (tenant)",
                        ctx -> ctx.json(service.distribution(AlertService.scope(Routes.principal(ctx),
                                ctx.queryParam("tenant"))))),
                Route.get("/api/v1/advisories", Access.VIEWER, "List advisories",
                        ctx -> ctx.json(Map.of("items", service.advisories()))),
                Route.post("/api/v1/advisories", Access.PLATFORM_ADMIN, "Publish a platform-wide advisory", this::publish),
                Route.get("/api/v1/advisories/{advisoryId}", Access.VIEWER, "One advisory",
                        ctx -> ctx.json(service.advisory(ctx.pathParam("advisoryId")))),
                Route.post("/api/v1/advisories/{advisoryId}/withdraw", Access.PLATFORM_ADMIN, "Withdraw an advisory",
                        ctx -> ctx.json(service.withdraw(ctx.pathParam("advisoryId")))),
                Route.get("/api/v1/advisories/{advisoryId}/devices", Access.VIEWER,
                        "Devices (of the caller's tenants) the advisory affects",
                        ctx -> ctx.json(Map.of("items", service.affectedDevices(ctx.pathParam("advisoryId"),
                                AlertService.scope(Routes.principal(ctx), ctx.queryParam("tenant")))))));
    }

    private <T> T read(Context ctx, Class<T> type) {
        try {
            T v = mapper.readValue(ctx.body(), type);
            if (v == null) {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            return v;
        } catch (JsonProcessingException e) {
            String field = e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u
                    ? ": unknown field '" + u.getPropertyName() + "'" : "";
            throw ApiException.badRequest("request body does not match the expected shape" + field);
        }
    }

    private void putCatalog(Context ctx) {
        FirmwareService.CatalogInput in = read(ctx, FirmwareService.CatalogInput.class);
        if (!ctx.pathParam("model").equals(in.model())) {
            throw ApiException.badRequest("model in the body must match the path");
        }
        ctx.json(service.putCatalog(in));
    }

    private void publish(Context ctx) {
        ctx.status(201).json(service.publishAdvisory(read(ctx, FirmwareService.AdvisoryInput.class)));
    }
}
