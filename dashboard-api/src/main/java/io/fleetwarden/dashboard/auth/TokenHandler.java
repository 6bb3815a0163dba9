package io.fleetwarden.dashboard.auth;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.DeviceKeys;
import io.javalin.http.Context;

/**
 * API token management for admins. A tenant-scoped admin creates, sees and revokes tokens only
 * within their own tenants and cannot create platform-wide tokens (platform SOC viewers/analysts or
 * platform admins); only a platform-wide admin can.
 */
public final class TokenHandler {

    private final TokenStore tokens;
    private final ObjectMapper mapper;

    public TokenHandler(TokenStore tokens, ObjectMapper mapper) {
        this.tokens = tokens;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/tokens", Access.ADMIN, "List API tokens (never the secrets)", this::list),
                Route.post("/api/v1/tokens", Access.ADMIN,
                        "Create an API token {name, role, tenants[] | platformWide}; the secret is returned once",
                        this::create),
                Route.delete("/api/v1/tokens/{tokenId}", Access.ADMIN, "Revoke an API token", this::revoke),
                Route.get("/api/v1/me", Access.VIEWER, "The caller's identity, role and tenants", this::me));
    }

    private void me(Context ctx) {
        Principal p = Routes.principal(ctx);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("role", p.role().name().toLowerCase());
        m.put("tenants", p.tenants());
        m.put("platformWide", p.platformWide());
        ctx.json(m);
    }

    private static boolean within(Principal p, TokenStore.StoredToken t) {
        return p.platformWide() || !t.platformWide() && p.canSeeAll(t.tenants());
    }

    private void list(Context ctx) {
        Principal p = Routes.principal(ctx);
        ctx.json(Map.of("items", tokens.list().stream().filter(t -> within(p, t))
                .map(t -> Map.of("id", t.id(), "name", t.name(), "role", t.role(), "tenants", t.tenants(),
                        "platformWide", t.platformWide(), "createdAt", t.createdAt(), "createdBy", t.createdBy()))
                .toList()));
    }

    private void create(Context ctx) {
        Principal p = Routes.principal(ctx);
        JsonNode body = Params.body(ctx, mapper, "name", "role", "tenants", "platformWide");
        String name = Params.requiredText(body, "name", 100);
        if (!name.matches("[A-Za-z0-9 ._@-]{1,100}")) {
            throw ApiException.badRequest("name must be letters, digits, space or ._@-");
        }
        Role role;
        try {
            role = Role.parse(Params.requiredText(body, "role", 20));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("role must be viewer, analyst or admin");
        }
        boolean platformWide = body.path("platformWide").asBoolean(false);
        Set<String> tenants = new HashSet<>();
        JsonNode t = body.get("tenants");
        if (t != null && !t.isNull()) {
            if (!t.isArray() || t.size() > 100) {
                throw ApiException.badRequest("tenants must be an array of tenant ids");
            }
            for (JsonNode n : t) {
                if (!DeviceKeys.isValidId(n.asText())) {
                    throw ApiException.badRequest("tenant ids must be 1-64 characters of [A-Za-z0-9._-]");
                }
                tenants.add(n.asText());
            }
        }
        if (platformWide && !p.platformWide()) {
            throw ApiException.forbidden("only a platform-wide admin can create a platform-wide token");
        }
        if (!platformWide && tenants.isEmpty()) {
            throw ApiException.badRequest("tenants must name at least one tenant");
        }
        if (!p.canSeeAll(tenants)) {
            throw ApiException.forbidden("you can only grant access to your own tenants");
        }
        TokenStore.CreatedToken created = tokens.create(name, role, tenants, platformWide, p.name());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", created.stored().id());
        out.put("name", name);
        out.put("role", created.stored().role());
        out.put("tenants", created.stored().tenants());
        out.put("platformWide", platformWide);
        out.put("token", created.secret());
        ctx.status(201).json(out);
    }

    private void revoke(Context ctx) {
        Principal p = Routes.principal(ctx);
        String id = ctx.pathParam("tokenId");
        TokenStore.StoredToken t = tokens.list().stream().filter(x -> x.id().equals(id)).findFirst()
                .filter(x -> within(p, x)).orElseThrow(() -> ApiException.notFound("token " + id + " not found"));
        tokens.revoke(t.id());
        ctx.status(204);
    }
}
