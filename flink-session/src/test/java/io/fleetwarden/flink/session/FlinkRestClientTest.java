package io.fleetwarden.flink.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The client against a stand-in JobManager (the JDK's HTTP server answering as Flink's REST API does). */
class FlinkRestClientTest {

    private static final String JOB = "0123456789abcdef0123456789abcdef";
    private static final String JAR = "8c1b5c5e-1f6a-4b7c-9d0e-2f3a4b5c6d7e_job.jar";

    private HttpServer server;
    private FlinkRestClient client;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        client = new FlinkRestClient("http://127.0.0.1:" + server.getAddress().getPort(), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String path = x.getRequestURI().toString();
        requests.add(x.getRequestMethod() + " " + path);
        bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String body;
        int code = 200;
        if (path.equals("/jars/upload")) {
            body = "{\"filename\":\"/tmp/flink-web/flink-web-upload/" + JAR + "\",\"status\":\"success\"}";
        } else if (path.equals("/jars/" + JAR + "/run")) {
            body = "{\"jobid\":\"" + JOB + "\"}";
        } else if (path.equals("/jobs/" + JOB)) {
            body = "{\"jid\":\"" + JOB + "\",\"state\":\"RUNNING\",\"vertices\":[{\"id\":\"aa\",\"parallelism\":2,\"tasks\":{\"RUNNING\":2}},"
                    + "{\"id\":\"bb\",\"parallelism\":2,\"tasks\":{\"RUNNING\":1,\"DEPLOYING\":1}}]}";
        } else if (path.equals("/jobs/" + JOB + "/stop")) {
            body = "{\"request-id\":\"fedcba9876543210fedcba9876543210\"}";
        } else if (path.equals("/jobs/" + JOB + "/savepoints/fedcba9876543210fedcba9876543210")) {
            body = "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"location\":\"file:/sp/savepoint-1\"}}";
        } else {
            code = 404;
            body = "{\"errors\":[\"Not found: " + path + "\"]}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(code, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Test
    void uploadsRunsWithSavepointAndStopsWithSavepoint() throws Exception {
        Path jar = Files.write(dir.resolve("job.jar"), new byte[] {1, 2, 3});
        String jarId = client.uploadJar(jar);
        assertThat(jarId).isEqualTo(JAR);
        assertThat(bodies.get(0)).contains("name=\"jarfile\"; filename=\"job.jar\"");
        assertThat(client.runJar(jarId, null, List.of("--bootstrap-servers", "k:9092"), 2, "file:/sp/savepoint-0")).isEqualTo(JOB);
        assertThat(bodies.get(1)).contains("\"programArgsList\":[\"--bootstrap-servers\",\"k:9092\"]", "\"parallelism\":2",
                "\"savepointPath\":\"file:/sp/savepoint-0\"", "\"allowNonRestoredState\":false");
        assertThat(client.allTasksRunning(JOB)).as("one task still deploying").isFalse();
        assertThat(client.stopWithSavepoint(JOB, "file:/sp", Duration.ofSeconds(5))).isEqualTo("file:/sp/savepoint-1");
    }

    @Test
    void aNon2xxAnswerIsAnErrorNamingTheRequest() {
        assertThatThrownBy(() -> client.job("ffffffffffffffffffffffffffffffff")).hasMessageContaining("HTTP 404");
    }

    @Test
    void idsThatWouldChangeTheRequestPathAreRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> client.job("../jars")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.cancel(JOB + "?mode=stop")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.runJar("../../jobs/x", null, List.of(), 0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FlinkRestClient("file:///etc/passwd", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(requests).isEmpty();
    }
}
