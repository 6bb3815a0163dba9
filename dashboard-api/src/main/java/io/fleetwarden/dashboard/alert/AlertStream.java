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
 *
 * <p>A caller controls how fast its stream is read, so nothing is written to a stream on the
 * materialiser's thread: each stream has a bounded queue drained by its own sender thread; a stream
 * whose queue overflows (a client that stopped reading) is closed and counted, the client reconnects
 * and reloads. At most {@link #MAX_SUBSCRIBERS} streams are open at once (503 beyond).
 */
public final class AlertStream implements AutoCloseable {

    static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    static final int MAX_SUBSCRIBERS = 256;
    static final int QUEUE = 1000;
    private static final String[] KEEP_ALIVE = {null, null, null};
    private static final String[] CLOSE = {null, null, null};

    private record Subscriber(Principal principal, Set<String> tenants, SseClient client,
                              java.util.concurrent.BlockingQueue<String[]> queue) {
        boolean sees(Alert a) {
            return principal.canSee(a.getTenant()) && (tenants.isEmpty() || tenants.contains(a.getTenant()));
        }
    }

    private final AlertStore store;
    private final ObjectMapper mapper;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong overflowed = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-events");
        t.setDaemon(true);
        return t;
    });

    public AlertStream(AlertStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
        store.addChangeListener(this::changed);
        timer.scheduleAtFixedRate(() -> subscribers.forEach(s -> offer(s, KEEP_ALIVE)), 15, 15, TimeUnit.SECONDS);
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
        if (subscribers.size() >= MAX_SUBSCRIBERS) {
            throw ApiException.unavailable("too many live alert streams are open; retry later");
        }
        new SseHandler(client -> subscribe(client, p, tenants, lifetime)).handle(ctx);
    }

    private void subscribe(SseClient client, Principal p, Set<String> tenants, Duration lifetime) {
        Subscriber s = new Subscriber(p, tenants, client, new java.util.concurrent.ArrayBlockingQueue<>(QUEUE));
        client.keepAlive();
        client.onClose(() -> subscribers.remove(s));
        subscribers.add(s);
        client.sendEvent("hello", "{\"connected\":true}");
        Thread sender = new Thread(() -> drain(s), "alert-events-sender");
        sender.setDaemon(true);
        sender.start();
        timer.schedule(() -> offer(s, CLOSE), lifetime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The stream's own thread: writes what was queued for it until the stream ends. */
    private void drain(Subscriber s) {
        try {
            while (!s.client().terminated()) {
                String[] e = s.queue().poll(30, TimeUnit.SECONDS);
                if (e == null) {
                    continue;
                }
                if (e == CLOSE) {
                    break;
                }
                if (e == KEEP_ALIVE) {
                    s.client().sendComment("keep-alive");
                } else {
                    s.client().sendEvent(e[0], e[1], e[2]);
                    sent.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the client went away while we wrote: close below
        }
        subscribers.remove(s);
        s.client().close();
    }

    private void offer(Subscriber s, String[] e) {
        if (!s.queue().offer(e)) {
            // the client stopped reading: end its stream (it reconnects and reloads) rather than buffer without bound
            overflowed.incrementAndGet();
            subscribers.remove(s);
            s.queue().clear();
            s.queue().offer(CLOSE);
        }
    }

    /** Number of open streams (metrics, tests). */
    public int subscribers() {
        return subscribers.size();
    }

    /** Streams closed because their client did not keep up. */
    public long overflowed() {
        return overflowed.get();
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
        String[] event = {"alert", json, alertId + "@" + a.getRevision()};
        for (Subscriber s : subscribers) {
            if (s.client().terminated()) {
                subscribers.remove(s);
            } else if (s.sees(a)) {
                offer(s, event);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        subscribers.forEach(s -> {
            s.queue().clear();
            s.queue().offer(CLOSE);
            s.client().close();
        });
        subscribers.clear();
    }
}
