package io.fleetwarden.dashboard.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.Alert;
import io.javalin.http.Context;

/**
 * Alert export for the SOC's own tools: a pull-based SIEM stream of OCSF Detection Findings as
 * NDJSON ({@code since} = last {@code time} seen, exclusive), and the webhook delivery status.
 */
public final class ExportHandler {

    private final AlertStore store;
    private final WebhookDispatcher webhooks;
    private final ObjectMapper mapper;

    public ExportHandler(AlertStore store, WebhookDispatcher webhooks, ObjectMapper mapper) {
        this.store = store;
        this.webhooks = webhooks;
        this.mapper = mapper;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/api/v1/export/ocsf", Access.ANALYST,
                        "Alerts as OCSF 1.3 Detection Findings, NDJSON (tenant, since, limit)", this::ocsf),
                Route.get("/api/v1/export/webhooks", Access.ADMIN, "Webhook delivery status",
                        ctx -> ctx.json(Map.of("items", webhooks.status()))));
    }

    private void ocsf(Context ctx) throws JsonProcessingException {
        Set<String> tenants = AlertService.scope(Routes.principal(ctx), ctx.queryParam("tenant"));
        Instant since = Params.instantParam(ctx, "since");
        int limit = Params.intParam(ctx, "limit", 1000, 1, 10_000);
        List<Alert> matched = new ArrayList<>();
        for (Alert a : store.alerts()) {
            if ((tenants.isEmpty() || tenants.contains(a.getTenant()))
                    && (since == null || a.getUpdatedAt().isAfter(since))) {
                matched.add(a);
            }
        }
        matched.sort(Comparator.comparing(Alert::getUpdatedAt).thenComparing(Alert::getAlertId));
        StringBuilder b = new StringBuilder();
        for (Alert a : matched.subList(0, Math.min(limit, matched.size()))) {
            b.append(mapper.writeValueAsString(OcsfMapper.detectionFinding(a,
                    store.triage(a.getAlertId()).orElse(null), "0.1.0"))).append('\n');
        }
        ctx.contentType("application/x-ndjson").result(b.toString());
    }
}
