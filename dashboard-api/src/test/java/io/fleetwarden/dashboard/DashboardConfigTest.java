package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class DashboardConfigTest {

    @Test
    void defaultsAreClosedAndEnvironmentOverrides() {
        DashboardConfig c = DashboardConfig.load(null, Map.of("FLEETWARDEN_HTTP_PORT", "9000",
                "FLEETWARDEN_KAFKA_BOOTSTRAP_SERVERS", "k:9092", "FLEETWARDEN_AUTOQUARANTINE_RULES", "R1, R2"));
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.kafkaBootstrap()).isEqualTo("k:9092");
        assertThat(c.corsOrigins()).isEmpty();
        assertThat(c.oidcEnabled()).isFalse();
        assertThat(c.autoQuarantineRules()).containsExactly("R1", "R2");
        assertThat(c.disclosure().published()).isFalse();
    }

    @Test
    void influxCredentialsComeFromTheEnvironment() {
        DashboardConfig c = DashboardConfig.load(null, Map.of("FLEETWARDEN_INFLUX_USER", "fleetwarden-dashboard",
                "FLEETWARDEN_INFLUX_PASSWORD", "secret-from-env-0123"));
        assertThat(c.influxUser()).isEqualTo("fleetwarden-dashboard");
        assertThat(c.influxPassword()).isEqualTo("secret-from-env-0123");
        assertThat(DashboardConfig.load(null, Map.of()).influxUser()).isNull();
    }

    /**
     * The environment only overrides keys the built-in defaults list: a key documented in
     * conf/dashboard.properties but missing there would be silently ignored when set as
     * FLEETWARDEN_&lt;KEY&gt; (as influx.user and influx.password once were).
     */
    @Test
    void everyDocumentedKeyCanBeSetFromTheEnvironment() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = DashboardConfig.class.getResourceAsStream("/dashboard-defaults.properties")) {
            defaults.load(in);
        }
        Pattern key = Pattern.compile("^#?\\s*([a-z][a-z0-9.-]*)=");
        int checked = 0;
        for (String line : Files.readAllLines(Path.of("conf/dashboard.properties"))) {
            Matcher m = key.matcher(line);
            if (m.find() && !m.group(1).startsWith("webhook")) { // webhook.<name>.* keys are named by the operator
                assertThat(defaults.stringPropertyNames()).as("documented key " + m.group(1)).contains(m.group(1));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> DashboardConfig.load(null, Map.of("FLEETWARDEN_HTTP_PORT", "http")))
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> DashboardConfig.load(null, Map.of("FLEETWARDEN_OIDC_ISSUER", "https://idp")))
                .hasMessageContaining("oidc.audience");
        assertThatThrownBy(() -> DashboardConfig.load(null, Map.of("FLEETWARDEN_SECURITYTXT_CONTACT", "mailto:a@b")))
                .hasMessageContaining("securitytxt.expires");
        assertThatThrownBy(() -> DashboardConfig.load(null, Map.of("FLEETWARDEN_CORS_ORIGINS", "*")))
                .hasMessageContaining("cors.origins");
        assertThatThrownBy(() -> DashboardConfig.load(null, Map.of("FLEETWARDEN_DISCLOSURE_REPORTS_PER_MINUTE", "0")))
                .hasMessageContaining("disclosure.reports-per-minute");
    }
}
