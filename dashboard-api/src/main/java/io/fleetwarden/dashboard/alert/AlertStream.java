package io.fleetwarden.dashboard.alert;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.web.Access;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Params;
import io.fleetwarden.dashboard.web.Route;
import io.fleetwarden.dashboard.web.Routes;
import io.fleetwarden.model.Alert;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

/**
 * Live alert queue: {@code GET /api/v1/alert-events} is a server-sent event stream of every new or
 * changed alert (a new revision from {@code fleet.alerts} or a triage change) in the list form of
 * {@code GET /api/v1/alerts}, event name {@code alert}. It is scoped exactly like the list: the
 * caller's tenants (or the one {@code tenant} asked for, checked), every tenant and reserved scope
 * for a platform-wide grant. A stream lasts {@code for} (default and maximum 10 minutes), then the
 * server closes it and the client reconnects, authenticating again (a revoked token stops
 * receiving within that time). A comment line every 15 s keeps proxies from closing an idle stream.
 */
public final class AlertStream implements AutoCloseable {

    static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

    private record Subscriber(Principal principal, Set<String> tenants, SseClient client) {
        boolean sees(Alert a) {
            return principal.canSee(a.getTenant()) && (tenants.isEmpty() || tenants.contains(a.getTenant()));
        }
    }

    private final AlertStore store;
    private final ObjectMapper mapper;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong sent = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-events");
        t.setDaemon(true);
        return t;
    });

    public AlertStream(AlertStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
        store.addChangeListener(this::changed);
        timer.scheduleAtFixedRate(() -> subscribers.forEach(s -> {
            if (!s.client().terminated()) {
                s.client().sendComment("keep-alive");
            }
        }), 15, 15, TimeUnit.SECONDS);
    }

    public List<Route> routes() {
        return List.of(Route.get("/api/v1/alert-events", Access.VIEWER,
                "Server-sent events: every new or changed alert in the caller's scope (event 'alert', list form);"
                        + " tenant, for (stream lifetime, at most PT10M)",
                this::open));
    }

    /** Checks scope and lifetime before the stream starts, so a refusal is an ordinary problem answer. */
    private void open(Context ctx) throws Exception {
        Principal p = Routes.principal(ctx);
        Set<String> tenants = AlertService.scope(p, ctx.queryParam("tenant"));
        Duration lifetime = Params.durationParam(ctx, "for", MAX_LIFETIME);
        if (lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw ApiException.badRequest("for must be at most " + MAX_LIFETIME);
        }
        new SseHandler(client -> subscribe(client, p, tenants, lifetime)).handle(ctx);
    }

    private void subscribe(SseClient client, Principal p, Set<String> tenants, Duration lifetime) {
        Subscriber s = new Subscriber(p, tenants, client);
        client.keepAlive();
        client.onClose(() -> subscribers.remove(s));
        subscribers.add(s);
        client.sendEvent("hello", "{\"connected\":true}");
        timer.schedule(client::close, lifetime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Number of open streams (metrics, tests). */
    public int subscribers() {
        return subscribers.size();
    }

    /** Events sent so far. */
    public long sent() {
        return sent.get();
    }

    private void changed(String alertId) {
        if (subscribers.isEmpty()) {
            return;
        }
        Alert a = store.alert(alertId).orElse(null);
        if (a == null) {
            return;
        }
        String json;
        try {
            json = mapper.writeValueAsString(AlertService.toView(a, store.triage(alertId).orElse(null)));
        } catch (JsonProcessingException e) {
            return;
        }
        for (Subscriber s : subscribers) {
            if (s.client().terminated()) {
                subscribers.remove(s);
            } else if (s.sees(a)) {
                s.client().sendEvent("alert", json, alertId + "@" + a.getRevision());
                sent.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        subscribers.forEach(s -> s.client().close());
        subscribers.clear();
    }
}
