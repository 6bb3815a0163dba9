package io.fleetwarden.deploy;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.fleetwarden.flink.session.FlinkRestClient;
import io.fleetwarden.flink.session.SessionClusterConfig;

/**
 * The local runner's handle on a Flink standalone session cluster (cluster mode of {@code fleetwarden-local}):
 * writes the cluster's configuration, prints the JobManager's and TaskManagers' command lines (the runner starts
 * them, so it owns their process groups and pid files), and talks to the JobManager's REST API as a user does:
 * upload and run the job jar (optionally from a savepoint), report the job's state and last checkpoint, stop it with
 * a savepoint. The configuration and the REST client are the ones the test fixture {@code FlinkSessionCluster} uses
 * (module flink-session).
 *
 * <pre>
 * java -cp 'deploy.jar:lib/*' io.fleetwarden.deploy.FlinkSession configure --dir .fleetwarden/flink --rest-port 8081 --rpc-port 6123
 * ... command --dir ... --role taskmanager --id tm-1 --classpath-file stream-jobs/target/flink-cluster.classpath
 * ... submit --rest http://127.0.0.1:8081 --jar stream-jobs-*-job.jar [--savepoint file:/...] -- --bootstrap-servers ...
 * ... status --rest http://127.0.0.1:8081 --job JOBID [--max-checkpoint-age 60s]
 * ... stop --rest http://127.0.0.1:8081 --job JOBID --savepoint-dir .fleetwarden/flink/savepoints
 * </pre>
 *
 * <p>Exit codes: 0 done (for {@code status}: running with every task, a checkpoint within the allowed age), 1 not
 * (yet) healthy, 2 bad arguments, 3 the job is gone (final state or unknown to the cluster), 4 the cluster failed
 * the request.
 */
@Command(name = "flink-session", usageHelpWidth = 110, mixinStandardHelpOptions = false,
        description = "A Flink session cluster for the local runner: configuration, process command lines, job "
                + "submission over REST, job status, stop with a savepoint.",
        subcommands = {FlinkSession.Configure.class, FlinkSession.Commandline.class, FlinkSession.Submit.class,
                FlinkSession.Status.class, FlinkSession.Stop.class})
public final class FlinkSession implements Callable<Integer> {

