package io.fleetwarden.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.javalin.http.Context;

/**
 * The request parsing every handler shares: paging, booleans, enumerations, bounded text, path ids and JSON bodies
 * with a closed set of fields. Each refusal is a 400 naming the parameter. The request is a stand-in answering only
 * query parameters, path parameters and the body.
 */
class ParamsTest {

    static final ObjectMapper MAPPER = Json.mapper();

    static Context request(Map<String, String> query, Map<String, String> path, String body) {
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "queryParam" -> query.get((String) args[0]);
                    case "pathParam" -> {
                        String v = path.get((String) args[0]);
                        if (v == null) {
                            throw new IllegalArgumentException("no path parameter " + args[0]);
                        }
                        yield v;
                    }
                    case "body" -> body;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static Context query(Map<String, String> query) {
        return request(query, Map.of(), null);
    }

    static void assertBadRequest(Runnable call, String detail) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).isEqualTo(detail);
        });
    }

    @Test
    void pagingDefaultsAndBounds() {
        assertThat(Params.paging(query(Map.of()), 50, 500)).isEqualTo(new Paging(0, 50));
        assertThat(Params.paging(query(Map.of("offset", "10000000", "limit", "500")), 50, 500))
                .isEqualTo(new Paging(Paging.MAX_OFFSET, 500));
        assertBadRequest(() -> Params.paging(query(Map.of("limit", "501")), 50, 500), "limit must be between 1 and 500");
        assertBadRequest(() -> Params.paging(query(Map.of("limit", "0")), 50, 500), "limit must be between 1 and 500");
        assertBadRequest(() -> Params.paging(query(Map.of("offset", "-1")), 50, 500), "offset must be between 0 and 10000000");
        assertBadRequest(() -> Params.paging(query(Map.of("offset", "99999999999")), 50, 500), "offset must be an integer");
        assertBadRequest(() -> Params.paging(query(Map.of("limit", "1e3")), 50, 500), "limit must be an integer");
    }

    @Test
    void booleansAreTrueFalseOrAbsent() {
        assertThat(Params.booleanParam(query(Map.of()), "connected")).isNull();
        assertThat(Params.booleanParam(query(Map.of("connected", " ")), "connected")).isNull();
        assertThat(Params.booleanParam(query(Map.of("connected", "true")), "connected")).isTrue();
        assertThat(Params.booleanParam(query(Map.of("connected", "false")), "connected")).isFalse();
        assertBadRequest(() -> Params.booleanParam(query(Map.of("toplevel", "TRUE")), "toplevel"), "toplevel must be true or false");
        assertBadRequest(() -> Params.booleanParam(query(Map.of("toplevel", "1")), "toplevel"), "toplevel must be true or false");
    }

    @Test
    void enumerationsAreMatchedWithoutCase() {
        List<String> allowed = List.of("OPEN", "RESOLVED");
        assertThat(Params.oneOf(query(Map.of()), "status", allowed)).isNull();
        assertThat(Params.oneOf(query(Map.of("status", " open ")), "status", allowed)).isEqualTo("OPEN");
        assertBadRequest(() -> Params.oneOf(query(Map.of("status", "OPEN' OR 1=1")), "status", allowed),
                "status must be one of [OPEN, RESOLVED]");
    }

    @Test
    void textAndPathParametersAreBounded() {
        assertThat(Params.textParam(query(Map.of("q", "x".repeat(100))), "q", 100)).hasSize(100);
        assertThat(Params.textParam(query(Map.of()), "q", 100)).isNull();
        assertBadRequest(() -> Params.textParam(query(Map.of("q", "x".repeat(101))), "q", 100), "q must be at most 100 characters");
        assertThat(Params.pathParam(request(Map.of(), Map.of("alertId", "a-1"), null), "alertId", 200)).isEqualTo("a-1");
        assertBadRequest(() -> Params.pathParam(request(Map.of(), Map.of("alertId", "a".repeat(201)), null), "alertId", 200),
                "alertId too long");
    }

    @Test
    void bodiesAreObjectsWithOnlyTheNamedFields() {
        assertThat(Params.body(request(Map.of(), Map.of(), "{\"state\":\"active\",\"reason\":\"r\"}"), MAPPER, "state", "reason")
                .path("state").asText()).isEqualTo("active");
        assertThat(Params.body(request(Map.of(), Map.of(), ""), MAPPER, "reason").isEmpty()).isTrue();
        assertBadRequest(() -> Params.body(request(Map.of(), Map.of(), "{\"reason\":\"r\",\"tenant\":\"other\"}"), MAPPER, "reason"),
                "unknown field 'tenant'");
        assertBadRequest(() -> Params.body(request(Map.of(), Map.of(), "[1]"), MAPPER, "reason"), "request body must be a JSON object");
        assertBadRequest(() -> Params.body(request(Map.of(), Map.of(), "{\"reason\":"), MAPPER, "reason"), "request body is not valid JSON");
    }
}
