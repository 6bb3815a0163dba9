package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failure paths of {@link InfluxDbExtension} that need no real server. */
class InfluxDbExtensionTest {

    @Test
    void missingBinaryNamesTheDebianPackage(@TempDir Path dir) {
        InfluxDbExtension influx = InfluxDbExtension.builder().binary(dir.resolve("no-such-influxd")).build();

        assertThatThrownBy(influx::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-influxd")
                .hasMessageContaining("apt-get install influxdb")
                .hasMessageContaining(InfluxDbExtension.BINARY_ENV);
        assertThat(influx.isRunning()).isFalse();
    }

    @Test
    void systemPropertyOverridesTheBinary(@TempDir Path dir) {
        String previous = System.getProperty(InfluxDbExtension.BINARY_PROPERTY);
        System.setProperty(InfluxDbExtension.BINARY_PROPERTY, dir.resolve("other-influxd").toString());
        try {
            assertThatThrownBy(() -> InfluxDbExtension.withDatabase("x").start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("other-influxd")
                    .hasMessageContaining("apt-get install influxdb");
        } finally {
            if (previous == null) {
                System.clearProperty(InfluxDbExtension.BINARY_PROPERTY);
            } else {
                System.setProperty(InfluxDbExtension.BINARY_PROPERTY, previous);
            }
        }
    }

    @Test
    void serverThatDiesReportsItsLogTail(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("influxd");
        Files.writeString(fake, "#!/bin/sh\necho \"fake influxd got: $*\"\necho 'run: open server: boom' >&2\nexit 3\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        InfluxDbExtension influx = InfluxDbExtension.builder().binary(fake).startTimeout(Duration.ofSeconds(10)).build();

        assertThatThrownBy(influx::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("fake influxd got: run -config")
                .hasMessageContaining("boom");
        assertThat(influx.isRunning()).isFalse();
    }

    @Test
    void generatedConfigUsesOnlyTheGivenLoopbackPortsAndFolder(@TempDir Path dir) {
        String config = InfluxDbExtension.config(dir, 41001, 41002, false);

        assertThat(config)
                .contains("reporting-disabled = true")
                .contains("bind-address = \"127.0.0.1:41002\"")
                .contains("bind-address = \"127.0.0.1:41001\"")
                .contains("dir = \"" + dir.resolve("meta") + "\"")
                .contains("wal-dir = \"" + dir.resolve("wal") + "\"")
                .contains("store-enabled = false");
        assertThat(config.lines().filter(l -> l.contains("bind-address"))).hasSize(2);
        assertThat(config.lines().filter(l -> l.trim().equals("enabled = false"))).hasSize(6);
        assertThat(config).contains("auth-enabled = false");
        assertThat(InfluxDbExtension.config(dir, 41001, 41002, true)).contains("auth-enabled = true")
                .doesNotContain("auth-enabled = false");
    }
}
