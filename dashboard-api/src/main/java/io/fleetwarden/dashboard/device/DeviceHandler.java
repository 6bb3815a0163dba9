package io.fleetwarden.dashboard.device;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.alert.AlertService;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Paging;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/** HTTP routes of devices and responses (quarantine, release, revoke, decommission). */
public final class DeviceHandler {

    private final DeviceService service;
    private final DecommissionService decommission;
    private final CertificateRevocations certificates;
    private final ObjectMapper mapper;

    public DeviceHandler(DeviceService service, DecommissionService decommission, CertificateRevocations certificates,
                         ObjectMapper mapper) {
        this.service = service;
        this.certificates = certificates;
        this.decommission = decommission;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/devices", Access.VIEWER,
                        "List and search devices (tenant, q, model, connected, offset, limit)", this::list),
                Route.get("/api/v1/devices/{tenant}/{deviceId}", Access.VIEWER,
                        "One device: identity, firmware, connection, risk, open alerts, posture, control state, health (window)",
                        this::get),
                Route.post("/api/v1/devices/{tenant}/{deviceId}/quarantine", Access.ANALYST,
                        "Quarantine a device, seen or not yet seen (applied at its first connect) {reason}", ctx -> ctx.json(service.quarantine(Routes.principal(ctx),
                                ctx.pathParam("tenant"), ctx.pathParam("deviceId"), reason(ctx)))),
                Route.post("/api/v1/devices/{tenant}/{deviceId}/release", Access.ANALYST,
                        "Release a quarantined device {reason}", ctx -> ctx.json(service.release(Routes.principal(ctx),
                                ctx.pathParam("tenant"), ctx.pathParam("deviceId"), reason(ctx)))),
                Route.post("/api/v1/devices/{tenant}/{deviceId}/revoke", Access.ADMIN,
                        "Revoke a device's certificates, seen or not yet seen {reason, serials?}; never narrows a"
                                + " revocation of every certificate", this::revoke),
                Route.post("/api/v1/devices/{tenant}/{deviceId}/unrevoke", Access.ADMIN,
                        "Lift a device's revocation (explicit, audited) {reason}",
                        ctx -> ctx.json(service.unrevoke(Routes.principal(ctx), ctx.pathParam("tenant"),
                                ctx.pathParam("deviceId"), reason(ctx)))),
                Route.get("/api/v1/certificates/revocations", Access.PLATFORM_ADMIN,
                        "Certificate revocations by serial or fingerprint alone",
                        ctx -> ctx.json(java.util.Map.of("items", certificates.list()))),
                Route.post("/api/v1/certificates/revocations", Access.PLATFORM_ADMIN,
                        "Revoke one certificate by serial or SHA-256 fingerprint alone {serial | fingerprint, reason}",
                        this::revokeCertificate),
                Route.post("/api/v1/certificates/revocations/{certificateId}/unrevoke", Access.PLATFORM_ADMIN,
                        "Lift a certificate revocation (explicit, audited) {reason}",
                        ctx -> ctx.json(certificates.unrevoke(Routes.principal(ctx), ctx.pathParam("certificateId"),
                                reason(ctx)))),
                Route.post("/api/v1/devices/{tenant}/{deviceId}/decommission", Access.ADMIN,
                        "Decommission a device: revoke, erase its series, tombstone its keyed records {reason}",
                        ctx -> ctx.json(decommission.decommission(Routes.principal(ctx), ctx.pathParam("tenant"),
                                ctx.pathParam("deviceId"), reason(ctx)))));
    }

    private void list(Context ctx) {
        Principal p = Routes.principal(ctx);
        Boolean connected = Params.booleanParam(ctx, "connected");
        String q = Params.textParam(ctx, "q", 100);
        Set<String> tenants = AlertService.scope(p, ctx.queryParam("tenant"));
        Paging page = Params.paging(ctx, 50, 500);
        ctx.json(service.list(tenants, q, ctx.queryParam("model"), connected, page.offset(), page.limit()));
    }

    private void get(Context ctx) {
        Duration window = Params.durationParam(ctx, "window", Duration.ofHours(6));
        if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(31)) > 0) {
            throw ApiException.badRequest("window must be between 1s and 31 days");
        }
        ctx.json(service.get(Routes.principal(ctx), ctx.pathParam("tenant"), ctx.pathParam("deviceId"), window));
    }

    private String reason(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "reason");
        return Params.requiredText(body, "reason", 1000);
    }

    private void revokeCertificate(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "reason", "serial", "fingerprint");
        String reason = Params.requiredText(body, "reason", 1000);
        ctx.status(201).json(certificates.revoke(Routes.principal(ctx), Params.optionalText(body, "serial", 100),
                Params.optionalText(body, "fingerprint", 100), reason));
    }

    private void revoke(Context ctx) {
        JsonNode body = Params.body(ctx, mapper, "reason", "serials");
        String reason = Params.requiredText(body, "reason", 1000);
        List<String> serials = new ArrayList<>();
        JsonNode s = body.get("serials");
        if (s != null && !s.isNull()) {
            if (!s.isArray() || s.size() > 100) {
                throw ApiException.badRequest("serials must be an array of at most 100 lowercase hex strings");
            }
            s.forEach(n -> serials.add(n.asText()));
        }
        ctx.json(service.revoke(Routes.principal(ctx), ctx.pathParam("tenant"), ctx.pathParam("deviceId"), serials, reason));
    }
}
