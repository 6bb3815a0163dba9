package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * The runner's Flink session tool: configuration and command lines, and its {@code status} exit codes against a
 * stand-in JobManager (the JDK's HTTP server answering as Flink's REST API does). The real cluster is exercised by
 * {@code LocalRunnerClusterIT}.
 */
class FlinkSessionTest {

    private static final String JOB = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private HttpServer server;
    private final AtomicReference<String> jobAnswer = new AtomicReference<>();
    private final AtomicReference<String> checkpointAnswer = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            String path = x.getRequestURI().getPath();
            String body = path.equals("/jobs/" + JOB) ? jobAnswer.get()
                    : path.equals("/jobs/" + JOB + "/checkpoints") ? checkpointAnswer.get()
                    : path.equals("/jobs/" + JOB + "/metrics") ? "[{\"id\":\"numRestarts\",\"value\":\"1\"}]" : null;
            int code = body == null ? 404 : 200;
            byte[] bytes = (body == null ? "{\"errors\":[\"Job could not be found.\"]}" : body).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(code, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = FlinkSession.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String rest() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void configureWritesTheConfigurationAndCommandPrintsOneArgumentPerLine() throws Exception {
        Path cp = Files.writeString(dir.resolve("flink.classpath"), "/m2/flink-runtime-2.2.1.jar:/m2/flink-statebackend-rocksdb-2.2.1.jar");
        Run configure = run("configure", "--dir", dir.toString(), "--rest-port", "18081", "--rpc-port", "16123", "--slots", "2");
        assertThat(configure.exit()).as(configure.err()).isZero();
        assertThat(Files.readString(dir.resolve("conf/config.yaml"))).contains("rest.port: '18081'", "state.backend.type: 'rocksdb'");

        Run command = run("command", "--dir", dir.toString(), "--rest-port", "18081", "--rpc-port", "16123",
                "--role", "taskmanager", "--id", "tm-1", "--classpath-file", cp.toString());
        assertThat(command.exit()).as(command.err()).isZero();
        assertThat(command.out().lines().toList()).contains("org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "/m2/flink-runtime-2.2.1.jar:/m2/flink-statebackend-rocksdb-2.2.1.jar", "taskmanager.resource-id=tm-1");
        assertThat(dir.resolve("tmp/tm-1")).isDirectory();
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy() {
        Run noId = run("command", "--dir", dir.toString(), "--rest-port", "1", "--rpc-port", "2", "--role", "taskmanager",
                "--classpath-file", "/nonexistent");
        assertThat(noId.exit()).isEqualTo(2);
        Run badJob = run("status", "--rest", rest(), "--job", "../../jars");
        assertThat(badJob.exit()).isEqualTo(2);
        assertThat(badJob.err()).contains("not a Flink job id");
        Run badSetting = run("configure", "--dir", dir.toString(), "--rest-port", "1", "--rpc-port", "2",
                "--config", "a b=c");
        assertThat(badSetting.exit()).isEqualTo(2);
    }

    @Test
    void statusIsHealthyOnlyWithEveryTaskRunningAndARecentCheckpoint() {
        jobAnswer.set("{\"state\":\"RUNNING\",\"vertices\":[{\"id\":\"a\",\"parallelism\":2,\"tasks\":{\"RUNNING\":2}}]}");
        checkpointAnswer.set("{\"counts\":{\"completed\":7,\"failed\":0,\"restored\":1},\"latest\":{\"completed\":{\"id\":7,"
                + "\"latest_ack_timestamp\":" + System.currentTimeMillis() + ",\"state_size\":3100000,\"checkpointed_size\":520000},"
                + "\"restored\":{\"id\":5,\"is_savepoint\":true,\"external_path\":\"file:/sp/savepoint-1\"}}}");
        Run healthy = run("status", "--rest", rest(), "--job", JOB);
        assertThat(healthy.exit()).as(healthy.err()).isZero();
        assertThat(healthy.out()).contains("job " + JOB + " RUNNING, 2/2 tasks running", "last checkpoint #7",
                "restored from savepoint file:/sp/savepoint-1", "1 restarts");

        checkpointAnswer.set("{\"counts\":{\"completed\":7},\"latest\":{\"completed\":{\"id\":7,\"latest_ack_timestamp\":"
                + (System.currentTimeMillis() - 600_000) + "}}}");
        assertThat(run("status", "--rest", rest(), "--job", JOB).exit()).as("checkpoint 10 min old").isEqualTo(1);

        jobAnswer.set("{\"state\":\"RESTARTING\",\"vertices\":[{\"id\":\"a\",\"parallelism\":2,\"tasks\":{\"CANCELING\":2}}]}");
        assertThat(run("status", "--rest", rest(), "--job", JOB).exit()).as("restarting").isEqualTo(1);

        jobAnswer.set("{\"state\":\"FAILED\",\"vertices\":[]}");
        assertThat(run("status", "--rest", rest(), "--job", JOB).exit()).as("failed").isEqualTo(3);
    }

    @Test
    void aJobTheClusterDoesNotKnowIsGone() {
        Run unknown = run("status", "--rest", rest(), "--job", "ffffffffffffffffffffffffffffffff");
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.out()).contains("unknown to the cluster");
    }
}
