package io.fleetwarden.dashboard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {

    @TempDir
    Path dir;

    @Test
    void aCreatedTokenAuthenticatesAndOnlyItsHashIsStored() throws Exception {
        Path file = dir.resolve("tokens.json");
        TokenStore store = new TokenStore(file, Clock.systemUTC());
        TokenStore.CreatedToken t = store.create("ci", Role.ANALYST, Set.of("acme"), false, "test");
        assertThat(t.secret()).startsWith("fwt_").hasSizeGreaterThan(40);
        Principal p = store.authenticate(t.secret()).orElseThrow();
        assertThat(p.role()).isEqualTo(Role.ANALYST);
        assertThat(p.tenants()).containsExactly("acme");
        assertThat(p.name()).isEqualTo("token:ci");
        String persisted = Files.readString(file);
        assertThat(persisted).doesNotContain(t.secret()).contains(TokenStore.sha256Hex(t.secret()));

        // survives a restart
        TokenStore reloaded = new TokenStore(file, Clock.systemUTC());
        assertThat(reloaded.authenticate(t.secret())).isPresent();
        assertThat(reloaded.revoke(t.stored().id())).isTrue();
        assertThat(new TokenStore(file, Clock.systemUTC()).authenticate(t.secret())).isEmpty();
    }

    @Test
    void wrongMalformedAndOversizedTokensAreRefused() {
        TokenStore store = new TokenStore(null, Clock.systemUTC());
        String secret = store.create("x", Role.VIEWER, Set.of("acme"), false, "test").secret();
        assertThat(store.authenticate(secret + "a")).isEmpty();
        assertThat(store.authenticate(secret.substring(0, secret.length() - 1))).isEmpty();
        assertThat(store.authenticate("fwt_" + "a".repeat(200))).isEmpty();
        assertThat(store.authenticate(null)).isEmpty();
        assertThat(store.authenticate(secret.substring(4))).isEmpty();
    }

    @Test
    void grantsNeedATenantAndNeverNameAReservedScope() {
        TokenStore store = new TokenStore(null, Clock.systemUTC());
        Principal soc = store.authenticate(store.create("soc", Role.ANALYST, Set.of(), true, "t").secret()).orElseThrow();
        assertThat(soc.canSee(io.fleetwarden.model.Scopes.FRONT_DOOR)).as("platform SOC sees the front door").isTrue();
        assertThatThrownBy(() -> store.create("x", Role.ADMIN, Set.of(io.fleetwarden.model.Scopes.FRONT_DOOR), false, "t"))
                .hasMessageContaining("reserved scope");
        assertThatThrownBy(() -> store.create("x", Role.ANALYST, Set.of(), false, "t"))
                .hasMessageContaining("at least one tenant");
        Principal admin = store.authenticate(store.create("root", Role.ADMIN, Set.of(), true, "t").secret()).orElseThrow();
        assertThat(admin.canSee("anything")).isTrue();
    }

    @Test
    void rolesAreOrdered() {
        assertThat(Role.ADMIN.atLeast(Role.ANALYST)).isTrue();
        assertThat(Role.ANALYST.atLeast(Role.ADMIN)).isFalse();
        assertThat(Role.parse(" Viewer ")).isEqualTo(Role.VIEWER);
        assertThatThrownBy(() -> Role.parse("root")).hasMessageContaining("viewer, analyst or admin");
    }
}
