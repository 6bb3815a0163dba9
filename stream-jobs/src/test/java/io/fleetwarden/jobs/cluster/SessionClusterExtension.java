package io.fleetwarden.jobs.cluster;

import java.nio.file.Path;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import io.fleetwarden.testsupport.FlinkSessionCluster;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * A Flink session cluster for one test class ({@link ClusterFixture#cluster} in {@code target/cluster-it/<name>}),
 * started before its tests and stopped after them, with the job jar submitted to it as a user submits it. When a
 * test fails, the last lines of every process log are printed before the failure is reported.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SessionClusterExtension FLINK = new SessionClusterExtension("failover", 2, 2);
 * }</pre>
 */
final class SessionClusterExtension implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {

    private final String name;
    private final int taskManagers;
    private final int slotsPerTaskManager;
    private Path workDir;
    private FlinkSessionCluster cluster;
    private String jarId;

    SessionClusterExtension(String name, int taskManagers, int slotsPerTaskManager) {
        this.name = name;
        this.taskManagers = taskManagers;
        this.slotsPerTaskManager = slotsPerTaskManager;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        workDir = ClusterFixture.freshWorkDir(name);
        cluster = ClusterFixture.cluster(workDir).taskManagers(taskManagers).slotsPerTaskManager(slotsPerTaskManager)
                .build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (cluster != null) {
            ClusterFixture.dumpLogs(cluster, workDir);
        }
        throw failure;
    }

    FlinkSessionCluster cluster() {
        return cluster;
    }

    /**
     * Submits the job jar (uploaded once) over REST with {@link ClusterFixture#jobArgs} for {@code group}.
     *
     * @param savepoint the savepoint to start from, or null for a fresh start
     * @return the job id
     */
    String submit(KafkaExtension kafka, String group, int parallelism, String savepoint) throws Exception {
        if (jarId == null) {
            jarId = cluster.uploadJar(ClusterFixture.jobJar());
        }
        return cluster.runJar(jarId, null, ClusterFixture.jobArgs(kafka, group, parallelism), parallelism, savepoint);
    }
}
