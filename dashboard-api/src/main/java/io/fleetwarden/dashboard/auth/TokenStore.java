package io.fleetwarden.dashboard.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Json;

/**
 * API tokens. A token is {@code fwt_} plus 256 random bits (base64url); only its SHA-256 is
 * stored, so a leaked store does not leak tokens. Lookup compares every stored hash with
 * {@link MessageDigest#isEqual} (constant time) rather than using a hash map, so timing does not
 * tell how close a guess came.
 *
 * <p>State: the token list is kept in memory and, when a file is configured, rewritten atomically
 * (temp file + move) on every change, so tokens survive restarts. Thread-safe.
 */
public final class TokenStore {

    /** What is stored about one token; never the token itself. */
    public record StoredToken(String id, String name, String role, Set<String> tenants, boolean platformWide,
                              String sha256, Instant createdAt, String createdBy) {
    }

    /** A freshly created token: the secret is returned once and never again. */
    public record CreatedToken(StoredToken stored, String secret) {
    }

    private static final String PREFIX = "fwt_";

    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper mapper = Json.mapper();
    private final List<StoredToken> tokens = new CopyOnWriteArrayList<>();

    /** @param file where tokens are persisted, or {@code null} for memory only (tests) */
    public TokenStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        if (file != null && Files.exists(file)) {
            try {
                tokens.addAll(mapper.readValue(file.toFile(), new TypeReference<List<StoredToken>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read token store " + file, e);
            }
        }
    }

    public synchronized CreatedToken create(String name, Role role, Set<String> tenants, boolean platformWide,
                                            String createdBy) {
        // validates the grant (tenants, platform-wide only for admins)
        new Principal(name, role, tenants, platformWide);
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        StoredToken stored = new StoredToken(UUID.randomUUID().toString(), name, role.name().toLowerCase(),
                Set.copyOf(tenants), platformWide, sha256Hex(secret), clock.instant(), createdBy);
        tokens.add(stored);
        persist();
        return new CreatedToken(stored, secret);
    }

    public synchronized boolean revoke(String id) {
        boolean removed = tokens.removeIf(t -> t.id().equals(id));
        if (removed) {
            persist();
        }
        return removed;
    }

    public List<StoredToken> list() {
        return List.copyOf(tokens);
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }

    /** The principal for a presented token, or empty. Every stored hash is compared. */
    public Optional<Principal> authenticate(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 128) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        StoredToken match = null;
        for (StoredToken t : tokens) {
            if (MessageDigest.isEqual(hash, HexFormat.of().parseHex(t.sha256())) && match == null) {
                match = t;
            }
        }
        if (match == null) {
            return Optional.empty();
        }
        return Optional.of(new Principal("token:" + match.name(), Role.parse(match.role()), match.tenants(),
                match.platformWide()));
    }

    private void persist() {
        if (file == null) {
            return;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "tokens", ".tmp");
            mapper.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), new ArrayList<>(tokens));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write token store " + file, e);
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256(s));
    }
}
