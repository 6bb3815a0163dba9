package io.fleetwarden.dashboard.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the OpenAPI 3.1 document from the route table itself, so the document cannot drift from
 * the routes the server registers (a test compares it with the router's endpoints).
 */
public final class OpenApi {

    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    private OpenApi() {
    }

    public static Map<String, Object> document(List<Route> routes, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "Fleetwarden dashboard API", "version", version,
                "description", "Alerts, devices, responses, fleet health, firmware, advisories, posture,"
                        + " vulnerability disclosure, the audit trail and the SIEM export. Errors are RFC 7807 problem"
                        + " documents. x-fleetwarden-access names who may call an operation: viewer < analyst < admin"
                        + " within the caller's tenants; platform_analyst / platform_admin need a platform-wide grant"
                        + " (platform SOC / platform admin), which alone sees the reserved scopes _front-door and"
                        + " _certificate."));
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer",
                        "description", "API token (fwt_...) or OIDC access token (JWT)")),
                "schemas", Map.of("Problem", Map.of("type", "object", "properties", Map.of(
                        "type", Map.of("type", "string"), "title", Map.of("type", "string"),
                        "status", Map.of("type", "integer"), "detail", Map.of("type", "string"),
                        "instance", Map.of("type", "string"))))));
        Map<String, Map<String, Object>> paths = new TreeMap<>();
        for (Route r : routes) {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("summary", r.summary());
            op.put("x-fleetwarden-access", r.access().name().toLowerCase(Locale.ROOT));
            List<Map<String, Object>> params = new ArrayList<>();
            Matcher m = PARAM.matcher(r.path());
            while (m.find()) {
                params.add(Map.of("name", m.group(1), "in", "path", "required", true,
                        "schema", Map.of("type", "string")));
            }
            if (!params.isEmpty()) {
                op.put("parameters", params);
            }
            Map<String, Object> responses = new LinkedHashMap<>();
            responses.put("200", Map.of("description", "OK"));
            Map<String, Object> problem = Map.of("description", "Problem", "content",
                    Map.of(Problems.CONTENT_TYPE, Map.of("schema", Map.of("$ref", "#/components/schemas/Problem"))));
            responses.put("400", problem);
            if (r.access() != Access.PUBLIC) {
                op.put("security", List.of(Map.of("bearer", List.of())));
                responses.put("401", problem);
                responses.put("403", problem);
            }
            op.put("responses", responses);
            paths.computeIfAbsent(r.path(), k -> new LinkedHashMap<>())
                    .put(r.method().name().toLowerCase(Locale.ROOT), op);
        }
        doc.put("paths", paths);
        return doc;
    }
}
