package io.fleetwarden.dashboard.disclosure;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.firmware.FirmwareService;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.javalin.http.Context;

/**
 * Vulnerability disclosure (Code of Practice guideline 2): {@code /.well-known/security.txt}
 * (RFC 9116) and a public report intake, size-limited and rate-limited per client address;
 * analysts list and triage reports, and a confirmed report becomes an advisory.
 *
 * <p>Reports are about products shared by tenants, and a confirmed report publishes a platform-wide
 * advisory, so listing and triage need a platform-wide grant (the platform SOC); tenant analysts
 * neither read other people's reports nor publish advisories.
 */
public final class DisclosureHandler {

    private final DisclosureConfig config;
    private final ReportStore reports;
    private final RateLimiter limiter;
    private final FirmwareService firmware;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final AtomicLong refused = new AtomicLong();

    public DisclosureHandler(DisclosureConfig config, ReportStore reports, FirmwareService firmware, ObjectMapper mapper,
                             Clock clock) {
        this.config = config;
        this.reports = reports;
        this.limiter = new RateLimiter(config.reportsPerMinutePerAddress(), clock);
        this.firmware = firmware;
        this.mapper = mapper;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/.well-known/security.txt", Access.PUBLIC, "RFC 9116 security.txt", this::securityTxt),
                Route.post("/api/v1/disclosure/reports", Access.PUBLIC,
                        "Submit a vulnerability report {title, description, model?, affectedVersions?, contact?}",
                        this::submit),
                Route.get("/api/v1/disclosure/reports", Access.PLATFORM_ANALYST, "List vulnerability reports",
                        ctx -> ctx.json(Map.of("items", reports.list()))),
                Route.post("/api/v1/disclosure/reports/{reportId}/triage", Access.PLATFORM_ANALYST,
                        "Triage a report {decision: confirmed|rejected, note, advisory? (when confirmed)}", this::triage));
    }

    /** Reports refused by validation, size or rate limits (exported as a metric). */
    public long refusedCount() {
        return refused.get();
    }

    private void securityTxt(Context ctx) {
        if (!config.published()) {
            throw ApiException.notFound("no security contact is configured");
        }
        StringBuilder b = new StringBuilder();
        for (String c : config.contacts()) {
            b.append("Contact: ").append(c).append('\n');
        }
        b.append("Expires: ").append(DateTimeFormatter.ISO_INSTANT.format(config.expires())).append('\n');
        line(b, "Policy", config.policy());
        line(b, "Acknowledgments", config.acknowledgments());
        line(b, "Preferred-Languages", config.preferredLanguages());
        line(b, "Canonical", config.canonical());
        line(b, "Encryption", config.encryption());
        ctx.contentType("text/plain; charset=utf-8").result(b.toString());
    }

    private static void line(StringBuilder b, String field, String value) {
        if (value != null && !value.isBlank()) {
            b.append(field).append(": ").append(value).append('\n');
        }
    }

    private void submit(Context ctx) {
        if (!limiter.tryAcquire(ctx.ip())) {
            refused.incrementAndGet();
            ctx.header("Retry-After", "60");
            throw ApiException.tooManyRequests("at most " + config.reportsPerMinutePerAddress()
                    + " reports per minute from one address");
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > config.maxReportBytes()) {
            refused.incrementAndGet();
            throw ApiException.tooLarge("a report may be at most " + config.maxReportBytes() + " bytes");
        }
        JsonNode body;
        try {
            body = Params.body(ctx, mapper, "title", "description", "model", "affectedVersions", "contact");
            String title = Params.requiredText(body, "title", 200);
            String description = Params.requiredText(body, "description", config.maxReportBytes());
            String model = Params.optionalText(body, "model", 64);
            String versions = Params.optionalText(body, "affectedVersions", 200);
            String contact = Params.optionalText(body, "contact", 200);
            if (description.length() < 20) {
                throw ApiException.badRequest("description must be at least 20 characters");
            }
            ReportStore.Report r = new ReportStore.Report(UUID.randomUUID().toString(), clock.instant(), title,
                    description, model, versions, contact, "NEW", null, null, null, null);
            reports.put(r);
            ctx.status(202).json(Map.of("reportId", r.id(), "status", "received"));
        } catch (ApiException e) {
            refused.incrementAndGet();
            throw e;
        }
    }

    private void triage(Context ctx) {
        String id = ctx.pathParam("reportId");
        ReportStore.Report r = reports.get(id).orElseThrow(() -> ApiException.notFound("report " + id + " not found"));
        JsonNode body = Params.body(ctx, mapper, "decision", "note", "advisory");
        String decision = Params.requiredText(body, "decision", 20);
        String note = Params.optionalText(body, "note", 4000);
        if (!"NEW".equals(r.status())) {
            throw ApiException.conflict("report is already " + r.status().toLowerCase());
        }
        String advisoryId = null;
        String status;
        if ("confirmed".equals(decision)) {
            JsonNode adv = body.get("advisory");
            if (adv == null || !adv.isObject()) {
                throw ApiException.badRequest("a confirmed report needs an 'advisory' object");
            }
            FirmwareService.AdvisoryInput in;
            try {
                in = mapper.treeToValue(adv, FirmwareService.AdvisoryInput.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw ApiException.badRequest("advisory does not match the expected shape");
            }
            if (in.description() == null) {
                in = new FirmwareService.AdvisoryInput(in.advisoryId(), in.model(), in.affectedVersions(),
                        in.fixedVersion(), in.cveIds(), in.severity(), in.title(), r.description());
            }
            advisoryId = (String) firmware.publishAdvisory(in).get("advisoryId");
            status = "CONFIRMED";
        } else if ("rejected".equals(decision)) {
            status = "REJECTED";
        } else {
            throw ApiException.badRequest("decision must be confirmed or rejected");
        }
        ReportStore.Report t = new ReportStore.Report(r.id(), r.receivedAt(), r.title(), r.description(), r.model(),
                r.affectedVersions(), r.contact(), status, Routes.principal(ctx).name(), clock.instant(), note, advisoryId);
        reports.put(t);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("report", t);
        out.put("advisoryId", advisoryId);
        ctx.json(out);
    }
}
