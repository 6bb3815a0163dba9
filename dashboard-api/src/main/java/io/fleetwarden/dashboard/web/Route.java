package io.fleetwarden.dashboard.web;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

/**
 * One API route: method, path (Javalin syntax, {@code {id}} for path parameters), who may call it,
 * a one-line summary for the OpenAPI document, and the handler.
 */
public record Route(HandlerType method, String path, Access access, String summary, Handler handler) {

    public static Route get(String path, Access access, String summary, Handler handler) {
        return new Route(HandlerType.GET, path, access, summary, handler);
    }

    public static Route post(String path, Access access, String summary, Handler handler) {
        return new Route(HandlerType.POST, path, access, summary, handler);
    }

    public static Route put(String path, Access access, String summary, Handler handler) {
        return new Route(HandlerType.PUT, path, access, summary, handler);
    }

    public static Route delete(String path, Access access, String summary, Handler handler) {
        return new Route(HandlerType.DELETE, path, access, summary, handler);
    }
}
