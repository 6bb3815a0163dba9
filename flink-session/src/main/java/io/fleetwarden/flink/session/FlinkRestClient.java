package io.fleetwarden.flink.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client of a Flink JobManager's REST API, used as a user uses it: upload a job jar ({@code POST /jars/upload}),
 * run it ({@code POST /jars/{id}/run}, optionally from a savepoint), read job, task and checkpoint state, stop a job
 * with a savepoint ({@code POST /jobs/{id}/stop}) or cancel it. JDK {@link HttpClient}, answers as Jackson trees.
 *
 * <p>Ids that go into a URL path (job ids, jar ids, trigger ids) are checked against Flink's formats first, so a
 * value read from a file or a caller never turns into another request path. Thread-safe.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern JAR_ID = Pattern.compile("[0-9a-fA-F-]{36}_[A-Za-z0-9._-]{1,200}\\.jar");
    private static final Pattern TRIGGER_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Set<String> TERMINAL = Set.of("FAILED", "CANCELED", "FINISHED");

    private final String restUrl;
    private final Duration requestTimeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param restUrl        e.g. {@code http://127.0.0.1:8081}
     * @param requestTimeout per request (uploads of a large jar on a loaded machine take seconds)
     */
    public FlinkRestClient(String restUrl, Duration requestTimeout) {
        URI uri = URI.create(restUrl);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the REST URL is http://HOST:PORT: " + restUrl);
        }
        this.restUrl = restUrl.replaceAll("/+$", "");
        this.requestTimeout = requestTimeout;
    }

    public String restUrl() {
        return restUrl;
    }

    /** Whether a job state is final ({@code FAILED}, {@code CANCELED}, {@code FINISHED}). */
    public static boolean isTerminal(String state) {
        return TERMINAL.contains(state);
    }

    /** Throws unless {@code jobId} is a Flink job id (32 lower-case hex digits). */
    public static String checkJobId(String jobId) {
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("not a Flink job id (32 hex digits): " + jobId);
        }
        return jobId;
    }

    // ---------------------------------------------------------------------------------- cluster

    /** Whether the REST API answers at all ({@code GET /config}). */
    public boolean answers() {
        try {
            get("/config");
            return true;
        } catch (UncheckedIOException | IllegalStateException e) {
            return false;
        }
    }

    /** Resource ids of the TaskManagers the JobManager knows ({@code GET /taskmanagers}). */
    public Set<String> registeredTaskManagers() {
        Set<String> ids = new LinkedHashSet<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Free and total slots, running jobs ({@code GET /overview}). */
    public JsonNode overview() {
        return get("/overview");
    }

    /** Every job the cluster knows with its state ({@code GET /jobs}: {@code [{id, status}]}). */
    public JsonNode jobs() {
        return get("/jobs").path("jobs");
    }

    // ---------------------------------------------------------------------------------- jars and jobs

    /**
     * Uploads a job jar ({@code POST /jars/upload}, multipart field {@code jarfile}).
     *
     * @return the jar id the JobManager assigned
     */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "----fleetwarden" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName().toString().replace("\"", "") + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/jars/upload")).timeout(requestTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        JsonNode answer = send(request);
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("jar upload refused: " + answer);
        }
        return Path.of(answer.path("filename").asText()).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/{id}/run}): the JobManager runs the jar's main method, which builds the
     * job graph and submits it.
     *
     * @param jarId       from {@link #uploadJar(Path)}
     * @param entryClass  main class, or {@code null} for the manifest's
     * @param args        program arguments
     * @param parallelism default parallelism, or 0 for the job's own
     * @param savepoint   savepoint or retained checkpoint to restore from, or {@code null}
     * @return the job id
     */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism, String savepoint) {
        if (jarId == null || !JAR_ID.matcher(jarId).matches()) {
            throw new IllegalArgumentException("not a jar id of /jars/upload: " + jarId);
        }
        ObjectNode body = JSON.createObjectNode();
        if (entryClass != null) {
            body.put("entryClass", entryClass);
        }
        body.set("programArgsList", JSON.valueToTree(args));
        if (parallelism > 0) {
            body.put("parallelism", parallelism);
        }
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", body);
        String jobId = answer.path("jobid").asText(null);
        if (jobId == null) {
            throw new IllegalStateException("job not started: " + answer);
        }
        return jobId;
    }

    /** {@code GET /jobs/{id}}: state, vertices with their parallelism and task states. */
    public JsonNode job(String jobId) {
        return get("/jobs/" + checkJobId(jobId));
    }

    /** {@code GET /jobs/{id}/exceptions}: the root cause and the history of failures. */
    public JsonNode exceptions(String jobId) {
        return get("/jobs/" + checkJobId(jobId) + "/exceptions");
    }

    /**
     * Whether the job is RUNNING with every task of every vertex RUNNING (not just scheduled), i.e. it processes
     * records again after a (re)start.
     */
    public boolean allTasksRunning(String jobId) {
        return allTasksRunning(job(jobId));
    }

    /** {@link #allTasksRunning(String)} of an answer of {@link #job(String)}. */
    public static boolean allTasksRunning(JsonNode job) {
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until {@link #allTasksRunning(String)}; fails at once when the job reaches a final state. */
    public void awaitAllTasksRunning(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = job(jobId);
            String state = job.path("state").asText();
            if (isTerminal(state)) {
                throw new IllegalStateException("job " + jobId + " is " + state + ": " + exceptions(jobId));
            }
            if (allTasksRunning(job)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("job " + jobId + " not running within " + timeout + ": " + job(jobId)
                + " exceptions: " + exceptions(jobId));
    }

    /** {@code GET /jobs/{id}/checkpoints}: counts, latest completed and restored checkpoint. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + checkJobId(jobId) + "/checkpoints");
    }

    /** Number of completed checkpoints of the job so far. */
    public long completedCheckpoints(String jobId) {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** Waits until the job has completed at least {@code n} checkpoints. */
    public void awaitCompletedCheckpoints(String jobId, long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (completedCheckpoints(jobId) >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " completed fewer than " + n + " checkpoints within " + timeout
                + ": " + checkpoints(jobId));
    }

    /** Number of times the job was restored from a checkpoint or savepoint ({@code counts.restored}). */
    public long restoredCount(String jobId) {
        return checkpoints(jobId).path("counts").path("restored").asLong();
    }

    /** Resource ids of the TaskManagers that run at least one task of the job. */
    public Set<String> taskManagersOf(String jobId) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            String vertex = v.path("id").asText();
            if (!vertex.matches("[0-9a-f]{32}")) {
                throw new IllegalStateException("unexpected vertex id " + vertex);
            }
            get("/jobs/" + jobId + "/vertices/" + vertex + "/taskmanagers").path("taskmanagers")
                    .forEach(tm -> ids.add(tm.path("taskmanager-id").asText()));
        }
        return ids;
    }

    /** Number of times the job restarted ({@code numRestarts} metric of the job). */
    public long restarts(String jobId) {
        for (JsonNode e : get("/jobs/" + checkJobId(jobId) + "/metrics?get=numRestarts")) {
            return e.path("value").asLong();
        }
        return 0;
    }

    /**
     * Stops the job with a savepoint into {@code targetDirectory} ({@code POST /jobs/{id}/stop}, then polls the
     * trigger) and returns the savepoint's location.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        String trigger = post("/jobs/" + checkJobId(jobId) + "/stop", body).path("request-id").asText();
        if (!TRIGGER_ID.matcher(trigger).matches()) {
            throw new IllegalStateException("stop-with-savepoint of " + jobId + " not triggered: " + trigger);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode st = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(st.path("status").path("id").asText())) {
                JsonNode op = st.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint failed: " + op.path("failure-cause"));
                }
                return op.path("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("stop-with-savepoint of " + jobId + " not done within " + timeout);
    }

    /** Cancels a job ({@code PATCH /jobs/{id}?mode=cancel}). */
    public void cancel(String jobId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + checkJobId(jobId) + "?mode=cancel"))
                .timeout(requestTimeout).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        try {
            send(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------- plumbing

    /** GET on the REST API, answer as JSON; {@link IllegalStateException} on a non-2xx answer. */
    public JsonNode get(String path) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(requestTimeout).GET().build());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        }
    }

    /** POST of a JSON body, answer as JSON. */
    public JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl + path)).timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path, e);
        }
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " -> HTTP "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
