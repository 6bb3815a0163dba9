package io.fleetwarden.model.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * A Kafka {@link ConfigProvider} that reads a secret from a file when a Kafka client is created,
 * so client configurations carry a reference ({@code ${fwsecret:/run/secrets/kafka.password:password}})
 * instead of the secret: a Flink job graph, a logged configuration or a heap dump of the submitter
 * holds no password, and a rotated file is read by the next client.
 *
 * <p>Keys: {@value #PASSWORD} (the file's content without one trailing line break) and
 * {@value #JAAS_QUOTED} (the same, escaped for a double-quoted JAAS option value). The content is
 * never part of an error message. Where {@code org.apache.kafka.automatic.config.providers} restricts
 * the providers a client may instantiate, it must list this class.
 */
public final class SecretFileConfigProvider implements ConfigProvider {

    /** The alias {@link KafkaClientSecurity} registers this provider under. */
    public static final String ALIAS = "fwsecret";
    /** Key: the secret as stored. */
    public static final String PASSWORD = "password";
    /** Key: the secret escaped for a double-quoted JAAS option value. */
    public static final String JAAS_QUOTED = "jaas-quoted";

    /**
     * @param file the secret file
     * @param key  {@link #PASSWORD} or {@link #JAAS_QUOTED}
     * @return the variable Kafka resolves with this provider
     */
    public static String reference(Path file, String key) {
        String path = file.toAbsolutePath().toString();
        if (path.contains(":") || path.contains("}")) {
            // the variable syntax ${alias:path:key} cannot carry these characters
            throw new IllegalArgumentException("a secret file path may not contain ':' or '}': " + path);
        }
        return "${" + ALIAS + ":" + path + ":" + key + "}";
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // no parameters
    }

    @Override
    public ConfigData get(String path) {
        return get(path, Set.of(PASSWORD));
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        Map<String, String> data = new HashMap<>();
        if (keys.isEmpty()) {
            return new ConfigData(data);
        }
        String secret = read(path);
        for (String key : keys) {
            switch (key) {
                case PASSWORD -> data.put(key, secret);
                case JAAS_QUOTED -> data.put(key, secret.replace("\\", "\\\\").replace("\"", "\\\""));
                default -> throw new ConfigException("secret file " + path + ": unknown key '" + key + "' (known: "
                        + PASSWORD + ", " + JAAS_QUOTED + ")");
            }
        }
        return new ConfigData(data);
    }

    private static String read(String path) {
        if (path == null || path.isBlank()) {
            throw new ConfigException("secret file reference without a path");
        }
        String value;
        try {
            value = Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("secret file " + path + " cannot be read: " + e.getClass().getSimpleName());
        }
        // a secret file commonly ends with a newline that is not part of the password
        value = value.replaceFirst("\\R\\z", "");
        if (value.isEmpty()) {
            throw new ConfigException("secret file " + path + " is empty");
        }
        return value;
    }

    @Override
    public void close() {
        // nothing held
    }
}
