package io.fleetwarden.broker.config;

/** A configuration value is missing or invalid; the message names the key. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String problem) {
        super("config key '" + key + "': " + problem);
        this.key = key;
    }

    public ConfigException(String key, String problem, Throwable cause) {
        super("config key '" + key + "': " + problem, cause);
        this.key = key;
    }

    /** The dotted key that is wrong, e.g. {@code kafka.bootstrap-servers}. */
    public String key() {
        return key;
    }
}
