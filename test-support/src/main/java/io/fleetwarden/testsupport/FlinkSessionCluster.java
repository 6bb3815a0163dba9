package io.fleetwarden.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.fleetwarden.flink.session.FlinkRestClient;
import io.fleetwarden.flink.session.SessionClusterConfig;

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
    public static final String JOB_MANAGER_MAIN = SessionClusterConfig.JOB_MANAGER_MAIN;
    /** The TaskManager's main class (flink-runtime). */
    public static final String TASK_MANAGER_MAIN = SessionClusterConfig.TASK_MANAGER_MAIN;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Builder settings;
    private final SessionClusterConfig config;
    private final FlinkRestClient rest;
    private Process jobManager;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private int taskManagerSeq;

    private FlinkSessionCluster(Builder settings) {
        this.settings = settings;
        SessionClusterConfig.Builder c = SessionClusterConfig.builder().workDir(settings.workDir)
                .restPort(Ports.freePort()).rpcPort(Ports.freePort()).slotsPerTaskManager(settings.slotsPerTaskManager)
                .stateBackend(settings.stateBackend).jobManagerHeapMb(settings.jobManagerHeapMb)
                .taskHeapMb(settings.taskHeapMb).managedMb(settings.managedMb).logLevel(settings.logLevel);
        settings.extra.forEach(c::config);
        this.config = c.build();
        this.rest = new FlinkRestClient(config.restUrl(), REQUEST_TIMEOUT);
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
        return SessionClusterConfig.readClasspathFiles(List.of(file));
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
        config.write();
        try {
            jobManager = launch("jobmanager", config.jobManagerCommand(javaHome(), settings.classpath));
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

    /** The generated {@code config.yaml} (see {@link SessionClusterConfig#configYaml()}). */
    String configYaml() {
        return config.configYaml();
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
        Files.createDirectories(config.taskManagerTmpDir(id));
        Process p = launch(id, config.taskManagerCommand(javaHome(), settings.classpath, id, slots));
        taskManagers.put(id, p);
        return id;
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private Process launch(String name, List<String> cmd) throws IOException {
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
        return rest.restUrl();
    }

    /** The REST client of this cluster's JobManager (shared with the local runner's cluster mode). */
    public FlinkRestClient rest() {
        return rest;
    }

    private void awaitRest(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue() + "; see " + logFile("jobmanager"));
            }
            if (rest.answers()) {
                return;
            }
            Thread.sleep(250);
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
        return rest.registeredTaskManagers();
    }

    /** Free and total slots ({@code GET /overview}). */
    public JsonNode overview() {
        return rest.overview();
    }

    /** Uploads a job jar ({@code POST /jars/upload}); see {@link FlinkRestClient#uploadJar(Path)}. */
    public String uploadJar(Path jar) throws IOException {
        return rest.uploadJar(jar);
    }

    /** Runs an uploaded jar ({@code POST /jars/{id}/run}); see {@link FlinkRestClient#runJar}. */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism, String savepoint) {
        return rest.runJar(jarId, entryClass, args, parallelism, savepoint);
    }

    /** {@code GET /jobs/{id}}: status, vertices with their parallelism and states. */
    public JsonNode job(String jobId) {
        return rest.job(jobId);
    }

    /** Whether the job is RUNNING with every task of every vertex RUNNING; see {@link FlinkRestClient#allTasksRunning(String)}. */
    public boolean allTasksRunning(String jobId) {
        return rest.allTasksRunning(jobId);
    }

    /** Waits until {@link #allTasksRunning(String)}. */
    public void awaitAllTasksRunning(String jobId, Duration timeout) throws InterruptedException {
        rest.awaitAllTasksRunning(jobId, timeout);
    }

    /** {@code GET /jobs/{id}/checkpoints}: counts, latest completed and restored checkpoint. */
    public JsonNode checkpoints(String jobId) {
        return rest.checkpoints(jobId);
    }

    /** Number of completed checkpoints of the job so far. */
    public long completedCheckpoints(String jobId) {
        return rest.completedCheckpoints(jobId);
    }

    /** Waits until the job has completed at least {@code n} checkpoints. */
    public void awaitCompletedCheckpoints(String jobId, long n, Duration timeout) throws InterruptedException {
        rest.awaitCompletedCheckpoints(jobId, n, timeout);
    }

    /** Resource ids of the TaskManagers that run at least one task of the job. */
    public Set<String> taskManagersOf(String jobId) {
        return rest.taskManagersOf(jobId);
    }

    /** Number of times the job was restored from a checkpoint or savepoint ({@code counts.restored}). */
    public long restoredCount(String jobId) {
        return rest.restoredCount(jobId);
    }

    /** Number of times the job restarted ({@code numRestarts} metric of the job). */
    public long restarts(String jobId) {
        return rest.restarts(jobId);
    }

    /**
     * Stops the job with a savepoint into {@code <workDir>/savepoints} and returns the savepoint's location.
     */
    public String stopWithSavepoint(String jobId, Duration timeout) throws InterruptedException {
        return rest.stopWithSavepoint(jobId, config.savepointDir().toUri().toString(), timeout);
    }

    /** Cancels a job ({@code PATCH /jobs/{id}?mode=cancel}). */
    public void cancel(String jobId) {
        rest.cancel(jobId);
    }

    /** GET on the REST API, answer as JSON. */
    public JsonNode get(String path) {
        return rest.get(path);
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
