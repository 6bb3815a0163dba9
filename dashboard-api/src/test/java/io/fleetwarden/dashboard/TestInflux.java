package io.fleetwarden.dashboard;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Query;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real InfluxDB 1.x ({@code /usr/bin/influxd}, Debian package {@code influxdb}) as a child
 * process on free ports with its data in a temporary folder, one per test class. Kept local until
 * test-support ships its InfluxDB extension.
 */
public final class TestInflux implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    public static final String DATABASE = "fleetwarden";

    private Process process;
    private Path dir;
    private int httpPort;
    private InfluxDB client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public void start() throws Exception {
        String binary = System.getProperty("influxd.binary", "/usr/bin/influxd");
        dir = Files.createTempDirectory("influxd");
        httpPort = freePort();
        int rpcPort = freePort();
        Path conf = dir.resolve("influxdb.conf");
        Files.writeString(conf, String.join("\n",
                "reporting-disabled = true",
                "bind-address = \"127.0.0.1:" + rpcPort + "\"",
                "[meta]", "  dir = \"" + dir.resolve("meta") + "\"",
                "[data]", "  dir = \"" + dir.resolve("data") + "\"", "  wal-dir = \"" + dir.resolve("wal") + "\"",
                "  query-log-enabled = false",
                "[http]", "  bind-address = \"127.0.0.1:" + httpPort + "\"", "  log-enabled = false",
                "[monitor]", "  store-enabled = false",
                "[continuous_queries]", "  enabled = false", ""));
        process = new ProcessBuilder(binary, "run", "-config", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("influxd.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/ping")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 204) {
                    break;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("influxd did not start: " + Files.readString(dir.resolve("influxd.log")));
            }
            Thread.sleep(100);
        }
        client = InfluxDBFactory.connect(url());
        client.query(new Query("CREATE DATABASE " + DATABASE));
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Writes points in line protocol (precision ms) and returns when they are stored. */
    public void write(String lineProtocol) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url() + "/write?db=" + DATABASE + "&precision=ms"))
                .POST(HttpRequest.BodyPublishers.ofString(lineProtocol)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) {
            throw new IllegalStateException("influx write failed: " + r.statusCode() + " " + r.body());
        }
    }

    public InfluxDB client() {
        return client;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
