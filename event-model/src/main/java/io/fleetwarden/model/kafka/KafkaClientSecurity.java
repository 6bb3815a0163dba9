package io.fleetwarden.model.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How every Fleetwarden Kafka client (producers, consumers, admin clients, Flink's
 * {@code KafkaSource}/{@code KafkaSink}) authenticates to Kafka: one small set of options turned into
 * client properties, applied at every client creation site with
 * {@code KafkaClientSecurity.configured().applyTo(properties)}.
 *
 * <p>The options are read from environment variables, or from Java system properties of the same
 * names (a system property wins; tests use them):
 *
 * <table>
 * <caption>options</caption>
 * <tr><th>name</th><th>meaning</th></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_SECURITY_PROTOCOL}</td><td>{@code PLAINTEXT} (default: no TLS, no
 * authentication), {@code SSL} (TLS with a client certificate: mutual TLS, the primary mode) or
 * {@code SASL_SSL} (TLS with SCRAM-SHA-512)</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_TRUSTSTORE}</td><td>CA certificates that sign the Kafka brokers'
 * certificates: {@code .pem}/{@code .crt} (PEM), {@code .p12}/{@code .pfx} (PKCS#12) or {@code .jks};
 * unset means the JVM's default CAs</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_TRUSTSTORE_PASSWORD_FILE}</td><td>file holding the trust store's
 * password (PKCS#12/JKS only)</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_KEYSTORE}</td><td>the client's certificate and private key, same
 * formats; a PEM key store holds the unencrypted PKCS#8 key followed by the certificate chain.
 * Required for {@code SSL}</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_KEYSTORE_PASSWORD_FILE}</td><td>file holding the key store's
 * password (for PEM: the key's password, if it is encrypted)</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_SASL_USERNAME}</td><td>SCRAM user; required for
 * {@code SASL_SSL}</td></tr>
 * <tr><td>{@code FLEETWARDEN_KAFKA_SASL_PASSWORD_FILE}</td><td>file holding the SCRAM password;
 * required for {@code SASL_SSL}</td></tr>
 * </table>
 *
 * <p>Passwords are only ever read from files (a mounted Kubernetes secret), never taken from the
 * command line or the environment, and {@link #toString()} never shows them. Any option that does not
 * fit the protocol (a key store with {@code PLAINTEXT}, a SCRAM user with {@code SSL}) is an error
 * naming the option, so a half-applied configuration cannot silently fall back to plaintext.
 *
 * <p>Immutable and thread-safe.
 */
public final class KafkaClientSecurity {

    /** Environment variable (or system property) names. */
    public static final String PROTOCOL = "FLEETWARDEN_KAFKA_SECURITY_PROTOCOL";
    public static final String TRUSTSTORE = "FLEETWARDEN_KAFKA_TRUSTSTORE";
    public static final String TRUSTSTORE_PASSWORD_FILE = "FLEETWARDEN_KAFKA_TRUSTSTORE_PASSWORD_FILE";
    public static final String KEYSTORE = "FLEETWARDEN_KAFKA_KEYSTORE";
    public static final String KEYSTORE_PASSWORD_FILE = "FLEETWARDEN_KAFKA_KEYSTORE_PASSWORD_FILE";
    public static final String SASL_USERNAME = "FLEETWARDEN_KAFKA_SASL_USERNAME";
    public static final String SASL_PASSWORD_FILE = "FLEETWARDEN_KAFKA_SASL_PASSWORD_FILE";

    private static final String[] ALL = {PROTOCOL, TRUSTSTORE, TRUSTSTORE_PASSWORD_FILE, KEYSTORE,
            KEYSTORE_PASSWORD_FILE, SASL_USERNAME, SASL_PASSWORD_FILE};

    /** The supported security protocols. */
    public enum Protocol {
        /** No TLS, no authentication (local demo only). */
        PLAINTEXT,
        /** TLS; the client authenticates with its certificate (mutual TLS). */
        SSL,
        /** TLS; the client authenticates with SCRAM-SHA-512. */
        SASL_SSL
    }

    private final Protocol protocol;
    private final Map<String, String> options;

    private KafkaClientSecurity(Protocol protocol, Map<String, String> options) {
        this.protocol = protocol;
        this.options = options;
    }

    /** @return plaintext without authentication */
    public static KafkaClientSecurity plaintext() {
        return new KafkaClientSecurity(Protocol.PLAINTEXT, Map.of());
    }

    /**
     * The configuration of this process: environment variables, overridden by system properties of
     * the same names.
     *
     * @return the validated configuration
     * @throws IllegalArgumentException naming the bad option
     */
    public static KafkaClientSecurity configured() {
        return from(name -> {
            String value = System.getProperty(name);
            return value != null ? value : System.getenv(name);
        });
    }

    /**
     * Reads and validates the options.
     *
     * @param source option name to value, {@code null} when unset
     * @return the validated configuration
     * @throws IllegalArgumentException naming the bad option
     */
    public static KafkaClientSecurity from(UnaryOperator<String> source) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String name : ALL) {
            String value = source.apply(name);
            if (value != null && !value.isBlank()) {
                options.put(name, value.strip());
            }
        }
        String rawProtocol = options.getOrDefault(PROTOCOL, "PLAINTEXT");
        Protocol protocol;
        try {
            protocol = Protocol.valueOf(rawProtocol.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROTOCOL + " must be PLAINTEXT, SSL or SASL_SSL, not '"
                    + rawProtocol + "'");
        }
        switch (protocol) {
            case PLAINTEXT -> {
                for (String name : ALL) {
                    if (!name.equals(PROTOCOL) && options.containsKey(name)) {
                        throw new IllegalArgumentException(name + " is set but " + PROTOCOL
                                + " is PLAINTEXT: set " + PROTOCOL + " to SSL or SASL_SSL");
                    }
                }
            }
            case SSL -> {
                require(options, KEYSTORE, "SSL (mutual TLS) needs the client certificate");
                forbid(options, SASL_USERNAME, protocol);
                forbid(options, SASL_PASSWORD_FILE, protocol);
            }
            case SASL_SSL -> {
                require(options, SASL_USERNAME, "SASL_SSL needs the SCRAM user");
                require(options, SASL_PASSWORD_FILE, "SASL_SSL needs the SCRAM password file");
                forbid(options, KEYSTORE, protocol);
                forbid(options, KEYSTORE_PASSWORD_FILE, protocol);
                String user = options.get(SASL_USERNAME);
                if (!user.matches("[A-Za-z0-9._@-]{1,128}")) {
                    throw new IllegalArgumentException(SASL_USERNAME
                            + " may only hold letters, digits and . _ @ - (at most 128)");
                }
            }
        }
        if (options.containsKey(TRUSTSTORE_PASSWORD_FILE) && !options.containsKey(TRUSTSTORE)) {
            throw new IllegalArgumentException(TRUSTSTORE_PASSWORD_FILE + " is set without " + TRUSTSTORE);
        }
        if (options.containsKey(KEYSTORE_PASSWORD_FILE) && !options.containsKey(KEYSTORE)) {
            throw new IllegalArgumentException(KEYSTORE_PASSWORD_FILE + " is set without " + KEYSTORE);
        }
        KafkaClientSecurity security = new KafkaClientSecurity(protocol, Map.copyOf(options));
        security.clientProperties(); // fail now on unreadable files or unknown store types
        return security;
    }

    /** @return the security protocol */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * The client properties for this configuration. Passwords are not in them: each is a reference
     * ({@link SecretFileConfigProvider}) that the Kafka client resolves from its file when it is
     * created, so a configuration that travels (a Flink job graph) or is logged carries no secret,
     * and a rotated secret is picked up by the next client. The files are checked here (readable,
     * not empty) so a wrong setting fails now, naming its option.
     *
     * @return {@code security.protocol} and the TLS/SASL settings; empty for plaintext
     * @throws IllegalArgumentException naming the option whose file cannot be read
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (protocol == Protocol.PLAINTEXT) {
            return p;
        }
        p.put("security.protocol", protocol.name());
        p.put("config.providers", SecretFileConfigProvider.ALIAS);
        p.put("config.providers." + SecretFileConfigProvider.ALIAS + ".class", SecretFileConfigProvider.class.getName());
        String truststore = options.get(TRUSTSTORE);
        if (truststore != null) {
            String type = storeType(TRUSTSTORE, truststore);
            p.put("ssl.truststore.type", type);
            p.put("ssl.truststore.location", readableFile(TRUSTSTORE, truststore).toString());
            if (options.containsKey(TRUSTSTORE_PASSWORD_FILE)) {
                p.put("ssl.truststore.password", secretReference(TRUSTSTORE_PASSWORD_FILE, SecretFileConfigProvider.PASSWORD));
            }
        }
        String keystore = options.get(KEYSTORE);
        if (keystore != null) {
            String type = storeType(KEYSTORE, keystore);
            p.put("ssl.keystore.type", type);
            p.put("ssl.keystore.location", readableFile(KEYSTORE, keystore).toString());
            if (options.containsKey(KEYSTORE_PASSWORD_FILE)) {
                String password = secretReference(KEYSTORE_PASSWORD_FILE, SecretFileConfigProvider.PASSWORD);
                if (!type.equals("PEM")) {
                    p.put("ssl.keystore.password", password);
                }
                p.put("ssl.key.password", password);
            }
        }
        if (protocol == Protocol.SASL_SSL) {
            p.put("sasl.mechanism", "SCRAM-SHA-512");
            p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + jaasQuote(options.get(SASL_USERNAME)) + "\" password=\""
                    + secretReference(SASL_PASSWORD_FILE, SecretFileConfigProvider.JAAS_QUOTED) + "\";");
        }
        return p;
    }

    /**
     * Puts {@link #clientProperties()} into the given client configuration (a {@code Properties} or
     * a {@code Map<String, Object>}), replacing any security setting already there.
     *
     * @param target the client configuration
     * @param <M>    its type
     * @return the same configuration
     */
    public <M extends Map<? super String, ? super Object>> M applyTo(M target) {
        target.putAll(clientProperties());
        return target;
    }

    /** @return the protocol and the files in use, never a password */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("KafkaClientSecurity[").append(protocol);
        options.forEach((k, v) -> {
            if (!k.equals(PROTOCOL)) {
                s.append(", ").append(k).append('=').append(v);
            }
        });
        return s.append(']').toString();
    }

    private static void require(Map<String, String> options, String name, String why) {
        if (!options.containsKey(name)) {
            throw new IllegalArgumentException(name + " is required: " + why);
        }
    }

    private static void forbid(Map<String, String> options, String name, Protocol protocol) {
        if (options.containsKey(name)) {
            throw new IllegalArgumentException(name + " does not apply to " + PROTOCOL + "=" + protocol);
        }
    }

    private static String storeType(String option, String file) {
        String lower = file.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".pem") || lower.endsWith(".crt")) {
            return "PEM";
        }
        if (lower.endsWith(".p12") || lower.endsWith(".pfx")) {
            return "PKCS12";
        }
        if (lower.endsWith(".jks")) {
            return "JKS";
        }
        throw new IllegalArgumentException(option + " must end in .pem, .crt, .p12, .pfx or .jks: " + file);
    }

    private static Path readableFile(String option, String file) {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(option + " is not a readable file: " + file);
        }
        return path;
    }

    private String secretReference(String option, String key) {
        Path path = readableFile(option, options.get(option));
        try {
            if (Files.readString(path, StandardCharsets.UTF_8).replaceFirst("\\R\\z", "").isEmpty()) {
                throw new IllegalArgumentException(option + " is empty: " + path);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " cannot be read: " + path, e);
        }
        try {
            return SecretFileConfigProvider.reference(path, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private static String jaasQuote(String value) {
        return Objects.requireNonNull(value).replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