    static final int NOT_HEALTHY = 1;
    static final int JOB_GONE = 3;
    static final int CLUSTER_ERROR = 4;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs one command line; the exit code as documented on the class. */
    static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new FlinkSession());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("flink-session " + line.getCommandName() + ": " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : CLUSTER_ERROR;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("flink-session: a command is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** A subcommand writes to the streams of its command line (standard output unless {@link #run} was given others). */
    abstract static class Sub {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        java.io.PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /** The cluster's settings, the same for {@code configure} and {@code command}. */
    static final class ClusterOptions {
        @Option(names = "--dir", required = true, paramLabel = "DIR",
                description = "the cluster's folder: conf/, checkpoints/, savepoints/, tmp/ (required)")
        Path dir;

        @Option(names = "--bind", paramLabel = "ADDRESS", description = "address to bind and announce (default ${DEFAULT-VALUE})")
        String bind = "127.0.0.1";

        @Option(names = "--rest-port", required = true, paramLabel = "PORT", description = "JobManager REST port (required)")
        int restPort;

        @Option(names = "--rpc-port", required = true, paramLabel = "PORT", description = "JobManager RPC port (required)")
        int rpcPort;

        @Option(names = "--slots", paramLabel = "N", description = "slots per TaskManager (default ${DEFAULT-VALUE})")
        int slots = 2;

        @Option(names = "--state-backend", paramLabel = "rocksdb|hashmap", description = "default ${DEFAULT-VALUE}")
        String stateBackend = "rocksdb";

        @Option(names = "--jobmanager-heap-mb", paramLabel = "MB", description = "default ${DEFAULT-VALUE}")
        int jobManagerHeapMb = 384;

        @Option(names = "--task-heap-mb", paramLabel = "MB", description = "task heap per TaskManager (default ${DEFAULT-VALUE})")
        int taskHeapMb = 384;

        @Option(names = "--managed-mb", paramLabel = "MB",
                description = "managed memory per TaskManager, RocksDB's cache and write buffers (default ${DEFAULT-VALUE})")
        int managedMb = 256;

        @Option(names = "--log-level", paramLabel = "LEVEL", description = "default ${DEFAULT-VALUE}")
        String logLevel = "info";

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "any further Flink setting (repeatable)")
        Map<String, String> extra = new LinkedHashMap<>();

        SessionClusterConfig build() {
            SessionClusterConfig.Builder b = SessionClusterConfig.builder().workDir(dir).bindAddress(bind)
                    .restPort(restPort).rpcPort(rpcPort).slotsPerTaskManager(slots).stateBackend(stateBackend)
                    .jobManagerHeapMb(jobManagerHeapMb).taskHeapMb(taskHeapMb).managedMb(managedMb).logLevel(logLevel);
            extra.forEach(b::config);
            try {
                return b.build();
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    /** Options of the REST commands. */
    static final class RestOptions {
        @Option(names = "--rest", required = true, paramLabel = "URL", description = "JobManager REST API, http://HOST:PORT (required)")
        String url;

        @Option(names = "--request-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "per request (default 60s)")
        Duration requestTimeout = Duration.ofSeconds(60);

        FlinkRestClient client() {
            return new FlinkRestClient(url, requestTimeout);
        }
    }

    @Command(name = "configure", description = "Writes DIR/conf/config.yaml and prints its path.")
    static final class Configure extends Sub implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            SessionClusterConfig config = cluster.build();
            Path file = config.write();
            out().println(file);
            return 0;
        }
    }

    @Command(name = "command", description = "Prints a JobManager's or TaskManager's command line, one argument per line "
            + "(and creates the TaskManager's temporary folder).")
    static final class Commandline extends Sub implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--role", required = true, paramLabel = "jobmanager|taskmanager", description = "(required)")
        String role;

        @Option(names = "--id", paramLabel = "ID", description = "TaskManager resource id, e.g. tm-1 (taskmanager only)")
        String id;

        @Option(names = "--classpath-file", required = true, paramLabel = "FILE",
                description = "Flink runtime classpath, as written by dependency:build-classpath (repeatable, required)")
        List<Path> classpathFiles = new ArrayList<>();

        @Option(names = "--java-home", paramLabel = "DIR", description = "JDK or JRE (default: the one running this)")
        Path javaHome = Path.of(System.getProperty("java.home"));

        @Override
        public Integer call() {
            SessionClusterConfig config = cluster.build();
            if (role.equals("taskmanager") && id == null) {
                throw new IllegalArgumentException("--role taskmanager needs --id");
            }
            List<Path> cp;
            try {
                cp = SessionClusterConfig.readClasspathFiles(classpathFiles);
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException(e.getMessage() + " (build stream-jobs first)", e);
            }
            List<String> cmd;
            switch (role) {
                case "jobmanager" -> cmd = config.jobManagerCommand(javaHome, cp);
                case "taskmanager" -> {
                    cmd = config.taskManagerCommand(javaHome, cp, id, config.slotsPerTaskManager());
                    try {
                        Files.createDirectories(config.taskManagerTmpDir(id));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                default -> throw new IllegalArgumentException("--role is jobmanager or taskmanager: " + role);
            }
            for (String arg : cmd) {
                if (arg.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("an argument holds a line break: " + arg);
                }
                out().println(arg);
            }
            return 0;
        }
    }

    @Command(name = "submit", description = "Uploads the job jar (POST /jars/upload), runs it (POST /jars/{id}/run), "
            + "optionally from a savepoint or retained checkpoint, and prints the job id.")
    static final class Submit extends Sub implements Callable<Integer> {
        @Mixin
        RestOptions rest;

        @Option(names = "--jar", required = true, paramLabel = "JAR", description = "the self-contained job jar (required)")
        Path jar;

        @Option(names = "--entry-class", paramLabel = "CLASS", description = "main class (default: the jar manifest's)")
        String entryClass;

        @Option(names = "--parallelism", paramLabel = "N", description = "default parallelism (default: the job's)")
        int parallelism;

        @Option(names = "--savepoint", paramLabel = "PATH", description = "savepoint or retained checkpoint to restore from")
        String savepoint;

        @Parameters(paramLabel = "ARG", description = "the job's program arguments (after --)")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no job jar at " + jar);
            }
            FlinkRestClient client = rest.client();
            String jarId = client.uploadJar(jar);
            out().println(client.runJar(jarId, entryClass, args, parallelism, savepoint));
            return 0;
        }
    }

    @Command(name = "status", description = "Prints the job's state, running tasks and last checkpoint; exit 0 when every "
            + "task runs and a checkpoint completed within --max-checkpoint-age, 1 when not (yet), 3 when the job is gone.")
    static final class Status extends Sub implements Callable<Integer> {
        @Mixin
        RestOptions rest;

        @Option(names = "--job", required = true, paramLabel = "JOBID", description = "(required)")
        String job;

        @Option(names = "--max-checkpoint-age", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "healthy only with a checkpoint this recent (default 60s)")
        Duration maxCheckpointAge = Duration.ofSeconds(60);

        @Override
        public Integer call() {
            FlinkRestClient.checkJobId(job);
            FlinkRestClient client = rest.client();
            JsonNode j;
            try {
                j = client.job(job);
            } catch (IllegalStateException e) {
                if (e.getMessage().contains("HTTP 404")) {
                    out().println("job " + job + " unknown to the cluster");
                    return JOB_GONE;
                }
                throw e;
            }
            String state = j.path("state").asText();
            int tasks = 0;
            int running = 0;
            for (JsonNode v : j.path("vertices")) {
                tasks += v.path("parallelism").asInt();
                running += v.path("tasks").path("RUNNING").asInt();
            }
            StringBuilder line = new StringBuilder("job " + job + " " + state + ", " + running + "/" + tasks + " tasks running");
            if (FlinkRestClient.isTerminal(state)) {
                out().println(line);
                return JOB_GONE;
            }
            JsonNode cp = client.checkpoints(job);
            JsonNode latest = cp.path("latest").path("completed");
            long ageMs = Long.MAX_VALUE;
            if (latest.isObject()) {
                ageMs = Math.max(0, System.currentTimeMillis() - latest.path("latest_ack_timestamp").asLong());
                line.append(String.format(", last checkpoint #%d %.1f s ago (state %s, %s in its last increment)",
                        latest.path("id").asLong(), ageMs / 1000.0, bytes(latest.path("state_size").asLong()),
                        bytes(latest.path("checkpointed_size").asLong())));
            } else {
                line.append(", no checkpoint completed yet");
            }
            JsonNode restored = cp.path("latest").path("restored");
            if (restored.isObject()) {
                line.append(restored.path("is_savepoint").asBoolean() ? ", restored from savepoint " : ", restored from checkpoint ")
                        .append(restored.path("external_path").asText());
            }
            line.append(", ").append(cp.path("counts").path("failed").asLong()).append(" failed checkpoints, ")
                    .append(client.restarts(job)).append(" restarts");
            out().println(line);
            boolean healthy = FlinkRestClient.allTasksRunning(j) && ageMs <= maxCheckpointAge.toMillis();
            return healthy ? 0 : NOT_HEALTHY;
        }

        private static String bytes(long n) {
            return n >= 1 << 20 ? String.format("%.1f MB", n / 1e6) : String.format("%.1f kB", n / 1e3);
        }
    }

    @Command(name = "stop", description = "Stops the job with a savepoint (POST /jobs/{id}/stop) and prints the savepoint's location.")
    static final class Stop extends Sub implements Callable<Integer> {
        @Mixin
        RestOptions rest;

        @Option(names = "--job", required = true, paramLabel = "JOBID", description = "(required)")
        String job;

        @Option(names = "--savepoint-dir", required = true, paramLabel = "DIR", description = "where the savepoint goes (required)")
        Path savepointDir;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "give up after this long (default 2m)")
        Duration timeout = Duration.ofMinutes(2);

        @Override
        public Integer call() throws InterruptedException {
            FlinkRestClient.checkJobId(job);
            String location = rest.client().stopWithSavepoint(job, savepointDir.toAbsolutePath().toUri().toString(), timeout);
            out().println(location);
            return 0;
        }
    }
}
