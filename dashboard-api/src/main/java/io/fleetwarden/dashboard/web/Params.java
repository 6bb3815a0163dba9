package io.fleetwarden.dashboard.web;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.model.Durations;
import io.javalin.http.Context;

/** Request parameter parsing that refuses bad input with a message naming the parameter. */
public final class Params {

    private Params() {
    }

    public static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw ApiException.badRequest(name + " must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be an integer");
        }
    }

    /** {@code offset} (default 0) and {@code limit} (default {@code defaultLimit}, at most {@code maxLimit}). */
    public static Paging paging(Context ctx, int defaultLimit, int maxLimit) {
        return new Paging(intParam(ctx, "offset", 0, 0, Paging.MAX_OFFSET), intParam(ctx, "limit", defaultLimit, 1, maxLimit));
    }

    /** {@code true} or {@code false}; null when absent or blank; anything else is a 400. */
    public static Boolean booleanParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.valueOf(v);
        }
        throw ApiException.badRequest(name + " must be true or false");
    }

    /** One of {@code allowed} (upper-case names; the value is matched case-insensitively), or null when absent. */
    public static String oneOf(Context ctx, String name, List<String> allowed) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        String u = v.trim().toUpperCase(Locale.ROOT);
        if (!allowed.contains(u)) {
            throw ApiException.badRequest(name + " must be one of " + allowed);
        }
        return u;
    }

    /** A query parameter of at most {@code maxLength} characters, or null when absent. */
    public static String textParam(Context ctx, String name, int maxLength) {
        String v = ctx.queryParam(name);
        if (v != null && v.length() > maxLength) {
            throw ApiException.badRequest(name + " must be at most " + maxLength + " characters");
        }
        return v;
    }

    /** A path parameter of at most {@code maxLength} characters. */
    public static String pathParam(Context ctx, String name, int maxLength) {
        String v = ctx.pathParam(name);
        if (v.length() > maxLength) {
            throw ApiException.badRequest(name + " too long");
        }
        return v;
    }

    /** An ISO-8601 instant, or null when absent. */
    public static Instant instantParam(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    /**
     * A positive duration in the project's one syntax (event-model {@link Durations}: {@code PT1M}, {@code 30s},
     * {@code 5m}, {@code 1h}, {@code 1d}); negative, zero, overflowing and malformed values are a 400.
     */
    public static Duration durationParam(Context ctx, String name, Duration dflt) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return dflt;
        }
        try {
            return Durations.parsePositive(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + " must be a positive duration such as PT1M, 30s, 5m, 1h or 1d");
        }
    }

    /** Parses a JSON object body; refuses anything else. */
    public static JsonNode body(Context ctx, ObjectMapper mapper) {
        String text = ctx.body();
        if (text == null || text.isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON");
        }
    }

    /**
     * Parses a JSON object body that may carry only the named fields ({@link #onlyFields}); an absent body is an
     * empty object.
     */
    public static JsonNode body(Context ctx, ObjectMapper mapper, String field, String... moreFields) {
        JsonNode body = body(ctx, mapper);
        String[] allowed = new String[moreFields.length + 1];
        allowed[0] = field;
        System.arraycopy(moreFields, 0, allowed, 1, moreFields.length);
        onlyFields(body, allowed);
        return body;
    }

    /** A required string field of at most {@code maxLength} characters. */
    public static String requiredText(JsonNode body, String field, int maxLength) {
        String v = optionalText(body, field, maxLength);
        if (v == null || v.isBlank()) {
            throw ApiException.badRequest("field '" + field + "' is required");
        }
        return v;
    }

    public static String optionalText(JsonNode body, String field, int maxLength) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("field '" + field + "' must be a string");
        }
        String v = n.asText();
        if (v.length() > maxLength) {
            throw ApiException.badRequest("field '" + field + "' must be at most " + maxLength + " characters");
        }
        return v;
    }

    /** Refuses fields other than the allowed ones, so typos do not pass silently. */
    public static void onlyFields(JsonNode body, String... allowed) {
        java.util.Set<String> ok = java.util.Set.of(allowed);
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String f = e.getKey();
            if (!ok.contains(f)) {
                throw ApiException.badRequest("unknown field '" + f + "'");
            }
        }
    }
}
