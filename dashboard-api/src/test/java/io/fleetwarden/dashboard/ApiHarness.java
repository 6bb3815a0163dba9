package io.fleetwarden.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.fleet.InfluxHealthSeries;
import io.fleetwarden.dashboard.kafka.KafkaRecordPublisher;
import io.fleetwarden.dashboard.kafka.TopicMaterializer;
import io.fleetwarden.dashboard.web.Json;
import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;

/**
 * One real dashboard API (real Javalin server, real Kafka, real InfluxDB) for HTTP tests, with
 * API tokens for the usual test principals and a small HTTP client.
 */
public final class ApiHarness implements AutoCloseable {

    /** An HTTP answer. */
    public record Response(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }

    static final ObjectMapper MAPPER = Json.mapper();

    public final DashboardApp app;
    public final TokenStore tokens;
    private final KafkaRecordPublisher publisher;
    private final InfluxHealthSeries influx;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ApiHarness(String kafka, String influxUrl, TokenStore tokens, String... extraConfig) {
        this.tokens = tokens;
        DashboardConfig cfg = Fixtures.config(kafka, influxUrl, extraConfig);
        publisher = new KafkaRecordPublisher(kafka);
        influx = new InfluxHealthSeries(influxUrl, null, null, TestInflux.DATABASE);
        app = DashboardApp.create(new DashboardApp.Dependencies(cfg, Clock.systemUTC(), publisher,
                new TopicMaterializer(kafka), influx, tokens, null, new ReportStore(null))).start();
    }

    /** Waits until the initial replay is done. */
    public ApiHarness awaitReady() throws InterruptedException {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> get("/ready", null).status() == 200);
        return this;
    }

    public static TokenStore tokenStore() {
        return new TokenStore(null, Clock.systemUTC());
    }

    public static String token(TokenStore store, Role role, String... tenants) {
        return store.create(role.name().toLowerCase() + "-" + String.join("-", tenants), role, Set.of(tenants), false,
                "test").secret();
    }

    public static String platformAdmin(TokenStore store) {
        return store.create("platform-admin", Role.ADMIN, Set.of(), true, "test").secret();
    }

    public String base() {
        return "http://127.0.0.1:" + app.port();
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null, Map.of());
    }

    public Response post(String path, String token, Object body) {
        return send("POST", path, token, body, Map.of());
    }

    public Response send(String method, String path, String token, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            headers.forEach(b::header);
            String text = body == null ? null : body instanceof String s ? s : MAPPER.writeValueAsString(body);
            if (text != null && !headers.containsKey("Content-Type")) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.close();
        publisher.close();
        influx.close();
    }

    /** The topics the API reads and writes, as the deployment creates them. */
    public static io.fleetwarden.testsupport.TopicSpec[] topics() {
        return java.util.stream.Stream.of(Topics.ALERTS_SPEC, Topics.ALERT_TRIAGE_SPEC, Topics.DEVICE_STATUS_SPEC,
                Topics.TELEMETRY_SPEC, Topics.SECURITY_EVENTS_SPEC,
                Topics.DEVICE_CONTROLS_SPEC, Topics.FIRMWARE_CATALOG_SPEC, Topics.ADVISORIES_SPEC,
                io.fleetwarden.dashboard.kafka.OwnTopics.AUDIT_SPEC, io.fleetwarden.dashboard.kafka.OwnTopics.AUDIT_DETAILS_SPEC,
                io.fleetwarden.dashboard.kafka.OwnTopics.ERASURES_SPEC, Topics.DEVICE_REGISTRY_SPEC)
                .map(ApiHarness::spec).toArray(io.fleetwarden.testsupport.TopicSpec[]::new);
    }

    private static io.fleetwarden.testsupport.TopicSpec spec(TopicSpec t) {
        io.fleetwarden.testsupport.TopicSpec s = t.compacted() ? io.fleetwarden.testsupport.TopicSpec.compacted(t.name())
                : io.fleetwarden.testsupport.TopicSpec.of(t.name());
        return s.withPartitions(Math.min(t.partitions(), 3));
    }

    /** A producer of Avro-encoded records, as the stream jobs write them. */
    public static KafkaProducer<String, byte[]> producer(String kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
