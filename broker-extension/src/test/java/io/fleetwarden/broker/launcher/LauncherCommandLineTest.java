package io.fleetwarden.broker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's command line: one properties file, refused with a message naming what is wrong. */
class LauncherCommandLineTest {

    @TempDir
    Path dir;

    private Path propertiesFile() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("home/conf"));
        return Files.writeString(conf.resolve("broker.properties"), "listener.port=8883\n");
    }

    @Test
    void acceptsOneFileAndDerivesTheHomeFolderAboveIt() throws Exception {
        Path file = propertiesFile();

        LauncherCommandLine c = LauncherCommandLine.parse(file.toString());

        assertThat(c.helpRequested()).isFalse();
        assertThat(c.configFile()).isEqualTo(file.toAbsolutePath().normalize());
        assertThat(c.home(null)).isEqualTo(dir.resolve("home").toAbsolutePath().normalize());
        assertThat(c.home(" ")).as("a blank property is no home").isEqualTo(dir.resolve("home").toAbsolutePath().normalize());
        assertThat(c.home(dir.resolve("elsewhere").toString())).as("-Dfleetwarden.home wins")
                .isEqualTo(dir.resolve("elsewhere").toAbsolutePath().normalize());
    }

    @Test
    void helpNeedsNoFile() {
        assertThat(LauncherCommandLine.parse("--help").helpRequested()).isTrue();
        assertThat(LauncherCommandLine.parse("-h").helpRequested()).isTrue();
        assertThat(LauncherCommandLine.usage()).contains("fleetwarden-broker").contains("BROKER_PROPERTIES").contains("--help");
    }

    @Test
    void refusesNoFile() {
        assertThatThrownBy(() -> LauncherCommandLine.parse())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BROKER_PROPERTIES");
    }

    @Test
    void refusesTwoFiles() throws Exception {
        Path file = propertiesFile();
        assertThatThrownBy(() -> LauncherCommandLine.parse(file.toString(), file.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString());
    }

    @Test
    void refusesAnUnknownOption() throws Exception {
        Path file = propertiesFile();
        assertThatThrownBy(() -> LauncherCommandLine.parse("--port", "1883", file.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port");
    }

    @Test
    void refusesAMissingFileAndAFolder() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> LauncherCommandLine.parse(missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toAbsolutePath().toString()).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> LauncherCommandLine.parse(dir.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a folder");
    }

    @Test
    void refusesAPathThatIsNoPath() {
        // A NUL character cannot be in a path: picocli's conversion error, not an InvalidPathException escaping main.
        assertThatThrownBy(() -> LauncherCommandLine.parse("conf/broker\0.properties"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BROKER_PROPERTIES");
    }

    @Test
    void aFileInTheRootFolderNeedsAnExplicitHome() {
        Path atRoot = Path.of("/broker.properties");
        assertThatThrownBy(() -> LauncherCommandLine.home(atRoot, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/broker.properties").hasMessageContaining("-Dfleetwarden.home");
        assertThat(LauncherCommandLine.home(atRoot, "/opt/fleetwarden-broker")).isEqualTo(Path.of("/opt/fleetwarden-broker"));
    }
}
