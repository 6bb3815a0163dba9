package io.fleetwarden.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileConfigProviderTest {

    @TempDir
    Path dir;

    private final SecretFileConfigProvider provider = new SecretFileConfigProvider();

    @Test
    void readsTheFileWithoutItsTrailingLineBreakAndQuotesForJaas() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "a\"b\\c\r\n");
        assertThat(provider.get(file.toString(), Set.of(SecretFileConfigProvider.PASSWORD)).data())
                .containsEntry("password", "a\"b\\c");
        assertThat(provider.get(file.toString(), Set.of(SecretFileConfigProvider.JAAS_QUOTED)).data())
                .containsEntry("jaas-quoted", "a\\\"b\\\\c");
        assertThat(provider.get(file.toString()).data()).containsOnlyKeys("password");
    }

    @Test
    void errorsNameTheFileButNeverItsContent() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), "top-secret");
        assertThatThrownBy(() -> provider.get(file.toString(), Set.of("other")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'other'")
                .hasMessageNotContaining("top-secret");
        assertThatThrownBy(() -> provider.get(dir.resolve("missing").toString(), Set.of("password")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> provider.get(empty.toString(), Set.of("password")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is empty");
    }

    @Test
    void referencesRefusePathsTheVariableSyntaxCannotCarry() {
        assertThat(SecretFileConfigProvider.reference(Path.of("/run/secrets/kafka.pw"), "password"))
                .isEqualTo("${fwsecret:/run/secrets/kafka.pw:password}");
        assertThatThrownBy(() -> SecretFileConfigProvider.reference(Path.of("/run/a:b"), "password"))
                .hasMessageContaining("':'");
    }
}
