package io.fleetwarden.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real Flink standalone <em>session</em> cluster on this machine: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}), each its own
 * JVM started with {@link ProcessBuilder} from the given classpath (the Flink runtime jars Maven resolved;
 * the Flink distribution is not on Maven Central). Jobs are submitted as a user submits them, through the
 * REST API ({@code POST /jars/upload}, {@code POST /jars/{id}/run}); state lives in RocksDB with incremental
 * checkpoints in a local directory.
 *
 * <p>For failure tests: {@link #killTaskManager(String)} kills a TaskManager's process like {@code kill -9}
 * ({@link Process#destroyForcibly()}, SIGKILL on Linux: no shutdown hook runs), {@link #startTaskManager()}
 * adds one, {@link #stopWithSavepoint(String)} stops a job with a savepoint.
 *
 * <p>The configuration written to {@code <workDir>/conf/config.yaml} sets every memory component that
 * flink-dist's scripts would otherwise compute ({@code taskmanager.memory.*}, {@code jobmanager.memory.*}) and
 * the matching JVM options; heartbeats are short so a killed TaskManager is noticed within seconds (two failed
 * heartbeat RPCs), and the restart strategy is a fixed delay of one second.
 *
 * <p>Not thread-safe; one instance per test class.
 */
public final class FlinkSessionCluster implements AutoCloseable {

    /** The JobManager's main class (flink-runtime). */
    public static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    /** The TaskManager's main class (flink-runtime). */
    public static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private final Path confDir;
    private final int restPort;
    private final int rpcPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process jobManager;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private int taskManagerSeq;

    private FlinkSessionCluster(Builder settings) {
        this.settings = settings;
        this.confDir = settings.workDir.resolve("conf");
        this.restPort = Ports.freePort();
        this.rpcPort = Ports.freePort();
    }

    /** @return a builder; {@link Builder#classpath} and {@link Builder#workDir} are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a classpath file as written by {@code maven-dependency-plugin:build-classpath}.
     *
     * @param file one line of paths separated by the platform's path separator
     * @return the entries
     */
    public static List<Path> readClasspathFile(Path file) {
        try {
            String text = Files.readString(file).trim();
            List<Path> out = new ArrayList<>();
            for (String entry : text.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    out.add(Path.of(entry.trim()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Flink cluster classpath " + file, e);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Writes the configuration, starts the JobManager and the TaskManagers and waits until all
     * TaskManagers have registered with the JobManager.
     *
     * @return this
     * @throws IllegalStateException naming the process log when something does not come up in time
     */
    public FlinkSessionCluster start() throws IOException, InterruptedException {
        Files.createDirectories(confDir);
        Files.writeString(confDir.resolve("config.yaml"), configYaml());
        try {
            jobManager = launch("jobmanager", JOB_MANAGER_MAIN, settings.jobManagerHeapMb, 0, List.of());
            awaitRest(settings.startupTimeout);
            for (int i = 0; i < settings.taskManagers; i++) {
                startTaskManager();
            }
            awaitTaskManagers(settings.taskManagers, settings.startupTimeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(); // the caller never gets this instance: leave no process behind
            throw e;
        }
        return this;
    }

    /** The generated {@code config.yaml}: flat keys, as Flink 2's YAML parser accepts. */
    String configYaml() {
        Path dir = settings.workDir;
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slotsPerTaskManager));
        c.put("taskmanager.cpu.cores", Integer.toString(settings.slotsPerTaskManager));
        // Every memory component, as flink-dist's scripts would compute them, and the JVM options to match (launch()).
        c.put("jobmanager.memory.heap.size", settings.jobManagerHeapMb + "m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("jobmanager.memory.jvm-metaspace.size", "160m");
        c.put("jobmanager.memory.jvm-overhead.min", "64m");
        c.put("jobmanager.memory.jvm-overhead.max", "64m");
        c.put("taskmanager.memory.framework.heap.size", "64m");
        c.put("taskmanager.memory.task.heap.size", settings.taskHeapMb + "m");
        c.put("taskmanager.memory.managed.size", settings.managedMb + "m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.task.off-heap.size", "0m");
        c.put("taskmanager.memory.network.min", "64m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.jvm-metaspace.size", "192m");
        c.put("taskmanager.memory.jvm-overhead.min", "64m");
        c.put("taskmanager.memory.jvm-overhead.max", "64m");
        // State: RocksDB (or heap, for comparisons) with incremental checkpoints on local disk.
        c.put("state.backend.type", settings.stateBackend);
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        c.put("execution.checkpointing.num-retained", "3");
        // A killed TaskManager is noticed within seconds, not after the default 50 s heartbeat timeout.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "8000");
        c.put("heartbeat.rpc-failure-threshold", "2");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "20");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        // Spread a job's slots over the TaskManagers, so killing one hits a running task.
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("slot.request.timeout", "60000");
        // Fresh REST answers (job graph, checkpoint statistics, metrics) for tests that poll them.
        c.put("web.refresh-interval", "500");
        c.put("rest.cache.checkpoint-statistics.timeout", "500 ms");
        c.put("metrics.fetcher.update-interval", "500");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("web.tmpdir", dir.resolve("web").toString());
        c.put("web.upload.dir", dir.resolve("upload").toString());
        c.put("blob.storage.directory", dir.resolve("blobs").toString());
        c.put("classloader.check-leaked-classloader", "false");
        c.putAll(settings.extra);
        StringBuilder yaml = new StringBuilder("# generated by FlinkSessionCluster\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        return yaml.toString();
    }

    private static String quote(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    /**
     * Starts one more TaskManager and returns its resource id ({@code tm-1}, {@code tm-2}, ...). It registers
     * with the JobManager on its own; use {@link #awaitTaskManagers(int, Duration)} to wait for it.
     */
    public String startTaskManager() throws IOException {
        return startTaskManager(settings.slotsPerTaskManager);
    }

    /** Starts one more TaskManager with {@code slots} slots (and as many CPU cores); see {@link #startTaskManager()}. */
    public String startTaskManager(int slots) throws IOException {
        String id = "tm-" + (++taskManagerSeq);
        Files.createDirectories(settings.workDir.resolve("tmp").resolve(id));
        Process p = launch(id, TASK_MANAGER_MAIN, 64 + settings.taskHeapMb, 64 + 64 + 0,
                List.of("-Dtaskmanager.resource-id=" + id,
                        "-Dio.tmp.dirs=" + settings.workDir.resolve("tmp").resolve(id),
                        "-Dtaskmanager.numberOfTaskSlots=" + slots, "-Dtaskmanager.cpu.cores=" + slots));
        taskManagers.put(id, p);
        return id;
    }

    private Process launch(String name, String mainClass, int heapMb, int directMb, List<String> dynamicProperties)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms" + heapMb + "m");
        cmd.add("-Xmx" + heapMb + "m");
        if (directMb > 0) {
            cmd.add("-XX:MaxDirectMemorySize=" + (directMb + settings.managedMb) + "m");
        }
        cmd.add("-XX:MaxMetaspaceSize=192m");
        cmd.add("-XX:+UseSerialGC"); // two shared cores: no parallel GC threads fighting the tasks
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + settings.logLevel);
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        // Flink's module opens (flink-dist's scripts add them through env.java.opts.all)
        for (String pkg : List.of("java.base/java.lang", "java.base/java.util", "java.base/java.util.concurrent",
                "java.base/java.lang.reflect", "java.base/java.io", "java.base/java.net", "java.base/java.nio",
                "java.base/sun.nio.ch", "java.base/java.text", "java.base/java.time", "java.base/java.math",
                "java.base/java.util.concurrent.atomic", "java.base/java.util.concurrent.locks",
                "java.base/sun.security.action")) {
            cmd.add("--add-opens=" + pkg + "=ALL-UNNAMED");
        }
        cmd.add("--add-exports=java.base/sun.net.util=ALL-UNNAMED");
        cmd.add("-classpath");
        cmd.add(settings.classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(confDir.toString());
        for (String d : dynamicProperties) {
            cmd.add("-D");
            cmd.add(d.substring(2));
        }
        Path log = logFile(name);
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** The combined stdout/stderr of a process ({@code jobmanager}, {@code tm-1}, ...). */
    public Path logFile(String name) {
        return settings.workDir.resolve("log").resolve(name + ".log");
    }

    /**
     * Kills a TaskManager's JVM at once, as {@code kill -9} does (SIGKILL: no shutdown hooks, no
     * deregistration), and waits until the process is gone.
     */
    public void killTaskManager(String resourceId) throws InterruptedException {
        Process p = taskManagers.remove(resourceId);
        if (p == null) {
            throw new IllegalArgumentException("no running TaskManager " + resourceId + "; running: " + taskManagers.keySet());
        }
        p.destroyForcibly();
        p.waitFor();
    }

    /** The operating system's process id of a running TaskManager. */
    public long taskManagerPid(String resourceId) {
        Process p = taskManagers.get(resourceId);
        if (p == null) {
            throw new IllegalArgumentException("no running TaskManager " + resourceId);
        }
        return p.pid();
    }

    /** The operating system's process id of the JobManager. */
    public long jobManagerPid() {
        return jobManager.pid();
    }

    /** Resource ids of the TaskManager processes this cluster started and has not killed. */
    public Set<String> runningTaskManagers() {
        return Set.copyOf(taskManagers.keySet());
    }

    /** Stops every process (forcibly after a short grace period). Idempotent. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers.values());
        taskManagers.clear();
        if (jobManager != null) {
            all.add(jobManager);
            jobManager = null;
        }
        all.forEach(Process::destroy);
        for (Process p : all) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // REST API

    /** The JobManager's REST endpoint, e.g. {@code http://127.0.0.1:41234}. */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    private void awaitRest(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue() + "; see " + logFile("jobmanager"));
            }
            try {
                get("/config");
                return;
            } catch (UncheckedIOException | IllegalStateException e) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the JobManager's REST API did not answer within " + timeout + "; see " + logFile("jobmanager"));
    }

    /** Waits until at least {@code count} TaskManagers are registered. */
    public void awaitTaskManagers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int registered = 0;
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, Process> tm : taskManagers.entrySet()) {
                if (!tm.getValue().isAlive()) {
                    throw new IllegalStateException("TaskManager " + tm.getKey() + " exited; see " + logFile(tm.getKey()));
                }
            }
            registered = registeredTaskManagers().size();
            if (registered >= count) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(registered + " of " + count + " TaskManagers registered within " + timeout
                + "; see " + settings.workDir.resolve("log"));
    }

    /** Resource ids of the TaskManagers the JobManager knows ({@code GET /taskmanagers}). */
    public Set<String> registeredTaskManagers() {
        Set<String> ids = new LinkedHashSet<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Free and total slots ({@code GET /overview}). */
    public JsonNode overview() {
        return get("/overview");
    }

    /**
     * Uploads a job jar ({@code POST /jars/upload}, multipart field {@code jarfile}).
     *
     * @return the jar id the JobManager assigned
     */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "----fleetwarden" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        JsonNode answer = send(request);
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("jar upload refused: " + answer);
        }
        String filename = answer.path("filename").asText();
        return Path.of(filename).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/{id}/run}).
     *
     * @param jarId       from {@link #uploadJar(Path)}
     * @param entryClass  main class, or {@code null} for the manifest's
     * @param args        program arguments
     * @param parallelism default parallelism, or 0 for the job's own
     * @param savepoint   savepoint or retained checkpoint to restore from, or {@code null}
     * @return the job id
     */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism, String savepoint) {
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

    /** {@code GET /jobs/{id}}: status, vertices with their parallelism and states. */
    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /**
     * Whether the job is RUNNING with every task of every vertex RUNNING (not just scheduled), i.e. it processes
     * records again after a (re)start.
     */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = job(jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            JsonNode tasks = v.path("tasks");
            if (tasks.path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until {@link #allTasksRunning(String)}. */
    public void awaitAllTasksRunning(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = job(jobId);
            String state = job.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                throw new IllegalStateException("job " + jobId + " is " + state + ": " + get("/jobs/" + jobId + "/exceptions"));
            }
            if (allTasksRunning(jobId)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("job " + jobId + " not running within " + timeout + ": " + job(jobId)
                + " exceptions: " + get("/jobs/" + jobId + "/exceptions"));
    }

    /** {@code GET /jobs/{id}/checkpoints}: counts, latest completed and restored checkpoint. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
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

    /** Resource ids of the TaskManagers that run at least one task of the job. */
    public Set<String> taskManagersOf(String jobId) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")
                    .forEach(tm -> ids.add(tm.path("taskmanager-id").asText()));
        }
        return ids;
    }

    /** Number of times the job was restored from a checkpoint or savepoint ({@code counts.restored}). */
    public long restoredCount(String jobId) {
        return checkpoints(jobId).path("counts").path("restored").asLong();
    }

    /** Number of times the job restarted ({@code numRestarts} metric of the job). */
    public long restarts(String jobId) {
        JsonNode m = get("/jobs/" + jobId + "/metrics?get=numRestarts");
        for (JsonNode e : m) {
            return e.path("value").asLong();
        }
        return 0;
    }

    /**
     * Stops the job with a savepoint ({@code POST /jobs/{id}/stop}, then polls the trigger) and returns the
     * savepoint's location.
     */
    public String stopWithSavepoint(String jobId, Duration timeout) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", settings.workDir.resolve("savepoints").toUri().toString());
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                .timeout(REQUEST_TIMEOUT).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        try {
            send(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET on the REST API, answer as JSON. */
    public JsonNode get(String path) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(REQUEST_TIMEOUT).GET().build());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        }
    }

    private JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(REQUEST_TIMEOUT)
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

    /** Settings of a {@link FlinkSessionCluster}. */
    public static final class Builder {
        private List<Path> classpath;
        private Path workDir;
        private int taskManagers = 2;
        private int slotsPerTaskManager = 2;
        private String stateBackend = "rocksdb";
        private int jobManagerHeapMb = 256;
        private int taskHeapMb = 256;
        private int managedMb = 128;
        private String logLevel = "info";
        private Duration startupTimeout = Duration.ofSeconds(240);
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder() {
        }

        /** The Flink runtime jars (flink-runtime, flink-clients, flink-runtime-web, flink-statebackend-rocksdb, ...). */
        public Builder classpath(List<Path> jars) {
            this.classpath = List.copyOf(jars);
            return this;
        }

        /** Configuration, logs, checkpoints and savepoints go under this directory. */
        public Builder workDir(Path dir) {
            this.workDir = dir.toAbsolutePath();
            return this;
        }

        public Builder taskManagers(int n) {
            this.taskManagers = n;
            return this;
        }

        public Builder slotsPerTaskManager(int n) {
            this.slotsPerTaskManager = n;
            return this;
        }

        /** {@code rocksdb} (default) or {@code hashmap}. */
        public Builder stateBackend(String type) {
            this.stateBackend = type;
            return this;
        }

        /** Task heap of each TaskManager (framework heap adds 64 MB). */
        public Builder taskHeapMb(int mb) {
            this.taskHeapMb = mb;
            return this;
        }

        /** Managed memory of each TaskManager (RocksDB's block cache and write buffers). */
        public Builder managedMb(int mb) {
            this.managedMb = mb;
            return this;
        }

        /** slf4j-simple level of the cluster's processes. */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        /** How long {@link FlinkSessionCluster#start()} waits for the REST API and the TaskManagers (default 4 min). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Any further configuration key. */
        public Builder config(String key, String value) {
            extra.put(key, value);
            return this;
        }

        public FlinkSessionCluster build() {
            if (classpath == null || classpath.isEmpty() || workDir == null) {
                throw new IllegalStateException("classpath and workDir are required");
            }
            if (taskManagers < 0 || slotsPerTaskManager < 1) {
                throw new IllegalStateException("taskManagers >= 0 and slotsPerTaskManager >= 1 required");
            }
            return new FlinkSessionCluster(this);
        }
    }
}
