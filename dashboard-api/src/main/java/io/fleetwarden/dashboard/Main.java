package io.fleetwarden.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import io.fleetwarden.dashboard.auth.JwtAuthenticator;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.fleet.InfluxHealthSeries;
import io.fleetwarden.dashboard.kafka.KafkaRecordPublisher;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.kafka.TopicMaterializer;
import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Runs the dashboard API.
 *
 * <pre>
 * Main [--config FILE]                                  serve (prints the dashboard URL; on first
 *                                                       start also a platform-wide admin token)
 * Main create-token [--config FILE] --name N --role R (--tenants a,b | --platform-wide)
 *                                                       add an API token to the store, print it once
 * </pre>
 */
public final class Main {

    /** Outcome of {@link #run}: the exit status and, when serving, a handle that stops everything. */
    record Started(int status, AutoCloseable server) {
    }

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int status = run(args, System.out).status();
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Does what {@link #main} does and returns an exit status instead of exiting; the server keeps
     * running (non-daemon threads) until the JVM stops or the returned server is closed.
     */
    static Started run(String[] args, java.io.PrintStream out) throws Exception {
        List<String> a = Arrays.asList(args);
        Path configFile = a.contains("--config") ? Path.of(a.get(a.indexOf("--config") + 1)) : null;
        DashboardConfig cfg;
        try {
            cfg = DashboardConfig.load(configFile, System.getenv());
        } catch (DashboardConfig.ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return new Started(2, null);
        }
        Clock clock = Clock.systemUTC();
        TokenStore tokens = new TokenStore(cfg.dataDir().resolve("tokens.json"), clock);
        if (!a.isEmpty() && a.get(0).equals("create-token")) {
            out.println(createToken(tokens, a));
            return new Started(0, null);
        }
        if (cfg.kafkaBootstrap() == null || cfg.influxUrl() == null) {
            System.err.println("configuration error: kafka.bootstrap-servers and influx.url are required"
                    + " (env FLEETWARDEN_KAFKA_BOOTSTRAP_SERVERS, FLEETWARDEN_INFLUX_URL)");
            return new Started(2, null);
        }
        for (TopicSpec own : OwnTopics.ALL) {
            ensureOwnTopic(cfg.kafkaBootstrap(), own);
        }
        JwtAuthenticator jwt = cfg.oidcEnabled() ? new JwtAuthenticator(cfg.oidcIssuer(), cfg.oidcAudience(),
                cfg.oidcJwksUrl(), cfg.oidcRoleClaim(), cfg.oidcTenantsClaim()) : null;
        KafkaRecordPublisher publisher = new KafkaRecordPublisher(cfg.kafkaBootstrap());
        InfluxHealthSeries influx = new InfluxHealthSeries(cfg.influxUrl(), cfg.influxUser(), cfg.influxPassword(),
                cfg.influxDatabase());
        DashboardApp app = DashboardApp.create(new DashboardApp.Dependencies(cfg, clock, publisher,
                new TopicMaterializer(cfg.kafkaBootstrap()), influx, tokens, jwt,
                new ReportStore(cfg.dataDir().resolve("disclosure-reports.json"))),
                new io.fleetwarden.dashboard.cra.CraCaseStore(cfg.dataDir().resolve("cra-cases.json"))).start();
        AutoCloseable all = () -> {
            app.close();
            publisher.close();
            influx.close();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                all.close();
            } catch (Exception e) {
                // shutting down anyway
            }
        }, "dashboard-shutdown"));
        String host = cfg.httpHost().equals("0.0.0.0") ? "localhost" : cfg.httpHost();
        out.println("Fleetwarden dashboard: http://" + host + ":" + app.port() + "/");
        if (tokens.isEmpty() && cfg.bootstrapAdminToken()) {
            TokenStore.CreatedToken t = tokens.create("bootstrap-admin", Role.ADMIN, Set.of(), true, "bootstrap");
            Path f = cfg.dataDir().resolve("admin-token");
            Files.writeString(f, t.secret() + "\n");
            try {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException | IOException e) {
                // not a POSIX file system; the file stays with default permissions
            }
            out.println("Admin token (platform-wide, shown once, also in " + f + "): " + t.secret());
        }
        return new Started(0, all);
    }

    private static String createToken(TokenStore tokens, List<String> a) {
        String name = arg(a, "--name");
        Role role = Role.parse(arg(a, "--role"));
        boolean platformWide = a.contains("--platform-wide");
        Set<String> tenants = a.contains("--tenants") ? new HashSet<>(Arrays.asList(arg(a, "--tenants").split(",")))
                : Set.of();
        return tokens.create(name, role, tenants, platformWide, "cli").secret();
    }

    private static String arg(List<String> a, String flag) {
        int i = a.indexOf(flag);
        if (i < 0 || i + 1 >= a.size()) {
            throw new IllegalArgumentException("missing " + flag);
        }
        return a.get(i + 1);
    }

    /** Creates the topic this module owns if the deployment did not. */
    static void ensureOwnTopic(String bootstrap, TopicSpec spec) throws InterruptedException {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        KafkaClientSecurity.configured().applyTo(p);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(spec.name(), spec.partitions(), (short) -1)
                    .configs(OwnTopics.configs(spec)))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + spec.name() + ": " + e.getCause(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer while creating " + spec.name(), e);
        }
    }
}
