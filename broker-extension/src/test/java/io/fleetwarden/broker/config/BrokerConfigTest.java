package io.fleetwarden.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped config parses; every bad value is refused naming its key. */
class BrokerConfigTest {

    static final Path SHIPPED = Path.of("src/main/extension/conf/config.xml");

    @TempDir
    Path home;

    @BeforeEach
    void ca() throws Exception {
        Files.createDirectories(home.resolve("conf/ca"));
        Files.createDirectories(home.resolve("conf/crl"));
    }

    private BrokerConfig load(String key, String value) {
        Properties p = new Properties();
        if (key != null) {
            p.setProperty(BrokerConfig.OVERRIDE_PREFIX + key, value);
        }
        return BrokerConfig.load(SHIPPED, home, p);
    }

    @Test
    void shippedConfigParsesWithItsDefaults() {
        BrokerConfig c = load(null, null);
        assertThat(c.brokerId()).isEqualTo("broker-1");
        assertThat(c.caCertificates()).containsExactly(home.resolve("conf/ca"));
        assertThat(c.crlFolder()).isEqualTo(home.resolve("conf/crl"));
        assertThat(c.tlsProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(c.crlReloadInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.kafkaBootstrapServers()).isEqualTo("localhost:9092");
        assertThat(c.metricsPort()).isEqualTo(9399);
        assertThat(c.readyMaxBufferDepth()).as("half the buffer by default").isEqualTo(50_000);
        assertThat(c.clockSkew()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.clockSkewReportInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(load("validation.clock-skew", "PT10M").clockSkew()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.registryEnforced()).as("registry enforcement is off unless configured").isFalse();
        assertThat(load("registry.enforcement", "on").registryEnforced()).isTrue();
        assertThat(c.jitPerMinute()).isEqualTo(60);
        assertThat(c.jitBurst()).isEqualTo(20);
        assertThat(load("registry.jit-per-minute", "0.5").jitPerMinute()).isEqualTo(0.5);
    }

    @Test
    void durationsTakeTheShortFormAsWellAsIso8601() {
        assertThat(load("trust.crl-reload-interval", "90s").crlReloadInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(load("trust.crl-reload-interval", "PT1M30S").crlReloadInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(load("kafka.controls-initial-load-timeout", "2m").controlsInitialLoadTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void readinessBufferThresholdIsBoundedByTheBuffer() {
        assertThat(load("health.max-buffer-depth", "1000").readyMaxBufferDepth()).isEqualTo(1000);
        assertThatThrownBy(() -> load("health.max-buffer-depth", "100001")).hasMessageContaining("health.max-buffer-depth");
    }

    @Test
    void overrideReplacesTheFileValue() {
        assertThat(load("kafka.bootstrap-servers", "k1:9092,k2:9093").kafkaBootstrapServers()).isEqualTo("k1:9092,k2:9093");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "broker-id|bad id",
            "trust.ca-certificates|conf/missing.pem",
            "trust.crl-folder|conf/nope",
            "trust.crl-reload-interval|5 seconds",
            "trust.crl-reload-interval|PT0S",
            "trust.default-tenant|a/b",
            "tls.protocols|TLSv1.1",
            "tls.require-aead-cipher|yes",
            "validation.max-payload-bytes|-1",
            "validation.rate-limit-per-second|0",
            "validation.rate-limit-burst|lots",
            "validation.clock-skew|2 minutes",
            "validation.clock-skew|PT0S",
            "validation.clock-skew|-PT2M",
            "validation.clock-skew|PT10M0.001S",
            "validation.clock-skew-report-interval|PT0S",
            "kafka.bootstrap-servers|localhost",
            "kafka.buffer-max-records|0",
            "kafka.controls-initial-load-timeout|-PT1S",
            "kafka.controls-initial-load-timeout|-30s",
            "kafka.controls-initial-load-timeout|99999999999999999999d",
            "kafka.controls-initial-load-timeout|''",
            "trust.crl-reload-interval|5",
            "metrics.port|70000",
            "metrics.bind-address|' '",
            "health.max-buffer-depth|0",
            "health.max-buffer-depth|half",
            "registry.enforcement|true",
            "registry.enforcement|ON ",
            "registry.jit-per-minute|0",
            "registry.jit-per-minute|-1",
            "registry.jit-per-minute|many",
            "registry.jit-burst|0"})
    void badValuesAreRefusedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> load(key, value)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo(key)).hasMessageContaining(key);
    }

    @Test
    void unknownKeyInTheFileIsRefused() throws Exception {
        Path f = home.resolve("config.xml");
        Files.writeString(f, Files.readString(SHIPPED).replace("<broker-id>", "<brokr-id>x</brokr-id><broker-id>"));
        assertThatThrownBy(() -> BrokerConfig.load(f, home, new Properties())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo("brokr-id"));
    }

    @Test
    void wrongRootAndBrokenXmlAreRefused() throws Exception {
        Path f = home.resolve("config.xml");
        Files.writeString(f, "<hivemq/>");
        assertThatThrownBy(() -> BrokerConfig.load(f, home, new Properties())).hasMessageContaining("fleetwarden-broker");
        Files.writeString(f, "<fleetwarden-broker>");
        assertThatThrownBy(() -> BrokerConfig.load(f, home, new Properties())).hasMessageContaining("XML");
        Files.writeString(f, "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><fleetwarden-broker/>");
        assertThatThrownBy(() -> BrokerConfig.load(f, home, new Properties())).isInstanceOf(ConfigException.class);
    }

    @Test
    void missingRequiredKeyIsRefused() throws Exception {
        Path f = home.resolve("config.xml");
        Files.writeString(f, Files.readString(SHIPPED).replace("<broker-id>broker-1</broker-id>", ""));
        assertThatThrownBy(() -> BrokerConfig.load(f, home, new Properties())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo("broker-id"));
    }
}
