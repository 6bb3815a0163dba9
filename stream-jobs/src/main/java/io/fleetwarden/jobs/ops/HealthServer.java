package io.fleetwarden.jobs.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves {@link JobHealth} over HTTP: {@code /health/live} and {@code /health/ready} answer 200 or 503
 * with a JSON body naming each check; every other path is 404.
 */
public final class HealthServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;

    private HealthServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts serving on {@code bindAddress:port} (port 0 picks a free one). */
    public static HealthServer start(String bindAddress, int port, JobHealth health) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 10);
        ExecutorService threads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fleetwarden-health-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/health/live", ex -> answer(ex, health::liveness));
        server.createContext("/health/ready", ex -> answer(ex, health::readiness));
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
        return new HealthServer(server, threads);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, Supplier<JobHealth.Report> check) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            JobHealth.Report report = check.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", report.ok() ? "UP" : "DOWN");
            Map<String, Object> checks = new LinkedHashMap<>();
            for (JobHealth.Check c : report.checks()) {
                checks.put(c.name(), Map.of("ok", c.ok(), "detail", c.detail()));
            }
            body.put("checks", checks);
            byte[] bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(report.ok() ? 200 : 503, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
