package io.fleetwarden.flink.session;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The configuration and the process command lines of a Flink standalone session cluster run from the Flink runtime
 * jars (the Flink distribution, whose scripts would compute them, is not on Maven Central): one JobManager
 * ({@value #JOB_MANAGER_MAIN}) and TaskManagers ({@value #TASK_MANAGER_MAIN}), each its own JVM.
 *
 * <p>{@link #configYaml()} writes every memory component that flink-dist's scripts would otherwise compute
 * ({@code taskmanager.memory.*} including {@code jvm-metaspace} and {@code jvm-overhead}, {@code jobmanager.memory.*},
 * {@code taskmanager.cpu.cores}); {@link #command} gives the JVM flags that match them ({@code -Xmx},
 * {@code -XX:MaxDirectMemorySize}). State lives in RocksDB (or the heap backend, for comparisons) with incremental
 * checkpoints under {@code <workDir>/checkpoints}; a lost TaskManager is noticed within seconds (1 s heartbeats, two
 * failed heartbeat RPCs), and the restart strategy is a fixed delay of one second.
 *
 * <p>Immutable; build with {@link #builder()}. Ports are the caller's to choose (a test picks free ones, the local
 * runner its settings).
 */
public final class SessionClusterConfig {

    /** The JobManager's main class (flink-runtime). */
    public static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    /** The TaskManager's main class (flink-runtime). */
    public static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Framework heap and off-heap, network and JVM overhead of a TaskManager, as written by {@link #configYaml()}. */
    private static final int TM_FRAMEWORK_HEAP_MB = 64;
    private static final int TM_FRAMEWORK_OFF_HEAP_MB = 64;
    private static final int TM_NETWORK_MB = 64;

    private final Builder b;

    private SessionClusterConfig(Builder b) {
        this.b = b;
    }

    /** @return a builder; {@link Builder#workDir}, {@link Builder#restPort} and {@link Builder#rpcPort} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** Configuration, logs, checkpoints, savepoints and temporary files live under this directory. */
    public Path workDir() {
        return b.workDir;
    }

    /** {@code <workDir>/conf}: the {@code --configDir} of every process. */
    public Path confDir() {
        return b.workDir.resolve("conf");
    }

    public Path checkpointDir() {
        return b.workDir.resolve("checkpoints");
    }

    public Path savepointDir() {
        return b.workDir.resolve("savepoints");
    }

    public String bindAddress() {
        return b.bindAddress;
    }

    public int restPort() {
        return b.restPort;
    }

    public int rpcPort() {
        return b.rpcPort;
    }

    public int slotsPerTaskManager() {
        return b.slotsPerTaskManager;
    }

    /** The JobManager's REST endpoint, e.g. {@code http://127.0.0.1:8081}. */
    public String restUrl() {
        String host = b.bindAddress.equals("0.0.0.0") ? "127.0.0.1" : b.bindAddress;
        return "http://" + host + ":" + b.restPort;
    }

    /** Writes {@link #configYaml()} to {@code <workDir>/conf/config.yaml} and returns that file. */
    public Path write() {
        try {
            Files.createDirectories(confDir());
            Path file = confDir().resolve("config.yaml");
            Files.writeString(file, configYaml());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Flink configuration into " + confDir(), e);
        }
    }

    /** The {@code config.yaml}: flat keys, as Flink 2's YAML parser accepts, every value quoted. */
    public String configYaml() {
        Path dir = b.workDir;
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", b.bindAddress);
        c.put("jobmanager.rpc.port", Integer.toString(b.rpcPort));
        c.put("jobmanager.bind-host", b.bindAddress);
        c.put("rest.address", b.bindAddress);
        c.put("rest.bind-address", b.bindAddress);
        c.put("rest.port", Integer.toString(b.restPort));
        c.put("taskmanager.host", b.bindAddress);
        c.put("taskmanager.bind-host", b.bindAddress);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(b.slotsPerTaskManager));
        c.put("taskmanager.cpu.cores", Integer.toString(b.slotsPerTaskManager));
        // Every memory component, as flink-dist's scripts would compute them, and the JVM options to match (command()).
        c.put("jobmanager.memory.heap.size", b.jobManagerHeapMb + "m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("jobmanager.memory.jvm-metaspace.size", "160m");
        c.put("jobmanager.memory.jvm-overhead.min", "64m");
        c.put("jobmanager.memory.jvm-overhead.max", "64m");
        c.put("taskmanager.memory.framework.heap.size", TM_FRAMEWORK_HEAP_MB + "m");
        c.put("taskmanager.memory.task.heap.size", b.taskHeapMb + "m");
        c.put("taskmanager.memory.managed.size", b.managedMb + "m");
        c.put("taskmanager.memory.framework.off-heap.size", TM_FRAMEWORK_OFF_HEAP_MB + "m");
        c.put("taskmanager.memory.task.off-heap.size", "0m");
        c.put("taskmanager.memory.network.min", TM_NETWORK_MB + "m");
        c.put("taskmanager.memory.network.max", TM_NETWORK_MB + "m");
        c.put("taskmanager.memory.jvm-metaspace.size", "192m");
        c.put("taskmanager.memory.jvm-overhead.min", "64m");
        c.put("taskmanager.memory.jvm-overhead.max", "64m");
        // State: RocksDB (or heap, for comparisons) with incremental checkpoints on local disk.
        c.put("state.backend.type", b.stateBackend);
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.dir", checkpointDir().toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", savepointDir().toUri().toString());
        c.put("execution.checkpointing.num-retained", "3");
        // A killed TaskManager is noticed within seconds, not after the default 50 s heartbeat timeout.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "8000");
        c.put("heartbeat.rpc-failure-threshold", "2");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", Integer.toString(b.restartAttempts));
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        // Spread a job's slots over the TaskManagers, so killing one hits a running task.
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("slot.request.timeout", "60000");
        // Fresh REST answers (job graph, checkpoint statistics, metrics) for callers that poll them.
        c.put("web.refresh-interval", "500");
        c.put("rest.cache.checkpoint-statistics.timeout", "500 ms");
        c.put("metrics.fetcher.update-interval", "500");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("web.tmpdir", dir.resolve("web").toString());
        c.put("web.upload.dir", dir.resolve("upload").toString());
        c.put("blob.storage.directory", dir.resolve("blobs").toString());
        c.put("classloader.check-leaked-classloader", "false");
        c.putAll(b.extra);
        StringBuilder yaml = new StringBuilder("# generated by fleetwarden (io.fleetwarden.flink.session.SessionClusterConfig)\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        return yaml.toString();
    }

    private static String quote(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    /** The JobManager's command line. */
    public List<String> jobManagerCommand(Path javaHome, List<Path> classpath) {
        return command(javaHome, classpath, JOB_MANAGER_MAIN, b.jobManagerHeapMb, 0, List.of());
    }

    /**
     * A TaskManager's command line: resource id {@code resourceId} (what the REST API reports as its id), its own
     * temporary directory (RocksDB's working files) under {@code <workDir>/tmp/<resourceId>}, {@code slots} slots and
     * as many CPU cores. The caller creates that directory ({@link #taskManagerTmpDir}).
     */
    public List<String> taskManagerCommand(Path javaHome, List<Path> classpath, String resourceId, int slots) {
        if (!resourceId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("a TaskManager resource id is 1-64 letters, digits, '.', '_' or '-': " + resourceId);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("a TaskManager needs at least one slot: " + slots);
        }
        return command(javaHome, classpath, TASK_MANAGER_MAIN, TM_FRAMEWORK_HEAP_MB + b.taskHeapMb,
                TM_FRAMEWORK_OFF_HEAP_MB + TM_NETWORK_MB + b.managedMb,
                List.of("taskmanager.resource-id=" + resourceId, "io.tmp.dirs=" + taskManagerTmpDir(resourceId),
                        "taskmanager.numberOfTaskSlots=" + slots, "taskmanager.cpu.cores=" + slots));
    }

    /** {@code <workDir>/tmp/<resourceId>}: a TaskManager's temporary files, RocksDB's local state among them. */
    public Path taskManagerTmpDir(String resourceId) {
        return b.workDir.resolve("tmp").resolve(resourceId);
    }

    private List<String> command(Path javaHome, List<Path> classpath, String mainClass, int heapMb, int directMb,
            List<String> dynamicProperties) {
        if (classpath == null || classpath.isEmpty()) {
            throw new IllegalArgumentException("the Flink runtime classpath is empty");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.add("-Xms" + heapMb + "m");
        cmd.add("-Xmx" + heapMb + "m");
        if (directMb > 0) {
            cmd.add("-XX:MaxDirectMemorySize=" + directMb + "m");
        }
        cmd.add("-XX:MaxMetaspaceSize=192m");
        cmd.add("-XX:+UseSerialGC"); // few shared cores: no parallel GC threads fighting the tasks
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + b.logLevel);
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
        cmd.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(confDir().toString());
        for (String d : dynamicProperties) {
            cmd.add("-D");
            cmd.add(d);
        }
        return cmd;
    }

    /**
     * Reads classpath files as written by {@code maven-dependency-plugin:build-classpath} (one line of paths
     * separated by the platform's path separator) and joins their entries, without duplicates, in order.
     */
    public static List<Path> readClasspathFiles(List<Path> files) {
        List<Path> out = new ArrayList<>();
        for (Path file : files) {
            try {
                String text = Files.readString(file).trim();
                for (String entry : text.split(File.pathSeparator)) {
                    Path p = entry.isBlank() ? null : Path.of(entry.trim());
                    if (p != null && !out.contains(p)) {
                        out.add(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Flink cluster classpath " + file, e);
            }
        }
        return out;
    }

    /** Settings of a {@link SessionClusterConfig}. */
    public static final class Builder {
        private Path workDir;
        private String bindAddress = "127.0.0.1";
        private int restPort = -1;
        private int rpcPort = -1;
        private int slotsPerTaskManager = 2;
        private String stateBackend = "rocksdb";
        private int jobManagerHeapMb = 256;
        private int taskHeapMb = 256;
        private int managedMb = 128;
        private int restartAttempts = 20;
        private String logLevel = "info";
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder() {
        }

        /** Configuration, logs, checkpoints, savepoints and temporary files go under this directory. */
        public Builder workDir(Path dir) {
            this.workDir = dir.toAbsolutePath().normalize();
            return this;
        }

        /** Address the JobManager (RPC and REST) and the TaskManagers bind to and announce (default 127.0.0.1). */
        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        public Builder restPort(int port) {
            this.restPort = port;
            return this;
        }

        public Builder rpcPort(int port) {
            this.rpcPort = port;
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

        public Builder jobManagerHeapMb(int mb) {
            this.jobManagerHeapMb = mb;
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

        /** Restarts of a failing job before it fails for good (fixed delay of 1 s; default 20). */
        public Builder restartAttempts(int n) {
            this.restartAttempts = n;
            return this;
        }

        /** slf4j-simple level of the cluster's processes (default {@code info}). */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        /**
         * Any further configuration key; wins over the generated ones. A key is letters, digits, '.', '-' and '_'; a
         * value holds no line break (so that no setting can add another).
         */
        public Builder config(String key, String value) {
            if (key == null || !key.matches("[A-Za-z0-9._-]{1,200}")) {
                throw new IllegalArgumentException("a Flink setting's key is letters, digits, '.', '-' or '_': " + key);
            }
            if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("the value of " + key + " is missing or holds a line break");
            }
            extra.put(key, value);
            return this;
        }

        public SessionClusterConfig build() {
            if (workDir == null) {
                throw new IllegalStateException("workDir is required");
            }
            if (bindAddress == null || !bindAddress.matches("[A-Za-z0-9.:-]{1,253}")) {
                throw new IllegalStateException("bindAddress is a host name or IP address: " + bindAddress);
            }
            checkPort("restPort", restPort);
            checkPort("rpcPort", rpcPort);
            if (slotsPerTaskManager < 1) {
                throw new IllegalStateException("slotsPerTaskManager >= 1 required: " + slotsPerTaskManager);
            }
            if (!stateBackend.equals("rocksdb") && !stateBackend.equals("hashmap")) {
                throw new IllegalStateException("stateBackend is rocksdb or hashmap: " + stateBackend);
            }
            for (int mb : new int[] {jobManagerHeapMb, taskHeapMb, managedMb}) {
                if (mb < 16) {
                    throw new IllegalStateException("memory sizes are at least 16 MB: " + mb);
                }
            }
            if (!logLevel.matches("trace|debug|info|warn|error|off")) {
                throw new IllegalStateException("logLevel is trace, debug, info, warn, error or off: " + logLevel);
            }
            return new SessionClusterConfig(this);
        }

        private static void checkPort(String name, int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalStateException(name + " must be 1-65535: " + port);
            }
        }
    }
}
