package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** Starting and closing by hand stops the process and removes its files. */
class InfluxDbExtensionLifecycleIT {

    @Test
    void closeStopsTheProcessAndDeletesItsFolder() throws Exception {
        InfluxDbExtension influx = InfluxDbExtension.withDatabase("lifecycle");
        String url;
        Path dir;
        long pidsBefore = influxdChildren();
        Set<Thread> threadsBefore = liveNonDaemonThreads();
        try {
            influx.start();
            url = influx.url();
            dir = influx.directory();
            assertThat(dir.resolve("influxd.log")).exists();
            assertThat(dir.resolve("meta")).isDirectory();
            assertThat(dir.resolve("influxd.conf")).isRegularFile();
            assertThat(influxdChildren()).isEqualTo(pidsBefore + 1);
            assertThat(ping(url)).isEqualTo(204);
            assertThat(influx.newClient().ping().isGood()).isTrue(); // left open on purpose
        } finally {
            influx.close();
        }
        influx.close(); // idempotent

        assertThat(influx.isRunning()).isFalse();
        assertThat(influxdChildren()).isEqualTo(pidsBefore);
        assertThat(Files.exists(dir)).isFalse();
        assertThat(ping(url)).isEqualTo(-1);
        Set<Thread> leaked = liveNonDaemonThreads();
        leaked.removeAll(threadsBefore);
        assertThat(leaked.stream().map(Thread::getName).toList()).isEmpty();
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon())
                .collect(Collectors.toSet());
    }

    private static long influxdChildren() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("influxd")).orElse(false))
                .count();
    }

    private static int ping(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url + "/ping").toURL().openConnection();
            connection.setConnectTimeout(1_000);
            try {
                return connection.getResponseCode();
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }
}
