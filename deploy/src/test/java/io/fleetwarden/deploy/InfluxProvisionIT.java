package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fleetwarden.testsupport.InfluxDbExtension;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deploy/containers/influxdb/influx-provision.sh (used by the local runner and the InfluxDB image)
 * against a real influxd with authentication on and no user yet: it creates the admin, the database
 * with a finite retention, a WRITE-only user for stream-jobs and a database user for the dashboard;
 * each component can do what it needs and nothing more; a re-run rotates passwords; bad settings
 * and wrong admin credentials are refused with their reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InfluxProvisionIT {

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.builder().database("unused").authenticationWithoutUsers().build();

    private static final Path SCRIPT = Path.of("containers/influxdb/influx-provision.sh").toAbsolutePath();
    private static final String ADMIN = "fw-admin";
    private static final String ADMIN_PW = "admin-password-0123456789";
    private static final String JOBS = "fw-jobs";
    private static final String DASH = "fw-dashboard";

    record Run(int exit, String output) { }

    private static Run provision(Map<String, String> overrides) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("FW_INFLUX_URL", INFLUX.url());
        env.put("FW_INFLUX_DATABASE", "fleetwarden");
        env.put("FW_INFLUX_RETENTION", "14d");
        env.put("FW_INFLUX_ADMIN_USER", ADMIN);
        env.put("FW_INFLUX_ADMIN_PASSWORD", ADMIN_PW);
        env.put("FW_INFLUX_JOBS_USER", JOBS);
        env.put("FW_INFLUX_JOBS_PASSWORD", "jobs-password-0123456789");
        env.put("FW_INFLUX_DASHBOARD_USER", DASH);
        env.put("FW_INFLUX_DASHBOARD_PASSWORD", "dash-password-0123456789");
        overrides.forEach((k, v) -> {
            if (v == null) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static String asAdmin(String statement) {
        return INFLUX.query(statement, ADMIN, ADMIN_PW);
    }

    @Test
    @Order(1)
    void provisionsAdminDatabaseRetentionAndLeastPrivilegeUsers() throws Exception {
        Run run = provision(Map.of());
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("fleetwarden provisioned").doesNotContain("password-0123456789");

        assertThat(asAdmin("SHOW RETENTION POLICIES ON fleetwarden")).contains("[\"autogen\",\"336h0m0s\",\"24h0m0s\",1,true]");
        assertThat(asAdmin("SHOW GRANTS FOR \"" + JOBS + "\"")).contains("[\"fleetwarden\",\"WRITE\"]");
        assertThat(asAdmin("SHOW GRANTS FOR \"" + DASH + "\"")).contains("[\"fleetwarden\",\"ALL PRIVILEGES\"]");
        assertThat(asAdmin("SHOW USERS")).contains("[\"" + ADMIN + "\",true]").contains("[\"" + JOBS + "\",false]");
    }

    @Test
    @Order(2)
    void eachComponentCanDoWhatItNeedsAndNothingMore() {
        String jobsPw = "jobs-password-0123456789";
        String dashPw = "dash-password-0123456789";
        // stream-jobs may not read, create databases or manage users
        assertThatThrownBy(() -> INFLUX.query("SELECT * FROM fleetwarden.autogen.device_health", JOBS, jobsPw))
                .hasMessageContaining("requires READ");
        assertThatThrownBy(() -> INFLUX.query("CREATE DATABASE other", JOBS, jobsPw)).hasMessageContaining("requires admin");
        assertThatThrownBy(() -> INFLUX.query("CREATE USER x WITH PASSWORD 'y' WITH ALL PRIVILEGES", DASH, dashPw))
                .hasMessageContaining("requires admin");
        // the dashboard reads and deletes (erasure) series of its database only
        assertThat(INFLUX.query("SELECT * FROM fleetwarden.autogen.device_health", DASH, dashPw)).contains("results");
        assertThat(INFLUX.queryOn("fleetwarden", "DELETE FROM device_health WHERE device = 'gone'", DASH, dashPw))
                .contains("results");
        assertThatThrownBy(() -> INFLUX.query("DROP DATABASE fleetwarden", DASH, dashPw)).hasMessageContaining("requires admin");
        // and stream-jobs may delete nothing it cannot write anyway, but never another database
        assertThatThrownBy(() -> INFLUX.queryOn("_internal", "DELETE FROM x", JOBS, jobsPw)).hasMessageContaining("not authorized");
        // nobody without credentials
        assertThatThrownBy(() -> INFLUX.query("SHOW DATABASES", null, null)).hasMessageContaining("HTTP 401");
    }

    @Test
    @Order(3)
    void aRerunRotatesPasswordsAndRetentionIdempotently() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("FW_INFLUX_JOBS_PASSWORD", "rotated-jobs-password-42");
        overrides.put("FW_INFLUX_RETENTION", "2w");
        Run run = provision(overrides);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(asAdmin("SHOW RETENTION POLICIES ON fleetwarden")).contains("[\"autogen\",\"336h0m0s\"");
        assertThatThrownBy(() -> INFLUX.query("SHOW DATABASES", JOBS, "jobs-password-0123456789"))
                .hasMessageContaining("HTTP 401");
        assertThat(asAdmin("SHOW GRANTS FOR \"" + JOBS + "\"")).contains("[\"fleetwarden\",\"WRITE\"]");
    }

    @Test
    @Order(4)
    void refusesWrongAdminCredentialsAndBadSettingsWithTheirReason() throws Exception {
        Run wrongAdmin = provision(Map.of("FW_INFLUX_ADMIN_PASSWORD", "not-the-admin-password-1"));
        assertThat(wrongAdmin.exit()).isEqualTo(3);
        assertThat(wrongAdmin.output()).contains("the admin credentials are refused");

        Run badRetention = provision(Map.of("FW_INFLUX_RETENTION", "30 days"));
        assertThat(badRetention.exit()).isEqualTo(2);
        assertThat(badRetention.output()).contains("FW_INFLUX_RETENTION '30 days'");

        // a password that would break out of the InfluxQL string literal is refused before any query
        Run injection = provision(Map.of("FW_INFLUX_JOBS_PASSWORD", "x' WITH ALL PRIVILEGES --------"));
        assertThat(injection.exit()).isEqualTo(2);
        assertThat(injection.output()).contains("stream-jobs password must be");
        assertThat(asAdmin("SHOW USERS")).contains("[\"" + JOBS + "\",false]");

        Map<String, String> noAdmin = new HashMap<>();
        noAdmin.put("FW_INFLUX_ADMIN_PASSWORD", null);
        Run missing = provision(noAdmin);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.output()).contains("FW_INFLUX_ADMIN_USER and FW_INFLUX_ADMIN_PASSWORD are required");
    }
}
