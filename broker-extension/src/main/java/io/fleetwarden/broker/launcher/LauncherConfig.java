package io.fleetwarden.broker.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.fleetwarden.broker.config.ConfigException;

/**
 * Settings of the {@code fleetwarden-broker} launcher, from a Java properties file (see
 * {@code conf/broker.properties}). Every key is checked; unknown keys are refused except
 * {@code fleetwarden.*}, which are passed to the extension as overrides of its {@code conf/config.xml}.
 *
 * @param port                 TLS listener port (0 picks a free port)
 * @param bindAddress          listener bind address
 * @param keystore             PKCS#12 (or JKS) keystore with the broker's key and certificate
 * @param keystorePassword     keystore password
 * @param privateKeyPassword   private key password (defaults to the keystore password)
 * @param truststore           keystore with the fleet CA certificate(s)
 * @param truststorePassword   truststore password
 * @param clientValidation     {@code extension} (default: any client certificate passes TLS, the extension
 *                             validates and records failures) or {@code tls} (the handshake validates, failures are
 *                             invisible to the extension)
 * @param kafkaBootstrapServers Kafka servers for the extension
 * @param brokerId             broker id for the extension
 * @param extensionsFolder     folder holding the unpacked extension zip(s)
 * @param dataFolder           HiveMQ data folder
 * @param overrides            {@code fleetwarden.*} overrides for the extension
 */
public record LauncherConfig(int port, String bindAddress, Path keystore, String keystorePassword,
                             String privateKeyPassword, Path truststore, String truststorePassword,
                             String clientValidation, String kafkaBootstrapServers, String brokerId,
                             Path extensionsFolder, Path dataFolder, Map<String, String> overrides) {

    static final Set<String> KEYS = Set.of("listener.port", "listener.bind-address", "tls.keystore.path",
            "tls.keystore.password", "tls.keystore.private-key-password", "tls.truststore.path",
            "tls.truststore.password", "tls.client-validation", "kafka.bootstrap-servers", "broker.id",
            "extensions.folder", "data.folder");

    /** Reads the file; relative paths resolve against {@code home}. @throws ConfigException naming the key */
    public static LauncherConfig load(Path file, Path home) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + ": " + e.getMessage(), e);
        }
        return from(p, home);
    }

    /** Same as {@link #load} from properties already read. */
    public static LauncherConfig from(Properties p, Path home) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("fleetwarden.")) {
                overrides.put(key, p.getProperty(key).trim());
            } else if (!KEYS.contains(key)) {
                throw new ConfigException(key, "unknown key; known keys are " + KEYS + " and fleetwarden.*");
            }
        }
        int port;
        String portText = p.getProperty("listener.port", "8883").trim();
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ConfigException("listener.port", "expected a port number, got '" + portText + "'");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("listener.port", "must be between 0 and 65535, got " + port);
        }
        Path keystore = readable(p, "tls.keystore.path", home);
        String ksPassword = required(p, "tls.keystore.password");
        Path truststore = readable(p, "tls.truststore.path", home);
        String validation = p.getProperty("tls.client-validation", "extension").trim();
        if (!validation.equals("extension") && !validation.equals("tls")) {
            throw new ConfigException("tls.client-validation", "expected 'extension' or 'tls', got '" + validation + "'");
        }
        return new LauncherConfig(port, p.getProperty("listener.bind-address", "0.0.0.0").trim(), keystore, ksPassword,
                p.getProperty("tls.keystore.private-key-password", ksPassword), truststore,
                required(p, "tls.truststore.password"), validation, required(p, "kafka.bootstrap-servers"),
                required(p, "broker.id"), home.resolve(p.getProperty("extensions.folder", "extensions").trim()),
                home.resolve(p.getProperty("data.folder", "data").trim()), overrides);
    }

    /**
     * The settings handed to the extension: {@code defaults}, then the Kafka servers and broker id of
     * this file, then its {@code fleetwarden.*} keys (each later one wins).
     */
    public Map<String, String> extensionSettings(Map<String, String> defaults) {
        Map<String, String> out = new LinkedHashMap<>(defaults);
        out.put("fleetwarden.kafka.bootstrap-servers", kafkaBootstrapServers);
        out.put("fleetwarden.broker-id", brokerId);
        out.putAll(overrides);
        return out;
    }

    /** The {@code -Dfleetwarden.<key>} flags among {@code jvm}'s properties (the launcher's own ones excluded). */
    public static Map<String, String> jvmExtensionFlags(Properties jvm) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : jvm.stringPropertyNames()) {
            if (key.startsWith("fleetwarden.") && !key.equals("fleetwarden.home")) {
                out.put(key, jvm.getProperty(key).trim());
            }
        }
        return out;
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, "required but missing or empty");
        }
        return v.trim();
    }

    private static Path readable(Properties p, String key, Path home) {
        Path path = home.resolve(required(p, key));
        if (!Files.isReadable(path)) {
            throw new ConfigException(key, "not readable: " + path);
        }
        return path;
    }

    @Override
    public String toString() {
        // passwords stay out of logs
        return "LauncherConfig[port=" + port + ", bind=" + bindAddress + ", keystore=" + keystore + ", truststore="
                + truststore + ", clientValidation=" + clientValidation + ", kafka=" + kafkaBootstrapServers
                + ", brokerId=" + brokerId + ", extensions=" + extensionsFolder + "]";
    }
}
