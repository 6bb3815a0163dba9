package io.fleetwarden.flink.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionClusterConfigTest {

    @TempDir
    Path dir;

    private SessionClusterConfig.Builder base() {
        return SessionClusterConfig.builder().workDir(dir).restPort(18081).rpcPort(16123);
    }

    @Test
    void configSetsEveryMemoryComponentRocksDbAndFastFailureDetection() throws Exception {
        SessionClusterConfig c = base().taskHeapMb(300).managedMb(200).slotsPerTaskManager(3).build();
        Path file = c.write();
        String yaml = Files.readString(file);
        assertThat(file).isEqualTo(dir.resolve("conf/config.yaml"));
        assertThat(yaml).contains("rest.port: '18081'", "jobmanager.rpc.port: '16123'",
                "taskmanager.memory.task.heap.size: '300m'", "taskmanager.memory.managed.size: '200m'",
                "taskmanager.memory.jvm-metaspace.size: '192m'", "taskmanager.memory.jvm-overhead.min: '64m'",
                "taskmanager.memory.jvm-overhead.max: '64m'", "taskmanager.memory.network.min: '64m'",
                "taskmanager.cpu.cores: '3'", "taskmanager.numberOfTaskSlots: '3'",
                "state.backend.type: 'rocksdb'", "execution.checkpointing.incremental: 'true'",
                "execution.checkpointing.dir: '" + dir.resolve("checkpoints").toUri() + "'",
                "heartbeat.rpc-failure-threshold: '2'", "taskmanager.load-balance.mode: 'SLOTS'");
        assertThat(c.restUrl()).isEqualTo("http://127.0.0.1:18081");
    }

    @Test
    void extraSettingsWinAndQuotesAreEscaped() {
        String yaml = base().config("restart-strategy.fixed-delay.attempts", "3").config("pipeline.name", "it's").build().configYaml();
        assertThat(yaml).contains("restart-strategy.fixed-delay.attempts: '3'", "pipeline.name: 'it''s'")
                .doesNotContain("restart-strategy.fixed-delay.attempts: '20'");
    }

    @Test
    void aLineBreakInAKeyOrValueIsRefusedSoNoSettingAddsAnother() {
        assertThatThrownBy(() -> base().config("pipeline.name", "x\nstate.backend.type: hashmap"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThatThrownBy(() -> base().config("a\nb", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base().config("a: b", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void taskManagerCommandMatchesTheConfiguredMemoryAndNamesItsResourceId() {
        SessionClusterConfig c = base().taskHeapMb(300).managedMb(200).logLevel("warn").build();
        List<String> cmd = c.taskManagerCommand(Path.of("/opt/jdk"), List.of(Path.of("/a.jar"), Path.of("/b.jar")), "tm-2", 2);
        assertThat(cmd.get(0)).isEqualTo("/opt/jdk/bin/java");
        // heap = framework 64 + task 300; direct = framework off-heap 64 + network 64 + managed 200
        assertThat(cmd).contains("-Xmx364m", "-XX:MaxDirectMemorySize=328m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "/a.jar:/b.jar", SessionClusterConfig.TASK_MANAGER_MAIN, "--configDir", dir.resolve("conf").toString(),
                "taskmanager.resource-id=tm-2", "io.tmp.dirs=" + dir.resolve("tmp/tm-2"));
        assertThat(c.jobManagerCommand(Path.of("/opt/jdk"), List.of(Path.of("/a.jar"))))
                .contains(SessionClusterConfig.JOB_MANAGER_MAIN, "-Xmx256m").noneMatch(a -> a.startsWith("-XX:MaxDirectMemorySize"));
    }

    @Test
    void refusesBadSettingsWithTheirName() {
        assertThatThrownBy(() -> base().restPort(0).build()).hasMessageContaining("restPort");
        assertThatThrownBy(() -> base().stateBackend("memory").build()).hasMessageContaining("stateBackend");
        assertThatThrownBy(() -> base().logLevel("loud").build()).hasMessageContaining("logLevel");
        assertThatThrownBy(() -> SessionClusterConfig.builder().restPort(1).rpcPort(2).build()).hasMessageContaining("workDir");
        SessionClusterConfig c = base().build();
        assertThatThrownBy(() -> c.taskManagerCommand(Path.of("/j"), List.of(Path.of("/a.jar")), "../../etc", 1))
                .hasMessageContaining("resource id");
        assertThatThrownBy(() -> c.taskManagerCommand(Path.of("/j"), List.of(), "tm-1", 1)).hasMessageContaining("classpath");
    }

    @Test
    void readsAndJoinsClasspathFilesWithoutDuplicates() throws Exception {
        Path a = Files.writeString(dir.resolve("a.classpath"), "/x.jar:/y.jar\n");
        Path b = Files.writeString(dir.resolve("b.classpath"), "/y.jar:/z.jar");
        assertThat(SessionClusterConfig.readClasspathFiles(List.of(a, b)))
                .containsExactly(Path.of("/x.jar"), Path.of("/y.jar"), Path.of("/z.jar"));
    }
}
