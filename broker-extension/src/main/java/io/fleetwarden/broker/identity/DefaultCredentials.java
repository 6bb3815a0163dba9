package io.fleetwarden.broker.identity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Well-known factory-default credentials (the Mirai-era telnet list plus common vendor defaults),
 * shipped as the resource {@code /default-credentials.txt}: one {@code username:password} per line,
 * {@code #} comments, an empty password allowed. Matching is exact (both parts).
 */
public final class DefaultCredentials {

    /** Classpath location of the shipped list. */
    public static final String RESOURCE = "/default-credentials.txt";

    private final Set<String> pairs;

    private DefaultCredentials(Set<String> pairs) {
        this.pairs = Set.copyOf(pairs);
    }

    /** Loads the shipped list; fails when it is missing, so a broken package cannot start. */
    public static DefaultCredentials shipped() {
        try (InputStream in = DefaultCredentials.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + RESOURCE + " in the extension jar");
            }
            Set<String> pairs = new HashSet<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.indexOf(':') < 0) {
                    throw new IllegalStateException(RESOURCE + ": line without ':' separator");
                }
                pairs.add(line.strip());
            }
            return new DefaultCredentials(pairs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of pairs in the list. */
    public int size() {
        return pairs.size();
    }

    /** Whether {@code username}/{@code password} is a known factory default. */
    public boolean matches(String username, String password) {
        return pairs.contains((username == null ? "" : username) + ":" + (password == null ? "" : password));
    }
}
