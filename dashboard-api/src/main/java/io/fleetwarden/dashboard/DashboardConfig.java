package io.fleetwarden.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.fleetwarden.dashboard.alert.WebhookDispatcher;
import io.fleetwarden.dashboard.disclosure.DisclosureConfig;

/**
 * The dashboard API's configuration, parsed once and validated with errors that name the bad key.
 * Sources, later wins: built-in defaults, a properties file, environment variables
 * ({@code FLEETWARDEN_} + key upper-cased with {@code .} and {@code -} as {@code _}, e.g.
 * {@code FLEETWARDEN_HTTP_PORT}). Every key is listed in the module README and in
 * {@code conf/dashboard.properties}.
 */
public record DashboardConfig(String httpHost, int httpPort, String kafkaBootstrap, String influxUrl,
                              String influxDatabase, String influxUser, String influxPassword, Path dataDir,
                              String oidcIssuer, String oidcAudience, String oidcJwksUrl, String oidcRoleClaim,
                              String oidcTenantsClaim, List<String> corsOrigins, List<String> autoQuarantineRules,
                              DisclosureConfig disclosure, List<WebhookDispatcher.Endpoint> webhooks,
                              boolean bootstrapAdminToken) {

    /** Thrown for a missing or malformed key; the message names the key. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    public boolean oidcEnabled() {
        return oidcIssuer != null;
    }

    /** Loads defaults, then {@code file} (may be null), then the environment. */
    public static DashboardConfig load(Path file, Map<String, String> env) {
        Properties p = new Properties();
        try (InputStream in = DashboardConfig.class.getResourceAsStream("/dashboard-defaults.properties")) {
            if (in != null) {
                p.load(in);
            }
            if (file != null) {
                try (InputStream f = Files.newInputStream(file)) {
                    p.load(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration " + file, e);
        }
        for (String key : new ArrayList<>(p.stringPropertyNames())) {
            String envKey = "FLEETWARDEN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            if (env.containsKey(envKey)) {
                p.setProperty(key, env.get(envKey));
            }
        }
        return from(p);
    }

    /** Parses and validates {@code p}. */
    public static DashboardConfig from(Properties p) {
        String issuer = blankToNull(p.getProperty("oidc.issuer"));
        String audience = blankToNull(p.getProperty("oidc.audience"));
        String jwks = blankToNull(p.getProperty("oidc.jwks-url"));
        if (issuer != null && (audience == null || jwks == null)) {
            throw new ConfigException("oidc.issuer is set, so oidc.audience and oidc.jwks-url are required");
        }
        Instant expires = null;
        String exp = blankToNull(p.getProperty("securitytxt.expires"));
        List<String> contacts = list(p, "securitytxt.contact");
        if (!contacts.isEmpty()) {
            if (exp == null) {
                throw new ConfigException("securitytxt.expires is required when securitytxt.contact is set (RFC 9116)");
            }
            try {
                expires = Instant.parse(exp);
            } catch (DateTimeParseException e) {
                throw new ConfigException("securitytxt.expires must be an ISO-8601 instant: " + exp);
            }
            for (String c : contacts) {
                if (!c.startsWith("mailto:") && !c.startsWith("https://") && !c.startsWith("tel:")) {
                    throw new ConfigException("securitytxt.contact entries must be mailto:, https:// or tel: URIs: " + c);
                }
            }
        }
        DisclosureConfig disclosure = new DisclosureConfig(contacts, expires, blank(p, "securitytxt.policy"),
                blank(p, "securitytxt.acknowledgments"), blank(p, "securitytxt.preferred-languages"),
                blank(p, "securitytxt.canonical"), blank(p, "securitytxt.encryption"),
                intKey(p, "disclosure.max-report-bytes", 256, 1_000_000),
                intKey(p, "disclosure.reports-per-minute", 1, 10_000));
        List<WebhookDispatcher.Endpoint> hooks = new ArrayList<>();
        for (String h : list(p, "webhooks")) {
            String prefix = "webhook." + h + ".";
            String url = blankToNull(p.getProperty(prefix + "url"));
            String secret = blankToNull(p.getProperty(prefix + "secret"));
            if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
                throw new ConfigException(prefix + "url must be an http(s) URL");
            }
            if (secret == null || secret.length() < 16) {
                throw new ConfigException(prefix + "secret must be at least 16 characters");
            }
            hooks.add(new WebhookDispatcher.Endpoint(url, secret, blankToNull(p.getProperty(prefix + "tenant"))));
        }
        for (String o : list(p, "cors.origins")) {
            if (o.equals("*") || !(o.startsWith("https://") || o.startsWith("http://"))) {
                throw new ConfigException("cors.origins entries must be explicit http(s) origins, not " + o);
            }
        }
        return new DashboardConfig(p.getProperty("http.host", "127.0.0.1"), intKey(p, "http.port", 0, 65535),
                blankToNull(p.getProperty("kafka.bootstrap-servers")), blankToNull(p.getProperty("influx.url")),
                p.getProperty("influx.database", "fleetwarden"), blankToNull(p.getProperty("influx.user")),
                blankToNull(p.getProperty("influx.password")), Path.of(p.getProperty("data.dir", "data/dashboard")),
                issuer, audience, jwks, p.getProperty("oidc.role-claim", "fleetwarden_role"),
                p.getProperty("oidc.tenants-claim", "fleetwarden_tenants"), list(p, "cors.origins"),
                list(p, "autoquarantine.rules"), disclosure, hooks,
                Boolean.parseBoolean(p.getProperty("tokens.bootstrap-admin", "true")));
    }

    private static String blank(Properties p, String key) {
        return blankToNull(p.getProperty(key));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static List<String> list(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int intKey(Properties p, String key, int min, int max) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new ConfigException(key + " is required");
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new ConfigException(key + " must be between " + min + " and " + max + ": " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be an integer: " + v);
        }
    }
}
