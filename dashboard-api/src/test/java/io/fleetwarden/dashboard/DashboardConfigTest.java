package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

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
