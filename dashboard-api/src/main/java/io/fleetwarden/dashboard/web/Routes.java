package io.fleetwarden.dashboard.web;

import io.fleetwarden.dashboard.auth.Authenticator;
import io.fleetwarden.dashboard.auth.Principal;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * Wraps route handlers with authentication and the role check their {@link Access} demands.
 * The check runs inside the route, before the handler, so a route cannot run unauthenticated.
 */
public final class Routes {

    private static final String PRINCIPAL = "fleetwarden.principal";

    private Routes() {
    }

    /** The handler to register for {@code route}: checks access, then calls the route's handler. */
    public static Handler guarded(Route route, Authenticator auth) {
        if (route.access() == Access.PUBLIC) {
            return route.handler();
        }
        return ctx -> {
            Principal p = auth.authenticate(ctx.header("Authorization"));
            if (!p.role().atLeast(route.access().minimumRole())) {
                throw ApiException.forbidden("this action needs the " + route.access().minimumRole().name().toLowerCase()
                        + " role");
            }
            if (route.access().platformOnly() && !p.platformWide()) {
                throw ApiException.forbidden("this action needs a platform-wide "
                        + route.access().minimumRole().name().toLowerCase() + " grant");
            }
            ctx.attribute(PRINCIPAL, p);
            route.handler().handle(ctx);
        };
    }

    /** The authenticated principal of a guarded route. */
    public static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw ApiException.unauthorized("not authenticated");
        }
        return p;
    }
}
