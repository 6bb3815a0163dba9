package io.fleetwarden.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.AdminClientConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSecurityTest {

    @TempDir
    Path dir;

    private KafkaClientSecurity of(Map<String, String> options) {
        return KafkaClientSecurity.from(options::get);
    }

    private String file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    private static AdminClientConfig resolved(Map<String, Object> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put("bootstrap.servers", "127.0.0.1:9");
        return new AdminClientConfig(config);
    }

    @Test
    void unsetIsPlaintextWithNoProperties() {
        KafkaClientSecurity s = of(Map.of());
        assertThat(s.protocol()).isEqualTo(KafkaClientSecurity.Protocol.PLAINTEXT);
        assertThat(s.applyTo(new Properties())).isEmpty();
    }

    @Test
    void mutualTlsWithPemStores() throws Exception {
        KafkaClientSecurity s = of(Map.of(
                KafkaClientSecurity.PROTOCOL, "ssl",
                KafkaClientSecurity.TRUSTSTORE, file("ca.crt", "x"),
                KafkaClientSecurity.KEYSTORE, file("client.pem", "x")));
        Map<String, Object> p = s.applyTo(new HashMap<>());
        assertThat(p).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.location", dir.resolve("client.pem").toString())
                .doesNotContainKeys("ssl.keystore.password", "sasl.jaas.config");
    }

    @Test
    void pkcs12PasswordsComeFromFilesAndNeverShowInToString() throws Exception {
        KafkaClientSecurity s = of(Map.of(
                KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.TRUSTSTORE, file("ca.p12", "x"),
                KafkaClientSecurity.TRUSTSTORE_PASSWORD_FILE, file("ca.password", "trust-secret\n"),
                KafkaClientSecurity.KEYSTORE, file("user.p12", "x"),
                KafkaClientSecurity.KEYSTORE_PASSWORD_FILE, file("user.password", "key-secret")));
        Map<String, Object> p = s.clientProperties();
        // the properties carry references, never the secrets (they travel in Flink job graphs)
        assertThat(p.toString()).doesNotContain("trust-secret", "key-secret");
        assertThat(p).containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("ssl.keystore.password", "${fwsecret:" + dir.resolve("user.password") + ":password}");
        // a Kafka client resolves them when it is created (its own AbstractConfig, the same code path)
        AdminClientConfig resolved = resolved(p);
        assertThat(resolved.getPassword("ssl.truststore.password").value()).isEqualTo("trust-secret");
        assertThat(resolved.getPassword("ssl.keystore.password").value()).isEqualTo("key-secret");
        assertThat(resolved.getPassword("ssl.key.password").value()).isEqualTo("key-secret");
        assertThat(s.toString()).doesNotContain("trust-secret", "key-secret").contains("user.p12");

        // a rotated file is read by the next client
        file("user.password", "rotated-secret\n");
        assertThat(resolved(s.clientProperties()).getPassword("ssl.keystore.password").value()).isEqualTo("rotated-secret");
    }

    @Test
    void scramQuotesAHostilePassword() throws Exception {
        KafkaClientSecurity s = of(Map.of(
                KafkaClientSecurity.PROTOCOL, "SASL_SSL",
                KafkaClientSecurity.SASL_USERNAME, "fleetwarden-dashboard-api",
                KafkaClientSecurity.SASL_PASSWORD_FILE, file("pw", "a\"; evil=\"1\\")));
        assertThat(s.clientProperties().get("sasl.jaas.config").toString()).doesNotContain("evil");
        String jaas = resolved(s.clientProperties()).getPassword("sasl.jaas.config").value();
        assertThat(jaas).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"fleetwarden-dashboard-api\" password=\"a\\\"; evil=\\\"1\\\\\";");
        assertThat(s.clientProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(s.toString()).doesNotContain("evil");
    }

    @Test
    void refusesWhatWouldFallBackOrLeak() throws Exception {
        String store = file("user.pem", "x");
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.KEYSTORE, store)))
                .hasMessageContaining(KafkaClientSecurity.KEYSTORE).hasMessageContaining("PLAINTEXT");
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_PLAINTEXT")))
                .hasMessageContaining(KafkaClientSecurity.PROTOCOL);
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SSL")))
                .hasMessageContaining(KafkaClientSecurity.KEYSTORE);
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.KEYSTORE, dir.resolve("missing.pem").toString())))
                .hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SSL",
                KafkaClientSecurity.KEYSTORE, file("user.key", "x"))))
                .hasMessageContaining("must end in");
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL",
                KafkaClientSecurity.SASL_USERNAME, "x\" y",
                KafkaClientSecurity.SASL_PASSWORD_FILE, file("p", "p"))))
                .hasMessageContaining(KafkaClientSecurity.SASL_USERNAME);
        assertThatThrownBy(() -> of(Map.of(KafkaClientSecurity.PROTOCOL, "SASL_SSL",
                KafkaClientSecurity.SASL_USERNAME, "u",
                KafkaClientSecurity.SASL_PASSWORD_FILE, file("empty", "\n"))))
                .hasMessageContaining("is empty");
    }
}
