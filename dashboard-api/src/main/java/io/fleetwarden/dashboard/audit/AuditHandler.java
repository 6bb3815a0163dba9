package io.fleetwarden.dashboard.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/**
 * Reading and verifying audit chains. A chain is visible when the caller may see the scope of every
 * entry (tenant chains to that tenant's users, reserved scopes to platform-wide grants); otherwise,
 * and for a chain with no entries, 404. Chains stay readable after the subject's erasure, with the
 * erased details marked.
 */
public final class AuditHandler {

    private final AuditStore store;
    private final AuditLog log;

    public AuditHandler(AuditStore store, AuditLog log) {
        this.store = store;
        this.log = log;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/audit", Access.ANALYST,
                        "One audit chain (chain=alert:<id> | device:<tenant>/<id> | certificate:<id> |"
                                + " enrolment-ca:<fingerprint>): entries and"
                                + " verification", this::chain),
                Route.get("/api/v1/audit/verify", Access.ANALYST,
                        "Verify one audit chain's SHA-256 hash links, sequence and details (chain)", this::verify));
    }

    private String visibleChain(Context ctx) {
        String chain = ctx.queryParam("chain");
        if (chain == null || !chain.matches("(alert|device|certificate|enrolment-ca):[A-Za-z0-9._:/-]{1,200}")) {
            throw ApiException.badRequest("chain must be alert:<id>, device:<tenant>/<id>, certificate:<id> or"
                    + " enrolment-ca:<fingerprint>");
        }
        Principal p = Routes.principal(ctx);
        List<AuditEntry> entries = store.chain(chain);
        if (entries.isEmpty() || !entries.stream().allMatch(e -> p.canSee(e.scope()))) {
            throw ApiException.notFound("audit chain " + chain + " not found");
        }
        return chain;
    }

    private void chain(Context ctx) {
        String chain = visibleChain(ctx);
        List<Map<String, Object>> items = new ArrayList<>();
        for (AuditEntry e : store.chain(chain)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", e.seq());
            m.put("scope", e.scope());
            m.put("action", e.action());
            m.put("actor", e.actor());
            m.put("at", e.at());
            String detail = e.detailDigest() == null ? null : store.detail(e.id()).map(AuditDetail::text).orElse(null);
            m.put("detail", detail);
            m.put("detailErased", e.detailDigest() != null && detail == null);
            m.put("prevHash", e.prevHash());
            m.put("hash", e.hash());
            items.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("chain", chain);
        out.put("entries", items);
        out.put("verification", log.verify(chain));
        ctx.json(out);
    }

    private void verify(Context ctx) {
        ctx.json(log.verify(visibleChain(ctx)));
    }
}
