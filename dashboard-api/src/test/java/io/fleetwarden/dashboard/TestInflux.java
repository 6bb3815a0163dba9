package io.fleetwarden.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.influxdb.InfluxDB;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.fleetwarden.testsupport.InfluxDbExtension;

/**
 * test-support's real InfluxDB ({@code influxd} child process, one per test class) with the
 * database the API reads and a line-protocol write helper for seeding series.
 */
public final class TestInflux implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    public static final String DATABASE = "fleetwarden";

    private final InfluxDbExtension influx = InfluxDbExtension.withDatabase(DATABASE);
    private InfluxDB client;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public void start() {
        influx.start();
        client = influx.newClient();
    }

    public String url() {
        return influx.url();
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
        influx.close();
    }
}
