package io.fleetwarden.jobs.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.fleetwarden.testsupport.InfluxDbExtension;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink against a real InfluxDB with authentication on, its user holding only WRITE on the
 * database (as provisioned by deploy/containers/influxdb/influx-provision.sh): it writes with its
 * password from the environment or a file, and is refused without credentials or with wrong ones.
 */
class InfluxSinkAuthIT {

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.builder().database("fw").authentication().build();

    private static final String USER = "fleetwarden-jobs";
    private static final String PASSWORD = "jobs-password-0123456789";

    @BeforeAll
    static void writeOnlyUser() {
        INFLUX.query("CREATE USER \"" + USER + "\" WITH PASSWORD '" + PASSWORD + "'");
        INFLUX.query("GRANT WRITE ON \"fw\" TO \"" + USER + "\"");
    }

    private static UnaryOperator<String> env(String password) {
        Map<String, String> vars = password == null ? Map.of() : Map.of(InfluxSink.PASSWORD_ENV, password);
        return vars::get;
    }

    private static HealthPoint point(String device, double value) {
        return new HealthPoint("auth_check", 1_700_000_000_000_000_000L).tag("device", device).field("value", value);
    }

    private static String count(String device) {
        return INFLUX.query("SELECT count(value) FROM fw.autogen.auth_check WHERE device = '" + device + "'");
    }

    @Test
    void aWriteOnlyUserWritesWithThePasswordFromTheEnvironment() throws IOException {
        SimpleCounter written = new SimpleCounter();
        try (InfluxSink.Writer writer = new InfluxSink.Writer(INFLUX.url(), "fw", 10,
                new InfluxSink.Credentials(USER, null), env(PASSWORD), written)) {
            writer.write(point("env-1", 1.0), null);
            writer.flush(false);
        }
        assertThat(written.getCount()).isEqualTo(1);
        assertThat(count("env-1")).contains("[\"1970-01-01T00:00:00Z\",1]");
    }

    @Test
    void thePasswordMayComeFromAFileOnTheTaskManager(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("influx-password"), PASSWORD + "\n");
        try (InfluxSink.Writer writer = new InfluxSink.Writer(INFLUX.url(), "fw", 10,
                new InfluxSink.Credentials(USER, file.toString()), env(null), new SimpleCounter())) {
            writer.write(point("file-1", 2.0), null);
            writer.flush(true);
        }
        assertThat(count("file-1")).contains(",1]");
    }

    @Test
    void aWrongPasswordFailsTheWriteInsteadOfLosingPointsSilently() throws IOException {
        try (InfluxSink.Writer writer = new InfluxSink.Writer(INFLUX.url(), "fw", 10,
                new InfluxSink.Credentials(USER, null), env("not-the-password-000000"), new SimpleCounter())) {
            writer.write(point("wrong-1", 3.0), null);
            assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(IOException.class)
                    .hasMessageContaining("InfluxDB write of 1 points to fw failed")
                    .hasStackTraceContaining("authorization failed");
        }
        assertThat(count("wrong-1")).doesNotContain(",1]");
    }

    @Test
    void anonymousAccessIsRefused() {
        assertThatThrownBy(() -> new InfluxSink.Writer(INFLUX.url(), "fw", 10, InfluxSink.Credentials.NONE, env(null),
                new SimpleCounter())).hasMessageContaining("authentication");
    }

    @Test
    void aUserWithoutAPasswordIsAConfigurationErrorNamingWhereItIsRead() {
        assertThatThrownBy(() -> new InfluxSink.Writer(INFLUX.url(), "fw", 10, new InfluxSink.Credentials(USER, null),
                env(null), new SimpleCounter())).isInstanceOf(IOException.class)
                .hasMessageContaining(InfluxSink.PASSWORD_ENV).hasMessageContaining("--influx-password-file");
    }
}
