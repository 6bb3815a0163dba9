package io.fleetwarden.dashboard.web;

import java.util.LinkedHashMap;
import java.util.Map;

import io.javalin.http.Context;

/**
 * Writes RFC 7807 {@code application/problem+json} documents. Types are relative URIs under
 * {@code /problems/}, stable so that clients can branch on them.
 */
public final class Problems {

    public static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    /** Renders {@code e} on {@code ctx}. */
    public static void write(Context ctx, ApiException e) {
        write(ctx, e.status(), e.type(), e.title(), e.getMessage());
    }

    /** Renders a problem with the given fields; {@code instance} is the request path. */
    public static void write(Context ctx, int status, String type, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        body.put("instance", ctx.path());
        ctx.status(status);
        ctx.json(body);
        ctx.contentType(CONTENT_TYPE);
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"fleetwarden\"");
        }
        if (status == 503) {
            ctx.header("Retry-After", "5");
        }
    }
}
